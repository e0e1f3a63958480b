"""Fit the clause classifier: TF-IDF word and character n-grams, one linear detector per type, level models.

Thresholds and confidence calibration come from an inner cross-validation by document on the training data
only, so nothing is tuned on the sentences a model is later scored on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from clausewatch_analyzer.model.features import plain_blocks
from clausewatch_analyzer.model.labels import PRIVACY_TYPE_IDS, TERMS_TYPE_IDS
from training.config import TrainingConfig
from training.dataset import Dataset
from training.metrics import best_threshold
from training.neighbours import neighbour_votes, plain_memory, word_columns, word_rows
from training.privacy import PRIVACY_WORDS


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


def fit_detector(features: sparse.csr_matrix, truth: NDArray[np.int8], config: TrainingConfig) -> Any:
    """One binary detector; classes are weighted because a type is on 0.2–3 % of sentences.

    A fold without a single example of a type gets a detector that never fires (liblinear needs two classes).
    """
    if truth.min() == truth.max():
        never = LogisticRegression()
        never.coef_ = np.zeros((1, features.shape[1]))
        never.intercept_ = np.array([-1e3 if truth.max() == 0 else 1e3])
        return never
    model = _logistic(config.c_type, config).fit(features, truth)
    return model if config.nb_c is None else _with_nb_view(model, features, truth, config.nb_c, config)


def _logistic(c: float, config: TrainingConfig) -> LogisticRegression:
    """A detector's learner: classes weighted (a type is rare), liblinear, seeded."""
    return LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", random_state=config.seed, max_iter=5000
    )


def _with_nb_view(
    plain: LogisticRegression,
    features: sparse.csr_matrix,
    truth: NDArray[np.int8],
    c: float,
    config: TrainingConfig,
) -> LogisticRegression:
    """`plain` averaged with a detector over NB-scaled features (each feature times the log of how much likelier
    it is in a positive than in a negative sentence; Wang and Manning 2012), each standardised by the spread of its
    scores on the training sentences. Two linear models summed are one: the result has one weight vector and one
    intercept, so the artefact and prediction do not change shape."""
    present = features.copy()
    present.data[:] = 1.0
    positive = 1.0 + np.asarray(present[truth == 1].sum(axis=0)).ravel()
    negative = 1.0 + np.asarray(present[truth == 0].sum(axis=0)).ravel()
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    scaled = sparse.csr_matrix(features @ sparse.diags(ratio.astype(np.float32)))
    scaled.sort_indices()
    nb = _logistic(c, config).fit(scaled, truth)
    weights = [plain.coef_.ravel(), nb.coef_.ravel() * ratio]
    intercepts = [float(plain.intercept_[0]), float(nb.intercept_[0])]
    spreads = [float(np.std(features @ w)) or 1.0 for w in weights]
    combined = LogisticRegression()
    combined.coef_ = (sum(w / s for w, s in zip(weights, spreads, strict=True))).reshape(1, -1)
    combined.intercept_ = np.array([sum(b / s for b, s in zip(intercepts, spreads, strict=True))])
    return combined


