"""The NB-scaled second detector (training.fit._with_nb_view, TrainingConfig.nb_c): one linear model in the end."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from training.build import model_version, training_set
from training.config import TrainingConfig
from training.fit import fit_detector

PLAIN = dataclasses.replace(TrainingConfig(), c_type=1.0, n_jobs=1)
WITH_NB = dataclasses.replace(PLAIN, nb_c=1.0)


def _data() -> tuple[sparse.csr_matrix, np.ndarray]:
    """Forty sentences of six binary features; the first feature marks the positives, most of the time."""
    generator = np.random.default_rng(7)
    dense = (generator.random((40, 6)) < 0.4).astype(np.float32)
    truth = (generator.random(40) < 0.3).astype(np.int8)
    dense[:, 0] = np.where(generator.random(40) < 0.85, truth, 1 - truth)
    return sparse.csr_matrix(dense), truth


def _scores(model: LogisticRegression, features: sparse.csr_matrix) -> np.ndarray:
    return np.asarray(features @ model.coef_.ravel()).ravel() + model.intercept_[0]


def test_without_nb_c_the_detector_is_the_plain_logistic_model() -> None:
    """nb_c None (the shipped default) leaves fit_detector's model exactly as liblinear fitted it."""
    features, truth = _data()
    model = fit_detector(features, truth, PLAIN)
    reference = LogisticRegression(
        C=1.0, class_weight="balanced", solver="liblinear", random_state=PLAIN.seed, max_iter=5000
    ).fit(features, truth)
    assert np.array_equal(model.coef_, reference.coef_)


def test_the_combined_detector_is_the_sum_of_both_standardised_detectors() -> None:
    """Its scores equal plain/spread + nb/spread, where the NB detector learns on features times their log-count
    ratio, computed here from the definition."""
    features, truth = _data()
    combined = fit_detector(features, truth, WITH_NB)
    plain = fit_detector(features, truth, PLAIN)

    present = features.toarray() > 0
    positive = 1 + present[truth == 1].sum(axis=0)
    negative = 1 + present[truth == 0].sum(axis=0)
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    nb = LogisticRegression(
        C=1.0, class_weight="balanced", solver="liblinear", random_state=PLAIN.seed, max_iter=5000
    ).fit(sparse.csr_matrix(features.toarray() * ratio), truth)
    nb_scores = np.asarray(features @ (nb.coef_.ravel() * ratio)).ravel() + nb.intercept_[0]
    plain_scores = _scores(plain, features)
    plain_spread = np.std(plain_scores - plain.intercept_[0])
    nb_spread = np.std(nb_scores - nb.intercept_[0])
    expected = plain_scores / plain_spread + nb_scores / nb_spread

    assert combined.coef_.shape == (1, features.shape[1])
    np.testing.assert_allclose(_scores(combined, features), expected, rtol=1e-5, atol=1e-6)
    # the marking feature dominates both views, so it dominates their sum
    assert int(np.argmax(combined.coef_.ravel())) == 0


def test_the_setting_hashes_only_when_on() -> None:
    """Off, the configuration (and so every shipped model version) hashes as before the setting existed."""
    assert "nb_c" not in TrainingConfig().as_dict()
    assert WITH_NB.as_dict()["nb_c"] == 1.0
    data = [training_set()]
    assert model_version(data, PLAIN) != model_version(data, WITH_NB)
