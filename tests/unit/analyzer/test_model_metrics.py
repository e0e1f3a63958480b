"""Scoring of the clause classifier: tag parsing, per-type F1 by level, threshold choice."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from training.metrics import (
    best_threshold,
    document_bootstrap,
    macro_f1,
    no_clause_score,
    paired_document_bootstrap,
    score_types,
)

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
@example(rows=[(-10.0, False), (-9.999999999999998, True)])  # adjacent floats: no midpoint between them
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


def _improved(
    gold: list[dict[str, int]], predicted: list[dict[str, int | None]], names: list[str]
) -> list[dict[str, int | None]]:
    """`predicted` with the first missed sentence of every document found."""
    better = list(predicted)
    fixed: set[str] = set()
    for i, (truth, guess, name) in enumerate(zip(gold, predicted, names, strict=True)):
        if name not in fixed and truth and not guess:
            better[i] = dict(truth)
            fixed.add(name)
    return better


def test_paired_bootstrap_of_a_run_against_itself_is_zero() -> None:
    """The same predictions twice: no difference, a zero-width interval, B never higher."""
    gold, predicted, names = _documents({f"doc{i}": (i % 4, 3) for i in range(8)})
    paired = paired_document_bootstrap(gold, predicted, predicted, names, ["arbitration"])
    assert (paired.difference, paired.low, paired.high, paired.share_better) == (0.0, 0.0, 0.0, 0.0)


def test_paired_bootstrap_gives_the_pooled_difference_and_excludes_zero_for_a_consistent_gain() -> None:
    """B finds one more sentence in every document: its point difference is the two pooled macro-F1s apart, and B is
    higher in every resample, so the interval lies above 0."""
    gold, predicted, names = _documents({f"doc{i}": (i % 4, 3) for i in range(8)})
    better = _improved(gold, predicted, names)
    paired = paired_document_bootstrap(gold, predicted, better, names, ["arbitration"])
    pooled_a = macro_f1(score_types(gold, predicted, ["arbitration"]))
    pooled_b = macro_f1(score_types(gold, better, ["arbitration"]))
    assert paired.difference == pytest.approx(pooled_b - pooled_a)
    assert 0.0 < paired.low <= paired.difference <= paired.high
    assert paired.share_better == 1.0


def test_paired_interval_is_narrower_than_the_separate_intervals_overlap() -> None:
    """Documents of very unlike difficulty make each run's own interval wide, and the two overlap; the paired
    interval of the same small, consistent gain still excludes 0: what the separate intervals cannot show."""
    gold, predicted, names = _documents({f"doc{i}": ((9, 3) if i % 2 else (1, 9)) for i in range(12)})
    better = _improved(gold, predicted, names)
    low_a, high_a = document_bootstrap(gold, predicted, names, ["arbitration"])
    low_b, high_b = document_bootstrap(gold, better, names, ["arbitration"])
    assert low_b < high_a  # the separate intervals overlap
    paired = paired_document_bootstrap(gold, predicted, better, names, ["arbitration"])
    assert paired.low > 0.0
    assert paired.high - paired.low < min(high_a - low_a, high_b - low_b) / 2


def test_paired_bootstrap_refuses_misaligned_predictions() -> None:
    """B must predict the same sentences as A."""
    gold, predicted, names = _documents({"a": (1, 1), "b": (0, 2)})
    with pytest.raises(ValueError, match="differ in length"):
        paired_document_bootstrap(gold, predicted, predicted[:-1], names, ["arbitration"])


def test_no_clause_class_is_a_sentence_without_any_counted_type() -> None:
    """LexGLUE's extra class: gold and prediction have it where none of the types is there at the level counted, so
    a fair tag or a type outside the list leaves a sentence in it."""
    types = ["arbitration", "jurisdiction"]
    gold = [{}, {"arbitration": 2}, {"arbitration": 1}, {"privacy_included": 3}]
    predicted: list[dict[str, int | None]] = [{}, {}, {"jurisdiction": 2}, {"privacy_included": 3}]
    score = no_clause_score(gold, predicted, types, min_level=2)
    assert (score.type_id, score.true_positives, score.false_positives, score.false_negatives) == (
        "none",
        2,
        1,
        1,
    )
