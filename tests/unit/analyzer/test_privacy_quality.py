"""Quality of the privacy (OPP-115 category) rules on the team's labelled segments, per unit as `--lines` scores."""

from __future__ import annotations

from pathlib import Path

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.evaluation import TypeScore, macro_f1, read_units, score

DATA = Path(__file__).parent / "data" / "privacy_segments.jsonl"
OPP_STYLE = Path(__file__).parent / "data" / "privacy_segments_opp_style.jsonl"
REAL2 = Path(__file__).parent / "data" / "privacy_segments_real2.jsonl"
REAL3_DEV = Path(__file__).parent / "data" / "privacy_segments_real3_dev.jsonl"
REAL4 = Path(__file__).parent / "data" / "privacy_segments_real4.jsonl"
REAL5 = Path(__file__).parent / "data" / "privacy_segments_real5.jsonl"
REAL6 = Path(__file__).parent / "data" / "privacy_segments_real6.jsonl"
REAL7 = Path(__file__).parent / "data" / "privacy_segments_real7.jsonl"
REAL8 = Path(__file__).parent / "data" / "privacy_segments_real8.jsonl"
REAL9 = Path(__file__).parent / "data" / "privacy_segments_real9.jsonl"
OPP_STYLE2 = Path(__file__).parent / "data" / "privacy_segments_opp_style2.jsonl"
OPP_STYLE4 = Path(__file__).parent / "data" / "privacy_segments_opp_style4.jsonl"
OPP_STYLE3 = Path(__file__).parent / "data" / "privacy_segments_opp_style3.jsonl"
PRIVACY = [
    "first_party_collection", "third_party_sharing", "user_choice_control", "user_access_deletion",
    "data_retention", "data_security", "policy_change", "do_not_track", "specific_audiences",
]  # fmt: skip


def _privacy_scores(
    path: Path, split: str | None = None, *, only_labelled: bool = False
) -> dict[str, TypeScore]:
    rows = [r for r in read_units(path) if split is None or r["split"] == split]
    results = assess_units([r["text"] for r in rows], build_engine(use_model=False), Context())
    types = [t for t in PRIVACY if any(t in r["labels"] for r in rows)] if only_labelled else PRIVACY
    return score([r["labels"] for r in rows], [r.clause_types for r in results], types)


def _assert_floor(path: Path, floor: float, n_types: int = 8) -> None:
    """The file's macro-F1 over the categories it labels (`n_types` of them) is at least `floor`."""
    scores = _privacy_scores(path, only_labelled=True)
    assert len(scores) == n_types, sorted(scores)
    assert macro_f1(scores) >= floor, {t: round(s.f1, 3) for t, s in scores.items()}


def test_privacy_rules_reach_the_macro_f1_target_on_labelled_segments() -> None:
    """Rules alone score macro-F1 >= 0.90 over the nine OPP-115 categories, and each category F1 >= 0.6.

    Dev data for every tuning round; 0.890 after decision 0100 (0.879 before), 0.901 after decision 0101: a
    regression guard, not a claim.
    """
    scores = _privacy_scores(DATA)
    assert macro_f1(scores) >= 0.90, {t: round(s.f1, 3) for t, s in scores.items()}
    assert all(s.f1 >= 0.6 for s in scores.values()), {t: round(s.f1, 3) for t, s in scores.items()}


def test_privacy_rules_hold_on_our_opp_style_segments() -> None:
    """On the 2015-style segments (decision 0093) macro-F1 stays >= 0.96 over all 156 and >= 0.94 on `test`.

    First runs before any tuning on the file: all 0.807, test 0.821 (the honest figures). Both splits are dev data
    since decision 0098; decision 0100 tuned on them too (all 0.925 -> 0.961, test 0.875 -> 0.943), and the floors
    sit just under the tuned figures (after decision 0101: all 0.962, test 0.945): a regression guard, not a claim
    about unseen text.
    """
    for split, floor in ((None, 0.96), ("test", 0.94)):
        scores = _privacy_scores(OPP_STYLE, split)
        assert macro_f1(scores) >= floor, (split, {t: round(s.f1, 3) for t, s in scores.items()})


def test_privacy_rules_hold_on_the_second_sample_of_real_policies() -> None:
    """On the 121 paragraphs of real policies (decision 0094) macro-F1 stays >= 0.86.

    Held-out first run: 0.749 (the honest figure). Dev data since decision 0098, which tuned the rules on it (0.774
    -> 0.827); decision 0100 took it to 0.852, 955b9a3 to 0.855 and decision 0101 to 0.861, and the floor sits just
    under that: a regression guard, not a claim.
    """
    scores = _privacy_scores(REAL2)
    assert macro_f1(scores) >= 0.86, {t: round(s.f1, 3) for t, s in scores.items()}


