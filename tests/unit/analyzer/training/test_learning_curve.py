"""The learning curve's draws, fits and extrapolation (training.learning_curve)."""

from __future__ import annotations

import math

import pytest
from training.build import training_set
from training.evaluate import outer_folds
from training.learning_curve import (
    Point,
    Task,
    documents_for,
    doubling_gain,
    drawn,
    run_task,
    saturating_fit,
)

from .inner import SMALL

DATASET = training_set()


def test_the_folds_are_the_evaluations_and_hold_out_every_document_once() -> None:
    """Five folds whose held-out documents partition the corpus, each trained on the rest."""
    splits = outer_folds(DATASET)
    held = sorted(d for _, test in splits for d in test)
    assert held == list(range(len(DATASET.document_names)))
    for train, test in splits:
        assert sorted(train + test) == held


def test_a_draw_is_a_fixed_subset_of_the_folds_training_documents() -> None:
    """The same task draws the same documents on every run; another draw or size draws others; the full size takes
    the fold's documents as they are."""
    train, _ = outer_folds(DATASET)[0]
    first = drawn(train, Task(0, 7, 0))
    assert first == drawn(train, Task(0, 7, 0))
    assert len(first) == 7
    assert set(first) <= set(train)
    assert first != drawn(train, Task(0, 7, 1))
    assert set(first) != set(drawn(train, Task(1, 7, 0)))
    assert drawn(train, Task(0, len(train), 0)) == train


def test_a_fit_on_a_draw_scores_every_sentence_of_the_held_out_documents() -> None:
    """One task's gold tags and predictions cover the fold's held-out sentences, one prediction each."""
    task, gold, predicted = run_task(Task(0, 3, 0), DATASET, outer_folds(DATASET)[0], None, SMALL)
    _, test = outer_folds(DATASET)[0]
    expected = DATASET.subset(test)
    assert task == Task(0, 3, 0)
    assert gold == list(expected.labels)
    assert len(predicted) == len(expected.sentences)


def test_the_gain_per_doubling_and_the_documents_a_target_takes() -> None:
    """Points on a line in log2(n) give back its slope and intercept; the target is reached where the line says, and
    never by a flat curve."""
    points = [Point(n, 0, 0.5 + 0.05 * math.log2(n / 4), 0.4) for n in (4, 8, 16, 32)]
    slope, intercept = doubling_gain(points, "any_level")
    assert slope == pytest.approx(0.05)
    assert intercept == pytest.approx(0.4)
    assert documents_for(0.6, slope, intercept) == pytest.approx(16)
    flat_slope, flat_intercept = doubling_gain(points, "unfair")
    assert documents_for(0.82, flat_slope, flat_intercept) == math.inf


def test_a_saturating_curve_through_the_points_gives_back_its_level() -> None:
    """Points on a − b·n^(−c) give back a, b and c: the level the curve approaches."""
    points = [Point(n, 0, 0.7 - 1.5 * n**-1.0, 0.6 - 1.5 * n**-1.0) for n in (7, 14, 21, 28)]
    fitted = saturating_fit(points, "any_level")
    assert fitted is not None
    assert fitted == pytest.approx((0.7, 1.5, 1.0), abs=1e-3)
