"""A quick development loop for the terms types: `cd services/analyzer && uv run python -m training.quick`.

Faster than `training.evaluate` (one fit per type and fold instead of seven) so several configurations can be
compared on a shared machine; its figures are for comparing configurations only, never for reporting:
- the vectorizer is fitted once on all sentences (it sees no labels) and its features cached in the temp folder;
- out-of-fold scores come from a document-level 5-fold split, like the evaluation's outer folds;
- a fold's threshold is the best-F1 threshold on the out-of-fold scores of the *other* folds (no inner CV), so the
  figure is close to, but not exactly, the nested one; the pooled best-threshold F1 (an upper bound) is shown too.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.model_selection import GroupKFold

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.fit import fit_detector, label_matrix, make_vectorizer
from training.metrics import best_threshold

CACHE = Path(tempfile.gettempdir()) / "clausewatch-training-cache"


def cached_features(sentences: tuple[str, ...], config: TrainingConfig) -> sparse.csr_matrix:
    """The TF-IDF features of `sentences`, from the cache when the sentences and feature settings are unchanged."""
    settings = (config.word_ngrams, config.char_ngrams, config.min_df)
    key = hashlib.sha256(repr((settings, sentences)).encode()).hexdigest()[:16]
    path = CACHE / f"features-{key}.joblib"
    if path.is_file():
        return joblib.load(path)
    features = sparse.csr_matrix(make_vectorizer(config).fit_transform(list(sentences)))
    features.sort_indices()
    CACHE.mkdir(parents=True, exist_ok=True)
    joblib.dump(features, path)
    return features


def out_of_fold(
    features: sparse.csr_matrix, truth: NDArray[np.int8], groups: NDArray[np.int64], config: TrainingConfig
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Decision scores of each sentence from a model that never saw its document, and each sentence's fold."""
    scores = np.zeros(truth.shape)
    folds = np.zeros(len(groups), dtype=np.int64)
    for fold, (train, held) in enumerate(GroupKFold(n_splits=5).split(features, groups=groups)):
        folds[held] = fold
        for k in range(truth.shape[1]):
            model = fit_detector(features[train], truth[train, k], config)
            scores[held, k] = np.asarray(features[held] @ model.coef_.ravel()) + model.intercept_[0]
    return scores, folds


def f1_with_transferred_thresholds(
    scores: NDArray[np.float64], truth: NDArray[np.int8], folds: NDArray[np.int64]
) -> float:
    """F1 when each fold is cut at the threshold that was best on the other folds' scores."""
    predicted = np.zeros(len(scores), dtype=bool)
    for fold in np.unique(folds):
        others = folds != fold
        cut = best_threshold(list(scores[others]), [bool(v) for v in truth[others]])
        predicted[folds == fold] = scores[folds == fold] >= cut
    tp = int((predicted & (truth == 1)).sum())
    denominator = int(predicted.sum() + truth.sum())
    return 2 * tp / denominator if denominator else 1.0


def best_f1(scores: NDArray[np.float64], truth: NDArray[np.int8]) -> float:
    """F1 at the best threshold over all pooled scores (an upper bound: the threshold saw every label)."""
    order = np.argsort(-scores)
    tp = np.cumsum(truth[order])
    return float((2 * tp / (np.arange(1, len(scores) + 1) + truth.sum())).max())


def main() -> None:
    """Command line: score the default configuration, or one with `--c-type` / n-gram ranges changed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c-type", type=float, default=None)
    parser.add_argument("--word-max", type=int, default=None, help="longest word n-gram")
    parser.add_argument("--char", type=int, nargs=2, default=None, help="char n-gram range")
    args = parser.parse_args()
    config = dataclasses.replace(TrainingConfig(), n_jobs=1)
    if args.c_type is not None:
        config = dataclasses.replace(config, c_type=args.c_type)
    if args.word_max is not None:
        config = dataclasses.replace(config, word_ngrams=(1, args.word_max))
    if args.char is not None:
        config = dataclasses.replace(config, char_ngrams=tuple(args.char))
    started = time.process_time()
    dataset = training_set()
    truth = label_matrix(dataset.labels, TERMS_TYPE_IDS)
    features = cached_features(dataset.sentences, config)
    scores, folds = out_of_fold(features, truth, np.array(dataset.groups), config)
    transferred = [
        f1_with_transferred_thresholds(scores[:, k], truth[:, k], folds) for k in range(truth.shape[1])
    ]
    upper = [best_f1(scores[:, k], truth[:, k]) for k in range(truth.shape[1])]
    print(f"config: {config.as_dict()}")
    for type_id, f1, bound in zip(TERMS_TYPE_IDS, transferred, upper, strict=True):
        print(f"  {type_id:26s} F1 {f1:.3f}  (best threshold {bound:.3f})")
    print(f"macro-F1 any level {np.mean(transferred):.3f} (best threshold {np.mean(upper):.3f})")
    print(f"({time.process_time() - started:.0f} s CPU)")


if __name__ == "__main__":
    main()
