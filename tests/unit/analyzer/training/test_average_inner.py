"""TrainingConfig.average_inner: the shipped detectors are the mean of the inner folds' detectors (decision 0122)."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import sparse
from training.build import model_version, training_set
from training.config import TrainingConfig
from training.fit import (
    _detectors,
    _inner_folds,
    _training_rows,
    fit_stage_one,
    label_matrix,
    make_vectorizer,
)

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS

SMALL = dataclasses.replace(TrainingConfig(), char_ngrams=(3, 4), c_type=1.0, inner_folds=2, n_jobs=1)
AVERAGED = dataclasses.replace(SMALL, average_inner=True)


def test_averaged_detectors_are_the_mean_of_the_inner_folds_detectors() -> None:
    """With the setting on, each type's weights and intercept are the mean of the two inner detectors fitted on the
    same folds, computed here independently; the thresholds are the same as without it (same out-of-fold scores)."""
    terms = training_set().subset([0, 1, 2, 3])
    averaged = fit_stage_one(terms, AVERAGED, "avg")
    full = fit_stage_one(terms, SMALL, "full")

    vectorizer = make_vectorizer(SMALL)
    features = sparse.csr_matrix(vectorizer.fit_transform(list(terms.sentences)))
    truth = label_matrix(list(terms.labels), list(TERMS_TYPE_IDS))
    rows = _training_rows(terms, None, list(TERMS_TYPE_IDS))
    folds = _inner_folds(terms, None, 2)
    inner = [_detectors(features, truth, rows & (folds != fold)[:, None], SMALL) for fold in range(2)]

    np.testing.assert_allclose(
        averaged.artefact["coef"], (inner[0][0] + inner[1][0]) / 2, rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(averaged.artefact["intercept"], (inner[0][1] + inner[1][1]) / 2, rtol=1e-6)
    np.testing.assert_array_equal(averaged.artefact["thresholds"], full.artefact["thresholds"])
    assert not np.allclose(averaged.artefact["coef"], full.artefact["coef"])


def test_the_setting_hashes_only_when_on() -> None:
    """Off (the default), the configuration and so every shipped model version hash as before the setting existed."""
    assert "average_inner" not in TrainingConfig().as_dict()
    assert AVERAGED.as_dict()["average_inner"] is True
    data = [training_set()]
    assert model_version(data, SMALL) != model_version(data, AVERAGED)