def test_collection_rules_find_field_lists_and_purposes_in_real_paragraphs() -> None:
    """On the 80 dev paragraphs of real policies (decision 0095) collection keeps F1 >= 0.88 and recall >= 0.94.

    The rules were tuned on this file (first run: F1 0.677, recall 0.618; after 0095: 0.848, 0.824; after 0100:
    0.889, 0.941), so the floor guards the field-list, heading and purpose rules against regressions; it says
    nothing about unseen text.
    """
    collection = _privacy_scores(REAL3_DEV)["first_party_collection"]
    assert collection.f1 >= 0.88, collection
    assert collection.recall >= 0.94, collection


def test_sharing_audience_access_and_retention_rules_hold_on_real_paragraphs() -> None:
    """On the 80 dev paragraphs of real policies (decision 0096) the four weak categories keep their tuned F1.

    Tuned on this file (before: sharing 0.452, audiences 0.556, access 0.533, retention 0.545; after: 0.774, 0.947,
    0.923, 0.923; sharing 0.812 after decision 0101): a regression guard for the transfer, "you access or use" and
    retention-period rules, not a claim.
    """
    scores = _privacy_scores(REAL3_DEV)
    floors = {
        "third_party_sharing": 0.81,
        "specific_audiences": 0.94,
        "user_access_deletion": 0.92,
        "data_retention": 0.92,
    }
    assert all(scores[t].f1 >= floor for t, floor in floors.items()), {
        t: round(scores[t].f1, 3) for t in floors
    }


def test_privacy_rules_hold_on_the_fourth_sample_of_real_policies() -> None:
    """On the 77 paragraphs of real policies (decision 0097) macro-F1 stays >= 0.92.

    Measured once while held out, before any rule was looked at with the file: 0.610 (the honest figure; no Do Not
    Track paragraph was drawn, so the macro is over the 8 labelled categories, as `clausewatch_analyzer.evaluation`
    scores it). Dev data since decision 0098 (0.610 -> 0.848); decision 0100 took it to 0.925, and the floor sits
    just under that: a regression guard, not a claim.
    """
    _assert_floor(REAL4, 0.92)


def test_privacy_rules_hold_on_the_fifth_sample_of_real_policies() -> None:
    """On the 80 paragraphs of real policies (decision 0099) macro-F1 stays >= 0.90.

    Drawn and labelled while the rules of decision 0098 were being written, by someone who did not see them, and
    scored once after they were frozen: 0.654 over the 8 labelled categories (the honest figure; 0.607 with the
    session's starting rules). Dev data since decision 0100, which tuned the rules on its errors (0.654 -> 0.902);
    the floor sits just under that: a regression guard, not a claim.
    """
    _assert_floor(REAL5, 0.90)


def test_privacy_rules_hold_on_the_sixth_sample_of_real_policies() -> None:
    """On the 80 paragraphs of real policies (README, real6) macro-F1 stays >= 0.93.

    Labelled blind and scored once before any rule was looked at with the file: 0.731 over the 8 labelled categories
    (the honest figure). Dev data since decision 0101, which tuned the rules on its errors (0.731 -> 0.933); the
    floor sits just under that: a regression guard, not a claim about unseen text.
    """
    _assert_floor(REAL6, 0.93)


def test_privacy_rules_hold_on_the_seventh_sample_of_real_policies() -> None:
    """On the 65 paragraphs of real policies (README, real7) macro-F1 stays >= 0.93.

    Labelled blind and scored once with decision 0101's rules before anyone read its errors: 0.786 over the 8
    labelled categories (the honest figure). Dev data since decision 0103, which tuned the rules on its errors (0.786
    -> 0.934); the floor sits just under that: a regression guard, not a claim about unseen text.
    """
    _assert_floor(REAL7, 0.93)


def test_privacy_rules_hold_on_the_eighth_real_policy_sample() -> None:
    """On the 68 paragraphs of real policies (README, real8) macro-F1 stays >= 0.85.

    Labelled blind and scored once with decision 0103's rules before anyone read its errors: 0.739 over the 8
    labelled categories (the honest figure). Dev data since decision 0104, which tuned the rules on its errors (0.739
    -> 0.862); the floor sits just under that: a regression guard, not a claim about unseen text.
    """
    _assert_floor(REAL8, 0.85)


