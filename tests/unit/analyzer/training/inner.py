"""What the inner cross-validation of `fit_stage_one` works on, rebuilt outside it so tests can recompute its steps."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from training.config import TrainingConfig
from training.dataset import Dataset
from training.fit import _inner_folds, _training_rows, label_matrix, make_vectorizer

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS

# A small, fast configuration: two inner folds, short character n-grams, no nearest-sentence vote.
SMALL = dataclasses.replace(
    TrainingConfig(), char_ngrams=(3, 4), c_type=1.0, inner_folds=2, n_jobs=1, neighbours=0
)


@dataclass(frozen=True)
class Inner:
    """The vectorizer fitted on the terms sentences, their features, labels, training rows and inner folds."""

    vectorizer: Any
    features: sparse.csr_matrix
    truth: NDArray[np.int8]
    rows: NDArray[np.bool_]
    folds: NDArray[np.int64]


def inner(terms: Dataset, config: TrainingConfig) -> Inner:
    """The inner cross-validation's inputs for `terms` alone (no privacy examples)."""
    vectorizer = make_vectorizer(config)
    return Inner(
        vectorizer=vectorizer,
        features=sparse.csr_matrix(vectorizer.fit_transform(list(terms.sentences))),
        truth=label_matrix(list(terms.labels), list(TERMS_TYPE_IDS)),
        rows=_training_rows(terms, None, list(TERMS_TYPE_IDS)),
        folds=_inner_folds(terms, None, config.inner_folds),
    )