def _detectors(
    features: sparse.csr_matrix, truth: NDArray[np.int8], rows: NDArray[np.bool_], config: TrainingConfig
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Fit one detector per column of `truth` on that column's `rows`; return weights (n_features, n_types), intercepts."""
    features = sparse.csr_matrix(features)
    features.sort_indices()  # liblinear wants sorted indices; sorting in a worker would write to shared memory
    # Threads, not processes: liblinear releases the GIL, and threads avoid copying the matrix per worker.
    models = Parallel(n_jobs=config.n_jobs, prefer="threads")(
        delayed(fit_detector)(features[rows[:, column]], truth[rows[:, column], column], config)
        for column in range(truth.shape[1])
    )
    coef = np.stack([m.coef_.ravel() for m in models], axis=1).astype(np.float32)
    intercept = np.array([float(m.intercept_[0]) for m in models])
    return coef, intercept


def _level_model(
    features: sparse.csr_matrix, levels: Sequence[int], config: TrainingConfig
) -> dict[str, Any]:
    """Choose among the levels seen for a type, from that type's sentences only."""
    classes = sorted(set(levels))
    if not classes:
        # No sentence of the type to learn from (a small draw of documents, training.learning_curve): its detector
        # never fires, so this model is never read; one class keeps the artefact's shape.
        return {"classes": [2], "coef": None, "intercept": None}
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


def _training_rows(terms: Dataset, privacy: Dataset | None, types: Sequence[str]) -> NDArray[np.bool_]:
    """Which sentences each type learns from (one boolean column per type).

    Terms types learn from the terms sentences only (our privacy sentences were never checked for them), less those
    a type is ignored in (training.key_sentences). Privacy types learn from our privacy sentences, with terms
    sentences that do not speak of personal data as extra negatives.
    """
    n_terms = len(terms.sentences)
    n_all = n_terms + (len(privacy.sentences) if privacy else 0)
    is_terms = np.arange(n_all) < n_terms
    quiet = np.array([not PRIVACY_WORDS.search(s) for s in terms.sentences] + [True] * (n_all - n_terms))
    ignored = terms.ignored_types()

    def learns(type_id: str) -> NDArray[np.bool_]:
        if type_id not in TERMS_TYPE_IDS:
            privacy_rows: NDArray[np.bool_] = ~is_terms | (is_terms & quiet)
            return privacy_rows
        kept = np.array([type_id not in row for row in ignored] + [False] * (n_all - n_terms))
        terms_rows: NDArray[np.bool_] = is_terms & kept
        return terms_rows

    return np.stack([learns(t) for t in types], axis=1)


def _inner_folds(terms: Dataset, privacy: Dataset | None, folds: int) -> NDArray[np.int64]:
    """A fold number per sentence: CLAUDETTE by document (GroupKFold), privacy examples by their group."""
    numbers = np.zeros(len(terms.sentences), dtype=np.int64)
    for fold, (_, held) in enumerate(GroupKFold(n_splits=folds).split(terms.sentences, groups=terms.groups)):
        numbers[held] = fold
    if privacy is None:
        return numbers
    return np.concatenate([numbers, np.array([g % folds for g in privacy.groups], dtype=np.int64)])


def fit_classifier(
    terms: Dataset, config: TrainingConfig, version: str, privacy: Dataset | None = None
) -> dict[str, Any]:
    """Train on all sentences and return the artefact dict that `Classifier` loads.

    Thresholds (best F1) and confidence calibration come from out-of-fold scores of an inner cross-validation
    whose folds never split a document.
    """
    return fit_stage_one(terms, config, version, privacy).artefact


@dataclass(frozen=True)
class StageOne:
    """The per-sentence model and the out-of-fold scores its inner cross-validation produced on the training data."""

    artefact: dict[str, Any]
    oof: NDArray[
        np.float64
    ]  # (n_sentences, n_types): each from a detector that never saw the sentence's document
    truth: NDArray[np.int8]
    rows: NDArray[np.bool_]
    folds: NDArray[np.int64]


def fit_stage_one(
    terms: Dataset, config: TrainingConfig, version: str, privacy: Dataset | None = None
) -> StageOne:
    """`fit_classifier`, also returning the inner cross-validation's out-of-fold scores (a second stage learns on them)."""
    types = list(TERMS_TYPE_IDS) + (list(PRIVACY_TYPE_IDS) if privacy else [])
    sentences = list(terms.sentences) + (list(privacy.sentences) if privacy else [])
    labels = list(terms.labels) + (list(privacy.labels) if privacy else [])
    vectorizer = make_vectorizer(config)
    features = sparse.csr_matrix(vectorizer.fit_transform(sentences))
    truth = label_matrix(labels, types)
    rows = _training_rows(terms, privacy, types)
    folds = _inner_folds(terms, privacy, config.inner_folds)

    # The vectorizer is shared across inner folds: it sees no labels, so sharing it leaks nothing they score.
    oof = np.zeros(truth.shape)
    # With average_inner, the inner detectors' running sum (kept only then: a weight matrix per fold is large).
    inner_sum: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
    for fold in range(config.inner_folds):
        coef, intercept = _detectors(features, truth, rows & (folds != fold)[:, None], config)
        held = folds == fold
        oof[held] = np.asarray(features[held] @ coef) + intercept
        if config.average_inner:
            inner_sum = (
                (coef.astype(np.float64), intercept)
                if inner_sum is None
                else (inner_sum[0] + coef, inner_sum[1] + intercept)
            )
    memory = _add_neighbour_votes(oof, features, vectorizer, truth, folds, len(terms.sentences), config)
    thresholds, calibration = [], []
    for k in range(len(types)):
        scores, truths = oof[rows[:, k], k], truth[rows[:, k], k]
        thresholds.append(best_threshold(list(scores), [bool(v) for v in truths]))
        calibration.append(_platt(scores, truths))

    if inner_sum is not None:
        # Linear detectors averaged are one linear detector, scored on the scale its thresholds were chosen on.
        coef = (inner_sum[0] / config.inner_folds).astype(np.float32)
        intercept = inner_sum[1] / config.inner_folds
    else:
        coef, intercept = _detectors(features, truth, rows, config)
    levels = {}
    for type_id in TERMS_TYPE_IDS:
        seen = [i for i, row in enumerate(terms.labels) if type_id in row]
        levels[type_id] = _level_model(features[seen], [terms.labels[i][type_id] for i in seen], config)
    artefact = {
        "format": ARTEFACT_FORMAT,
        "version": version,
        "types": types,
        # plain data, so prediction needs neither scikit-learn nor SciPy (docs/decisions/0114)
        "features": plain_blocks(vectorizer),
        "coef": coef,
        "intercept": intercept,
        "thresholds": np.array(thresholds),
        "calibration": np.array(calibration),
        "levels": levels,
        "config": config.as_dict(),
    }
    if memory is not None:
        artefact["neighbours"] = memory
    return StageOne(artefact, oof, truth, rows, folds)


def _add_neighbour_votes(
    oof: NDArray[np.float64],
    features: sparse.csr_matrix,
    vectorizer: FeatureUnion,
    truth: NDArray[np.int8],
    folds: NDArray[np.int64],
    n_terms: int,
    config: TrainingConfig,
) -> dict[str, Any] | None:
    """Add the nearest-sentence vote to the terms types' out-of-fold scores (each terms sentence voted on by the
    terms sentences of the other inner folds, as its detector score came from them) and return the memory of all
    terms sentences for the artefact; None when the configuration has no vote (decision 0190)."""
    if not config.neighbours:
        return None
    columns = word_columns(vectorizer, features[:n_terms], config.neighbour_max_df)
    words = word_rows(features[:n_terms], columns)
    terms_columns = list(range(len(TERMS_TYPE_IDS)))  # the terms types come first in `types`
    labels = truth[:n_terms, terms_columns]
    for fold in range(config.inner_folds):
        held = np.flatnonzero(folds[:n_terms] == fold)
        others = folds[:n_terms] != fold
        votes = neighbour_votes(
            words[held], words[others], labels[others], config.neighbours, config.neighbour_power
        )
        oof[np.ix_(held, terms_columns)] += config.neighbour_weight * votes
    return plain_memory(
        words,
        labels,
        columns,
        terms_columns,
        config.neighbours,
        config.neighbour_power,
        config.neighbour_weight,
    )
