"""A quick development loop for the terms types: `cd services/analyzer && uv run python -m training.quick`.

Faster than `training.evaluate` (one fit per type and fold instead of seven) so several configurations can be
compared on a shared machine; its figures are for comparing configurations only, never for reporting:
- the vectorizer is fitted once on all sentences (it sees no labels) and its features cached in the temp folder;
- out-of-fold scores come from a document-level 5-fold split, like the evaluation's outer folds;
- a fold's threshold is the best-F1 threshold on the out-of-fold scores of the *other* folds (no inner CV), so the
  figure is close to, but not exactly, the nested one; the pooled best-threshold F1 (an upper bound) is shown too.

Options for variants the shipped training does not have (docs/decisions/0081 lists what they measured):
`--svm C` (LinearSVC instead of logistic regression), `--min-documents N` (zero features seen in fewer than N
training documents of the fold), `--previous W` (append the previous line's features, times W, to each line's).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import tempfile
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import own_terms_set, training_set
from training.config import TrainingConfig
from training.dataset import concat
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


@dataclasses.dataclass(frozen=True)
class Variant:
    """What differs from the shipped training (defaults: nothing)."""

    svm_c: float | None = None
    min_documents: int = 1
    previous: float = 0.0


def with_previous(features: sparse.csr_matrix, groups: NDArray[np.int64], weight: float) -> sparse.csr_matrix:
    """Each row's features followed by `weight` × the previous row's (zeros for a document's first line)."""
    same = np.r_[False, groups[1:] == groups[:-1]].astype(np.float64) * weight
    shifted = sparse.vstack([sparse.csr_matrix((1, features.shape[1])), features[:-1]])
    return sparse.csr_matrix(sparse.hstack([features, sparse.diags(same) @ shifted]))


def document_counts(features: sparse.csr_matrix, groups: NDArray[np.int64]) -> NDArray[np.int64]:
    """In how many distinct groups (documents) each feature occurs."""
    present = sparse.csc_matrix(features, copy=True)
    present.data[:] = 1
    counts = np.zeros(features.shape[1], dtype=np.int64)
    for group in np.unique(groups):
        counts += np.asarray(present[groups == group].max(axis=0).todense()).ravel().astype(np.int64)
    return counts


def _fit(
    features: sparse.csr_matrix, truth: NDArray[np.int8], config: TrainingConfig, variant: Variant
) -> Any:
    """The shipped detector, or a LinearSVC with balanced class weights."""
    if variant.svm_c is None or truth.min() == truth.max():
        return fit_detector(features, truth, config)
    svm = LinearSVC(C=variant.svm_c, class_weight="balanced", random_state=config.seed, max_iter=20000)
    return svm.fit(features, truth)


def out_of_fold(
    features: sparse.csr_matrix,
    truth: NDArray[np.int8],
    groups: NDArray[np.int64],
    config: TrainingConfig,
    variant: Variant = Variant(),
    scored: int | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Decision scores of each sentence from a model that never saw its document, and each sentence's fold.

    With `scored`, only the first `scored` rows are split into folds and scored; the rows after them (our own
    terms) join every training fold, as in `training.evaluate`.
    """
    scored = len(groups) if scored is None else scored
    always = np.arange(scored, len(groups))
    scores = np.zeros((scored, truth.shape[1]))
    folds = np.zeros(scored, dtype=np.int64)
    full = with_previous(features, groups, variant.previous) if variant.previous else features
    splits = GroupKFold(n_splits=5).split(features[:scored], groups=groups[:scored])
    for fold, (train, held) in enumerate(splits):
        folds[held] = fold
        train = np.r_[train, always]
        used = full
        if variant.min_documents > 1:
            keep = document_counts(features[train], groups[train]) >= variant.min_documents
            used = full[:, np.tile(keep, full.shape[1] // features.shape[1])]
        for k in range(truth.shape[1]):
            model = _fit(used[train], truth[train, k], config, variant)
            scores[held, k] = np.asarray(used[held] @ model.coef_.ravel()) + model.intercept_[0]
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
    parser.add_argument("--nb-c", type=float, default=None, help="add an NB-scaled detector with this C")
    parser.add_argument(
        "--own-terms",
        action="store_true",
        help="every fold also learns from our own labelled terms, never scored (as training.evaluate does)",
    )
    parser.add_argument("--word-max", type=int, default=None, help="longest word n-gram")
    parser.add_argument("--char", type=int, nargs=2, default=None, help="char n-gram range")
    parser.add_argument("--svm", type=float, default=None, help="LinearSVC with this C instead of logistic")
    parser.add_argument("--min-documents", type=int, default=1, help="training documents a feature needs")
    parser.add_argument("--previous", type=float, default=0.0, help="weight of the previous line's features")
    args = parser.parse_args()
    variant = Variant(svm_c=args.svm, min_documents=args.min_documents, previous=args.previous)
    config = dataclasses.replace(TrainingConfig(), n_jobs=1)
    if args.c_type is not None:
        config = dataclasses.replace(config, c_type=args.c_type)
    if args.nb_c is not None:
        config = dataclasses.replace(config, nb_c=args.nb_c)
    if args.word_max is not None:
        config = dataclasses.replace(config, word_ngrams=(1, args.word_max))
    if args.char is not None:
        config = dataclasses.replace(config, char_ngrams=tuple(args.char))
    started = time.process_time()
    claudette = training_set()
    dataset = concat(claudette, own_terms_set()) if args.own_terms else claudette
    truth = label_matrix(dataset.labels, TERMS_TYPE_IDS)
    features = cached_features(dataset.sentences, config)
    scored = len(claudette.sentences)
    scores, folds = out_of_fold(features, truth, np.array(dataset.groups), config, variant, scored)
    truth = truth[:scored]
    transferred = [
        f1_with_transferred_thresholds(scores[:, k], truth[:, k], folds) for k in range(truth.shape[1])
    ]
    upper = [best_f1(scores[:, k], truth[:, k]) for k in range(truth.shape[1])]
    print(f"config: {config.as_dict()}, variant: {variant}")
    for type_id, f1, bound in zip(TERMS_TYPE_IDS, transferred, upper, strict=True):
        print(f"  {type_id:26s} F1 {f1:.3f}  (best threshold {bound:.3f})")
    print(f"macro-F1 any level {np.mean(transferred):.3f} (best threshold {np.mean(upper):.3f})")
    print(f"({time.process_time() - started:.0f} s CPU)")


if __name__ == "__main__":
    main()
