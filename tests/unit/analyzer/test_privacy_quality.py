"""Quality of the privacy (OPP-115 category) rules on the team's labelled segments, per unit as `--lines` scores."""

from __future__ import annotations

import json
from pathlib import Path

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.evaluation import TypeScore, macro_f1, score

DATA = Path(__file__).parent / "data" / "privacy_segments.jsonl"
OPP_STYLE = Path(__file__).parent / "data" / "privacy_segments_opp_style.jsonl"
REAL2 = Path(__file__).parent / "data" / "privacy_segments_real2.jsonl"
REAL3_DEV = Path(__file__).parent / "data" / "privacy_segments_real3_dev.jsonl"
REAL4 = Path(__file__).parent / "data" / "privacy_segments_real4.jsonl"
REAL5 = Path(__file__).parent / "data" / "privacy_segments_real5.jsonl"
PRIVACY = [
    "first_party_collection", "third_party_sharing", "user_choice_control", "user_access_deletion",
    "data_retention", "data_security", "policy_change", "do_not_track", "specific_audiences",
]  # fmt: skip


def _privacy_scores(
    path: Path, split: str | None = None, *, only_labelled: bool = False
) -> dict[str, TypeScore]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if split is None or r["split"] == split]
    results = assess_units([r["text"] for r in rows], build_engine(use_model=False), Context())
    types = [t for t in PRIVACY if any(t in r["labels"] for r in rows)] if only_labelled else PRIVACY
    return score([r["labels"] for r in rows], [r.clause_types for r in results], types)


def test_privacy_rules_reach_the_macro_f1_target_on_labelled_segments() -> None:
    """Rules alone score macro-F1 >= 0.80 over the nine OPP-115 categories, and each category F1 >= 0.6."""
    scores = _privacy_scores(DATA)
    assert macro_f1(scores) >= 0.80, {t: round(s.f1, 3) for t, s in scores.items()}
    assert all(s.f1 >= 0.6 for s in scores.values()), {t: round(s.f1, 3) for t, s in scores.items()}


def test_privacy_rules_hold_on_our_opp_style_segments() -> None:
    """On the 2015-style segments (decision 0093) macro-F1 stays >= 0.80 over all 156 and over the `test` split.

    The floor is the first run's figure before any rule was tuned on the file (all 0.807, test 0.821), not the
    tuned one, so the test guards against regressions without claiming more than was measured on unseen text.
    """
    for split in (None, "test"):
        scores = _privacy_scores(OPP_STYLE, split)
        assert macro_f1(scores) >= 0.80, (split, {t: round(s.f1, 3) for t, s in scores.items()})


def test_privacy_rules_hold_on_the_second_sample_of_real_policies() -> None:
    """On the 121 paragraphs of real policies (decision 0094) macro-F1 stays >= 0.74.

    The floor is just under the first run's figure (0.749, before any rule change after the file was written):
    a guard against regressions, not a claim. Held out until decision 0098, which tuned the rules on it (0.774 ->
    0.827): it is dev data now, and the floor stays at the held-out first run.
    """
    scores = _privacy_scores(REAL2)
    assert macro_f1(scores) >= 0.74, {t: round(s.f1, 3) for t, s in scores.items()}


def test_collection_rules_find_field_lists_and_purposes_in_real_paragraphs() -> None:
    """On the 80 dev paragraphs of real policies (decision 0095) collection keeps F1 >= 0.80 and recall >= 0.80.

    The rules were tuned on this file (first run: F1 0.677, recall 0.618; after: 0.848, 0.824), so the floor guards
    the field-list, heading and purpose rules against regressions; it says nothing about unseen text.
    """
    collection = _privacy_scores(REAL3_DEV)["first_party_collection"]
    assert collection.f1 >= 0.80, collection
    assert collection.recall >= 0.80, collection


def test_sharing_audience_access_and_retention_rules_hold_on_real_paragraphs() -> None:
    """On the 80 dev paragraphs of real policies (decision 0096) the four weak categories keep their tuned F1.

    Tuned on this file (before: sharing 0.452, audiences 0.556, access 0.533, retention 0.545; after: 0.774, 0.947,
    0.923, 0.923): a regression guard for the transfer, "you access or use" and retention-period rules, not a claim.
    """
    scores = _privacy_scores(REAL3_DEV)
    floors = {
        "third_party_sharing": 0.77,
        "specific_audiences": 0.94,
        "user_access_deletion": 0.92,
        "data_retention": 0.92,
    }
    assert all(scores[t].f1 >= floor for t, floor in floors.items()), {
        t: round(scores[t].f1, 3) for t in floors
    }


def test_privacy_rules_hold_on_the_fourth_sample_of_real_policies() -> None:
    """On the 77 paragraphs of real policies (decision 0097) macro-F1 stays >= 0.59.

    Measured once while held out, before any rule was looked at with the file: 0.610 (no Do Not Track paragraph was
    drawn, so the macro is over the 8 labelled categories, as `clausewatch_analyzer.evaluation` scores it). The floor
    sits a little under that figure: a guard against regressions, not a claim. Decision 0098 tuned the rules on the
    file (0.610 -> 0.848): it is dev data now, and the floor stays at the held-out first run.
    """
    scores = _privacy_scores(REAL4, only_labelled=True)
    assert len(scores) == 8, sorted(scores)
    assert macro_f1(scores) >= 0.59, {t: round(s.f1, 3) for t, s in scores.items()}


def test_privacy_rules_hold_on_the_fifth_sample_of_real_policies() -> None:
    """On the 80 held-out paragraphs of real policies (decision 0099) macro-F1 stays >= 0.63.

    Drawn and labelled while the rules of decision 0098 were being written, by someone who did not see them, and
    scored once after they were frozen: 0.654 over the 8 labelled categories (0.607 with the session's starting
    rules). The floor sits a little under that figure: a guard against regressions, not a claim. Never tuned on.
    """
    scores = _privacy_scores(REAL5, only_labelled=True)
    assert len(scores) == 8, sorted(scores)
    assert macro_f1(scores) >= 0.63, {t: round(s.f1, 3) for t, s in scores.items()}


def test_score_counts_true_and_false_positives_per_type() -> None:
    """Precision, recall and F1 follow from the counts; a type never predicted scores 0."""
    scores = score([["a"], ["a", "b"], []], [["a"], ["b"], ["a"]], ["a", "b", "c"])
    assert (scores["a"].tp, scores["a"].fp, scores["a"].fn) == (1, 1, 1)
    assert scores["a"].f1 == 0.5
    assert scores["b"].f1 == 1.0
    assert scores["c"].f1 == 0.0
