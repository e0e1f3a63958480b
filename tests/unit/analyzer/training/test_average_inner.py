"""TrainingConfig.average_inner: the shipped detectors are the mean of the inner folds' detectors (decision 0122)."""

from __future__ import annotations

import dataclasses

import numpy as np
from training.build import model_version, training_set
from training.config import TrainingConfig
from training.fit import (
    _detectors,
    fit_stage_one,
)

from tests.unit.analyzer.training.inner import SMALL, inner

AVERAGED = dataclasses.replace(SMALL, average_inner=True)


def test_averaged_detectors_are_the_mean_of_the_inner_folds_detectors() -> None:
    """With the setting on, each type's weights and intercept are the mean of the two inner detectors fitted on the
    same folds, computed here independently; the thresholds are the same as without it (same out-of-fold scores)."""
    terms = training_set().subset([0, 1, 2, 3])
    averaged = fit_stage_one(terms, AVERAGED, "avg")
    full = fit_stage_one(terms, SMALL, "full")

    setup = inner(terms, SMALL)
    detectors = [
        _detectors(setup.features, setup.truth, setup.rows & (setup.folds != fold)[:, None], SMALL)
        for fold in range(2)
    ]

    np.testing.assert_allclose(
        averaged.artefact["coef"], (detectors[0][0] + detectors[1][0]) / 2, rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        averaged.artefact["intercept"], (detectors[0][1] + detectors[1][1]) / 2, rtol=1e-6
    )
    np.testing.assert_array_equal(averaged.artefact["thresholds"], full.artefact["thresholds"])
    assert not np.allclose(averaged.artefact["coef"], full.artefact["coef"])


def test_the_setting_hashes_only_when_on() -> None:
    """Off (the default), the configuration and so every shipped model version hash as before the setting existed."""
    assert "average_inner" not in TrainingConfig().as_dict()
    assert AVERAGED.as_dict()["average_inner"] is True
    data = [training_set()]
    assert model_version(data, SMALL) != model_version(data, AVERAGED)
