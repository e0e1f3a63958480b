"""The context stage's features (training.context_features): a pure function of a sequence of stage-one margins."""

from __future__ import annotations

import numpy as np
from training.context_features import ABSENT, context_features, feature_names
from training.context_quick import sequence_features


def _named(features: np.ndarray, row: int, column: int) -> dict[str, float]:
    return dict(zip(feature_names(features.shape[1]), features[row, column].tolist(), strict=True))


def test_neighbours_window_and_runs() -> None:
    """Own, previous and next margins, the window around a line (itself left out) and its run of high lines."""
    margins = np.array([[-3.0, 1.0], [2.0, 0.5], [1.5, -2.0], [-4.0, -4.0]])
    features = context_features(margins, np.array([10.0, 20.0, 30.0, 40.0]), window=2, floor=-1.0)
    assert features.shape == (4, 2, len(feature_names(2)))
    second = _named(features, 1, 0)
    assert (second["own"], second["previous"], second["next"]) == (2.0, -3.0, 1.5)
    assert second["window_max"] == 1.5
    assert np.isclose(second["window_mean"], (-3.0 + 1.5 - 4.0) / 3)
    assert second["first_of_run"] == 1.0
    assert second["log_run_length"] == np.log1p(2)
    assert second["own_other_0"] == 0.5
    third = _named(features, 2, 0)
    assert third["first_of_run"] == 0.0
    assert third["log_index_in_run"] == np.log1p(1)
    assert third["share_higher_in_window"] == 1 / 3


def test_isolated_line_reads_its_neighbours_as_absent() -> None:
    """A line alone has no neighbours: they read as ABSENT and the window is empty."""
    features = context_features(np.array([[0.5, -1.0]]), np.array([12.0]), window=3, floor=-1.0)
    alone = _named(features, 0, 0)
    assert alone["previous"] == alone["next"] == alone["window_max"] == ABSENT
    assert alone["has_previous"] == alone["has_next"] == 0.0
    assert alone["share_higher_in_window"] == 0.0
    assert context_features(np.zeros((0, 2)), np.zeros(0), window=3, floor=-1.0).shape == (
        0,
        2,
        len(feature_names(2)),
    )


def test_sequences_never_cross_documents() -> None:
    """Each document is its own sequence: the first line of the second has no previous line."""
    margins = np.array([[1.0], [2.0], [3.0]])
    features = sequence_features(margins, np.array([0, 0, 1]), np.ones(3), window=1, floor=-1.0)
    assert features[1, 0, 1] == 1.0  # previous of line 2 is line 1, same document
    assert features[2, 0, 1] == ABSENT
