"""Does combining rules with the trained model help on CLAUDETTE? Document-level cross-validation, both ways.

    cd services/analyzer && uv run python scripts/combined_cv.py [--folds 5]

Each fold trains the model engineer's classifier (training.fit) on the other documents, then tags the held-out
sentences with (a) the model alone and (b) the analyzer's Classifier (model + rules, docs/decisions/0031), and
(c) rules alone. Scores are pooled over folds, per CLAUDETTE type, at any level and for levels 2-3 (unfair).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.model_selection import GroupKFold
from training.build import training_set
from training.config import TrainingConfig
from training.fit import fit_classifier
from training.metrics import macro_f1, score_types

from clausewatch_analyzer.classify import Classifier as Combined
from clausewatch_analyzer.model.classifier import Classifier as Model
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from clausewatch_analyzer.taxonomy import load_taxonomy


def main() -> None:
    """Run the cross-validation and print macro-F1 for model, model+rules and rules."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    dataset = training_set()
    taxonomy = load_taxonomy()
    gold: list[dict[str, int]] = []
    runs: dict[str, list[dict[str, int | None]]] = {"model": [], "model+rules": [], "rules": []}
    documents = np.arange(len(dataset.document_names))
    rules = Combined(taxonomy)
    for train_docs, test_docs in GroupKFold(n_splits=args.folds).split(documents, groups=documents):
        train, test = dataset.subset(train_docs.tolist()), dataset.subset(test_docs.tolist())
        model = Model(fit_classifier(train, TrainingConfig(), version="cv"))
        combined = Combined(taxonomy, model, "cv")
        sentences = list(test.sentences)
        runs["model"] += [{p.clause_type: p.level for p in found} for found in model.predict(sentences)]
        for name, classifier in (("model+rules", combined), ("rules", rules)):
            runs[name] += [
                {lab.clause_type: lab.level if lab.level is not None else 2 for lab in labels}
                for labels in classifier.classify_sentences(sentences)
            ]
        gold += list(test.labels)
    print(f"{args.folds}-fold CV by document, {len(gold)} sentences ({time.perf_counter() - started:.0f} s)")
    print(f"{'':14} {'macro any':>10} {'macro 2-3':>10}")
    for name, predicted in runs.items():
        anyl = score_types(gold, predicted, TERMS_TYPE_IDS, min_level=1)
        unfair = score_types(gold, predicted, TERMS_TYPE_IDS, min_level=2)
        print(f"{name:14} {macro_f1(anyl):10.3f} {macro_f1(unfair):10.3f}")
        print("    " + " ".join(f"{s.type_id[:10]}={s.f1:.2f}" for s in anyl))


if __name__ == "__main__":
    main()
