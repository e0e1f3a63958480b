"""Document-level cross-validation of the clause classifier on CLAUDETTE-en.

    cd services/analyzer && uv run python -m training.evaluate [--folds 5] [--json results.json]

Each outer fold trains a whole model (thresholds picked by its own inner folds) on the other documents and scores
the held-out ones, so the figures never see a threshold tuned on the sentences they count.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.dataset import Dataset
from training.fit import fit_classifier
from training.metrics import TypeScore, macro_f1, score_types

# LexGLUE's UNFAIR-ToS counts levels 2-3 of these eight types (no privacy_included).
UNFAIR_TOS_TYPES = tuple(t for t in TERMS_TYPE_IDS if t != "privacy_included")


@dataclass(frozen=True)
class CrossValidation:
    """Per-type scores pooled over all held-out sentences of all folds."""

    any_level: list[TypeScore]
    unfair: list[TypeScore]
    folds: int
    documents: int
    sentences: int


def predict_levels(classifier: Classifier, sentences: tuple[str, ...]) -> list[dict[str, int | None]]:
    """{type id: level} per sentence, as the analyzer reads the classifier's output."""
    return [{p.clause_type: p.level for p in found} for found in classifier.predict(list(sentences))]


def cross_validate(dataset: Dataset, config: TrainingConfig, folds: int = 5) -> CrossValidation:
    """Train on k-1 folds of documents, predict the last, for each fold; score all predictions together."""
    gold: list[dict[str, int]] = []
    predicted: list[dict[str, int | None]] = []
    documents = np.arange(len(dataset.document_names))
    for train_docs, test_docs in GroupKFold(n_splits=folds).split(documents, groups=documents):
        train, test = dataset.subset(train_docs.tolist()), dataset.subset(test_docs.tolist())
        artefact = fit_classifier(train.sentences, train.labels, train.groups, config, version="cv")
        predicted += predict_levels(Classifier(artefact), test.sentences)
        gold += list(test.labels)
    return CrossValidation(
        any_level=score_types(gold, predicted, TERMS_TYPE_IDS, min_level=1),
        unfair=score_types(gold, predicted, TERMS_TYPE_IDS, min_level=2),
        folds=folds,
        documents=len(dataset.document_names),
        sentences=len(dataset.sentences),
    )


def report(result: CrossValidation) -> str:
    """A Markdown table of per-type and macro figures."""
    lines = [
        f"{result.folds}-fold cross-validation by document: {result.documents} documents, "
        f"{result.sentences} sentences",
        "",
        "| type | F1 any level | P | R | F1 unfair (levels 2-3) | P | R |",
        "|---|---|---|---|---|---|---|",
    ]
    for anyl, unfair in zip(result.any_level, result.unfair, strict=True):
        lines.append(
            f"| {anyl.type_id} | {anyl.f1:.3f} | {anyl.precision:.3f} | {anyl.recall:.3f} "
            f"| {unfair.f1:.3f} | {unfair.precision:.3f} | {unfair.recall:.3f} |"
        )
    eight = [s for s in result.unfair if s.type_id in UNFAIR_TOS_TYPES]
    lines += [
        f"| **macro, 9 types** | **{macro_f1(result.any_level):.3f}** | | | **{macro_f1(result.unfair):.3f}** | | |",
        f"| macro, 8 UNFAIR-ToS types | | | | {macro_f1(eight):.3f} | | |",
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line: run the cross-validation, print the table, optionally save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    config = TrainingConfig()
    started = time.perf_counter()
    result = cross_validate(training_set(), config, args.folds)
    print(report(result))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "config": config.as_dict(),
                    "macro_f1_any_level": macro_f1(result.any_level),
                    "macro_f1_unfair": macro_f1(result.unfair),
                    "per_type": {
                        a.type_id: {"f1_any_level": a.f1, "f1_unfair": u.f1}
                        for a, u in zip(result.any_level, result.unfair, strict=True)
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
