"""Cache, per outer fold of the evaluation's document split, what a second stage needs (development only).

    cd services/analyzer && uv run python -m training.stage_cache

For each outer fold: the stage-one model is fitted on the other documents exactly as `training.evaluate` does;
saved are its inner out-of-fold scores on the training sentences (what a second stage may learn from), its scores
on the held-out sentences, and the level each type would get on every held-out sentence.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GroupKFold

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.fit import fit_stage_one, label_matrix

CACHE = Path(tempfile.gettempdir()) / "clausewatch-stage-cache"


def main() -> None:
    """Fit the five outer folds' stage-one models and save their scores."""
    config = TrainingConfig()
    dataset = training_set()
    CACHE.mkdir(parents=True, exist_ok=True)
    documents = np.arange(len(dataset.document_names))
    for fold, (train_docs, test_docs) in enumerate(GroupKFold(n_splits=5).split(documents, groups=documents)):
        started = time.process_time()
        train, test = dataset.subset(train_docs.tolist()), dataset.subset(test_docs.tolist())
        stage = fit_stage_one(train, config, "cv")
        classifier = Classifier(stage.artefact)
        features = classifier._features.rows(test.sentences)
        levels = np.array(
            [
                [classifier._level(t, features[i]) or 0 for t in TERMS_TYPE_IDS]
                for i in range(len(test.sentences))
            ]
        )
        joblib.dump(
            {
                "train_oof": stage.oof,
                "train_truth": stage.truth,
                "train_groups": np.array(train.groups),
                "train_sentences": train.sentences,
                "train_labels": train.labels,
                "test_scores": classifier.scores(test.sentences),
                "test_truth": label_matrix(test.labels, TERMS_TYPE_IDS),
                "test_labels": test.labels,
                "test_groups": np.array(test.groups),
                "test_sentences": test.sentences,
                "test_levels": levels,
                "thresholds": stage.artefact["thresholds"],
            },
            CACHE / f"fold{fold}.joblib",
        )
        print(f"fold {fold}: {time.process_time() - started:.0f} s CPU", flush=True)


if __name__ == "__main__":
    main()
