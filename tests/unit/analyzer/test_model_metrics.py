"""Scoring of the clause classifier: tag parsing, per-type F1 by level, threshold choice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from training.metrics import best_threshold, document_bootstrap, macro_f1, score_types

from clausewatch_analyzer.model.labels import parse_tags


def test_parse_tags_maps_codes_and_drops_unknown() -> None:
    """CLAUDETTE tags become taxonomy ids with levels; tags outside the scheme are dropped."""
    assert parse_tags("ltd2 ter3 countrym ") == {"limitation_of_liability": 2, "unilateral_termination": 3}
    assert parse_tags("a1 pinc2") == {"arbitration": 1, "privacy_included": 2}
    assert parse_tags("") == {}


def test_unfair_only_counts_levels_two_and_three() -> None:
    """With min_level=2 a fair (level 1) gold tag or prediction counts as absent."""
    gold = [{"jurisdiction": 1}, {"jurisdiction": 3}, {}]
    predicted: list[dict[str, int | None]] = [{"jurisdiction": 3}, {"jurisdiction": 1}, {}]
    [any_level] = score_types(gold, predicted, ["jurisdiction"], min_level=1)
    [unfair] = score_types(gold, predicted, ["jurisdiction"], min_level=2)
    assert (any_level.true_positives, any_level.false_positives, any_level.false_negatives) == (2, 0, 0)
    assert (unfair.true_positives, unfair.false_positives, unfair.false_negatives) == (0, 1, 1)
    assert unfair.f1 == 0.0


def test_macro_f1_is_the_unweighted_mean() -> None:
    """Macro-F1 averages per-type F1 whatever the number of sentences of each type."""
    gold = [{"arbitration": 2}, {"jurisdiction": 1}, {"jurisdiction": 1}]
    predicted: list[dict[str, int | None]] = [{"arbitration": 2}, {}, {"jurisdiction": 1}]
    scores = score_types(gold, predicted, ["arbitration", "jurisdiction"])
    assert [round(s.f1, 4) for s in scores] == [1.0, 0.6667]
    assert macro_f1(scores) == pytest.approx((1.0 + 2 / 3) / 2)


def test_best_threshold_separates_separable_scores() -> None:
    """When scores separate the classes, the threshold lies between the two groups."""
    threshold = best_threshold([0.1, 0.2, 0.8, 0.9], [False, False, True, True])
    assert 0.2 < threshold < 0.8


@given(
    st.lists(st.tuples(st.floats(-10, 10, allow_nan=False), st.booleans()), min_size=1, max_size=40).filter(
        lambda rows: any(t for _, t in rows)
    )
)
def test_best_threshold_is_at_least_as_good_as_any_score_cut(rows: list[tuple[float, bool]]) -> None:
    """No cut at an observed score gives a higher F1 than the chosen threshold."""
    scores, truth = [s for s, _ in rows], [t for _, t in rows]

    def f1(cut: float) -> float:
        tp = sum(s >= cut and t for s, t in rows)
        return 2 * tp / (sum(s >= cut for s in scores) + sum(truth))

    chosen = f1(best_threshold(scores, truth))
    assert all(chosen >= f1(cut) - 1e-12 for cut in scores)


def _documents(
    quality: dict[str, tuple[int, int]],
) -> tuple[list[dict[str, int]], list[dict[str, int | None]], list[str]]:
    """Per document name, (sentences found, sentences missed) of one arbitration tag each."""
    gold: list[dict[str, int]] = []
    predicted: list[dict[str, int | None]] = []
    names: list[str] = []
    for name, (found, missed) in quality.items():
        for i in range(found + missed):
            gold.append({"arbitration": 2})
            predicted.append({"arbitration": 2} if i < found else {})
            names.append(name)
    return gold, predicted, names


def test_document_bootstrap_is_a_point_when_every_document_scores_alike() -> None:
    """Documents that all score F1 2/3 (one found, one missed) give the interval 2/3–2/3."""
    gold, predicted, names = _documents({f"doc{i}": (1, 1) for i in range(6)})
    low, high = document_bootstrap(gold, predicted, names, ["arbitration"])
    assert low == pytest.approx(2 / 3)
    assert high == pytest.approx(2 / 3)


def test_document_bootstrap_spreads_with_unlike_documents_and_holds_the_pooled_figure() -> None:
    """Half the documents perfect, half all missed: the interval is wide, inside 0–1, holds the pooled F1, and the
    same seed draws the same interval."""
    gold, predicted, names = _documents({f"doc{i}": ((4, 0) if i % 2 else (0, 4)) for i in range(10)})
    pooled = macro_f1(score_types(gold, predicted, ["arbitration"]))
    low, high = document_bootstrap(gold, predicted, names, ["arbitration"])
    assert 0.0 <= low < pooled < high <= 1.0
    assert high - low > 0.2
    assert document_bootstrap(gold, predicted, names, ["arbitration"]) == (low, high)


def test_document_bootstrap_refuses_misaligned_inputs() -> None:
    """One document name per sentence, or a clear error."""
    gold, predicted, names = _documents({"a": (1, 0), "b": (0, 1)})
    with pytest.raises(ValueError, match="differ in length"):
        document_bootstrap(gold, predicted, names[:-1], ["arbitration"])
