"""Fit the clause classifier: TF-IDF word and character n-grams, one linear detector per type, level models.

Thresholds and confidence calibration come from an inner cross-validation by document on the training data
only, so nothing is tuned on the sentences a model is later scored on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import FeatureUnion

from clausewatch_analyzer.model.classifier import ARTEFACT_FORMAT
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.config import TrainingConfig
from training.metrics import best_threshold


def make_vectorizer(config: TrainingConfig) -> FeatureUnion:
    """Word n-grams first (the classifier reads its evidence phrases from that block), then character n-grams."""
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=config.word_ngrams, min_df=config.min_df, sublinear_tf=True, dtype=np.float32
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=config.char_ngrams,
                    min_df=config.min_df,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def _fit_detector(features: sparse.csr_matrix, truth: NDArray[np.int8], config: TrainingConfig) -> Any:
    """One binary detector; classes are weighted because a type is on 0.2–3 % of sentences."""
    model = LogisticRegression(
        C=config.c_type, class_weight="balanced", solver="liblinear", random_state=config.seed, max_iter=5000
    )
    return model.fit(features, truth)


def _detectors(
    features: sparse.csr_matrix, truth: NDArray[np.int8], config: TrainingConfig
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Fit one detector per column of `truth`; return the stacked weights (n_features, n_types) and intercepts."""
    features = sparse.csr_matrix(features)
    features.sort_indices()  # liblinear wants sorted indices; sorting in a worker would write to shared memory
    # Threads, not processes: liblinear releases the GIL, and threads avoid copying the matrix per worker.
    models = Parallel(n_jobs=config.n_jobs, prefer="threads")(
        delayed(_fit_detector)(features, truth[:, column], config) for column in range(truth.shape[1])
    )
    coef = np.stack([m.coef_.ravel() for m in models], axis=1).astype(np.float32)
    intercept = np.array([float(m.intercept_[0]) for m in models])
    return coef, intercept


def _level_model(
    features: sparse.csr_matrix, levels: Sequence[int], config: TrainingConfig
) -> dict[str, Any]:
    """Choose among the levels seen for a type, from that type's sentences only."""
    classes = sorted(set(levels))
    if len(classes) == 1:
        return {"classes": classes, "coef": None, "intercept": None}
    model = LogisticRegression(
        C=config.c_level, class_weight="balanced", solver="lbfgs", random_state=config.seed, max_iter=5000
    ).fit(features, np.array(levels))
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # a binary model scores only the second class: make it one column per class
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    return {"classes": classes, "coef": coef.T.astype(np.float32), "intercept": intercept.astype(np.float32)}


def _platt(scores: NDArray[np.float64], truth: NDArray[np.int8]) -> tuple[float, float]:
    """Map raw scores to probabilities with a one-feature logistic fit (Platt scaling)."""
    if truth.min() == truth.max():
        return 1.0, 0.0
    model = LogisticRegression(C=1e4, solver="lbfgs").fit(scores.reshape(-1, 1), truth)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def label_matrix(labels: Sequence[dict[str, int]], types: Sequence[str]) -> NDArray[np.int8]:
    """One row per sentence, one 0/1 column per type."""
    return np.array([[1 if t in row else 0 for t in types] for row in labels], dtype=np.int8).reshape(
        len(labels), len(types)
    )


def fit_classifier(
    sentences: Sequence[str],
    labels: Sequence[dict[str, int]],
    groups: Sequence[int],
    config: TrainingConfig,
    version: str,
    types: Sequence[str] = TERMS_TYPE_IDS,
    leveled_types: Sequence[str] = TERMS_TYPE_IDS,
) -> dict[str, Any]:
    """Train on all sentences and return the artefact dict that `Classifier` loads.

    `groups` names each sentence's document: the inner folds that pick thresholds never split a document.
    """
    vectorizer = make_vectorizer(config)
    features = sparse.csr_matrix(vectorizer.fit_transform(list(sentences)))
    truth = label_matrix(labels, types)
    group_array = np.asarray(groups)

    # Out-of-fold scores on the training data; the vectorizer is shared across inner folds (it sees no labels).
    oof = np.zeros(truth.shape)
    for train, held in GroupKFold(n_splits=config.inner_folds).split(features, groups=group_array):
        coef, intercept = _detectors(features[train], truth[train], config)
        oof[held] = np.asarray(features[held] @ coef) + intercept
    thresholds = [best_threshold(list(oof[:, k]), [bool(v) for v in truth[:, k]]) for k in range(len(types))]
    calibration = [_platt(oof[:, k], truth[:, k]) for k in range(len(types))]

    coef, intercept = _detectors(features, truth, config)
    levels = {}
    for type_id in leveled_types:
        rows = [i for i, row in enumerate(labels) if type_id in row]
        levels[type_id] = _level_model(features[rows], [labels[i][type_id] for i in rows], config)
    return {
        "format": ARTEFACT_FORMAT,
        "version": version,
        "types": list(types),
        "vectorizer": vectorizer,
        "coef": coef,
        "intercept": intercept,
        "thresholds": np.array(thresholds),
        "calibration": np.array(calibration),
        "levels": levels,
        "config": config.as_dict(),
    }