def test_privacy_rules_reach_the_target_on_the_held_out_ninth_sample() -> None:
    """On the 65 held-out paragraphs of real policies (README, real9) macro-F1 stays >= 0.79 (target 0.75).

    Labelled blind and scored once with decision 0104's rules: 0.798 over the 8 labelled categories. Nobody has
    read its errors; the floor only guards the held-out figure against later rule changes (a change that fails it
    must be reconsidered, not tuned against the file, which would make it dev data).
    """
    _assert_floor(REAL9, 0.79)


def test_privacy_rules_hold_on_the_second_opp_style_sample() -> None:
    """On the 142 2015-style segments written blind (README, opp_style2) macro-F1 stays >= 0.95 over all nine.

    Blind first run 0.844 (the honest figure); 0.960 after decision 0106 tuned on it: a regression guard.
    """
    _assert_floor(OPP_STYLE2, 0.95, n_types=9)


def test_privacy_rules_reach_the_target_on_the_held_out_fourth_opp_style_sample() -> None:
    """On the 125 held-out 2015-style segments (README, opp_style4) macro-F1 stays >= 0.76 over all nine (target 0.75).

    Blind first run 0.773 with session 7's final rules (0.752 with its starting rules). Still held out: no rule was
    written on it, so a drop below the floor means a rule change hurt unseen text.
    """
    _assert_floor(OPP_STYLE4, 0.76, n_types=9)


def test_score_counts_true_and_false_positives_per_type() -> None:
    """Precision, recall and F1 follow from the counts; a type never predicted scores 0."""
    scores = score([["a"], ["a", "b"], []], [["a"], ["b"], ["a"]], ["a", "b", "c"])
    assert (scores["a"].tp, scores["a"].fp, scores["a"].fn) == (1, 1, 1)
    assert scores["a"].f1 == 0.5
    assert scores["b"].f1 == 1.0
    assert scores["c"].f1 == 0.0


def test_privacy_rules_hold_on_the_third_opp_style_sample() -> None:
    """On the 141 2015-style segments written blind (README, opp_style3) macro-F1 stays >= 0.92 over all nine.

    Blind first run 0.783 (the honest figure; 0.764 with the rules of the session start); 0.939 after decision 0109
    tuned on it: a regression guard, not a measure of unseen text.
    """
    _assert_floor(OPP_STYLE3, 0.92, n_types=9)


def test_content_you_upload_when_accessing_the_service_is_no_access_right() -> None:
    """Qwen's "personal data that you provide or upload when accessing or using our Services, including your prompts
    and other content" read as "Access, correction and deletion" (demo, session 17): "access or use" was excluded,
    "accessing or using" was not. A user's right to access their data still reads as one."""
    engine = build_engine(use_model=False)
    upload, right = assess_units(
        [
            "We may collect personal data that you provide or upload when accessing or using our Services, "
            "including your prompts and other content you upload.",
            "You can access and download a copy of your content and account data at any time.",
        ],
        engine,
        Context(),
    )
    assert "user_access_deletion" not in upload.clause_types
    assert "first_party_collection" in upload.clause_types
    assert "user_access_deletion" in right.clause_types


def test_a_law_as_retained_in_uk_law_is_no_retention_provision() -> None:
    """eharmony's "in accordance with the UK GDPR (as retained in UK law through Section 3 of the European Union
    (Withdrawal) Act 2018 …)" read as "Data retention" (demo, session 17). Keeping data still does."""
    engine = build_engine(use_model=False)
    law, kept = assess_units(
        [
            "Our data processing activities are carried out in accordance with the UK GDPR (as retained in UK law "
            "through Section 3 of the European Union (Withdrawal) Act 2018).",
            "We retain your messages for 30 days after you close your account.",
        ],
        engine,
        Context(),
    )
    assert "data_retention" not in law.clause_types
    assert "data_retention" in kept.clause_types


def test_data_we_obtain_when_you_sign_in_with_another_account_is_no_access_right() -> None:
    """eharmony's "If you do this, we will obtain the data required for registration … from Google" read as "Access,
    correction and deletion" (demo, session 17): the rule took "you" as the subject of "obtain". A user who may
    request that we delete their data still reads as one."""
    engine = build_engine(use_model=False)
    sign_in, request = assess_units(
        [
            "We give you the option to log in using your Google account. If you do this, we will obtain the data "
            "required for registration from Google.",
            "You may request that we delete the personal information we hold about you.",
        ],
        engine,
        Context(),
    )
    assert "user_access_deletion" not in sign_in.clause_types
    assert "user_access_deletion" in request.clause_types
