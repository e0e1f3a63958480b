"""Quality of the AI and governance types' rules on our blind-labelled sentences, per unit as `--lines` scores.

The files were labelled blind and scored once before any rule was written on them (first runs in
tests/unit/analyzer/data/README.md); decision 0105 then tuned the rules on their errors, so the floors below are
regression guards on dev data, not claims about unseen text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from training.own_terms import invented_terms_files, own_terms_files

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.evaluation import TypeScore, macro_f1, read_units, score

GOVERNANCE = Path(__file__).parent / "data" / "governance_sentences_gov.jsonl"
# Decision 0110 tuned the five types' rules in two rounds, each on four invented documents of its batch; three of
# each of those batches, and the whole third batch (written after the rounds), stay held out. The documents written
# later (0111) were never tuned on either.
INVENTED_DEV = (
    "quarrystone",
    "reelhaven",
    "cognita",
    "kindred",
    "cloudnest",
    "mailora",
    "northline",
    "ridella",
)
INVENTED_HELD_OUT = (
    "lumenpay", "stridelab", "tripwell", "shopvale", "tunewave", "coachway",
    "brightledger", "hearthly", "hostwright", "learnloop", "printory", "tunnelguard", "workweave",
)  # fmt: skip
TERMS_SIDE = [
    "ai_training_on_user_content", "automated_decision_making", "indemnification", "class_action_waiver",
    "content_license",
]  # fmt: skip


def _scores(paths: list[Path], types: list[str] | None = None) -> dict[str, TypeScore]:
    rows = read_units(*paths)
    results = assess_units([r["text"] for r in rows], build_engine(use_model=False), Context())
    scored = types or sorted({t for r in rows for t in r["labels"]})
    return score([r["labels"] for r in rows], [r.clause_types for r in results], scored)


def test_governance_rules_hold_on_privacy_policy_sentences() -> None:
    """Ten types on 256 sentences of 16 real policies: macro-F1 >= 0.92 (first run 0.713, 0.934 after 0105)."""
    scores = _scores([GOVERNANCE])

    assert len(scores) == 10, sorted(scores)
    assert macro_f1(scores) >= 0.92, {t: round(s.f1, 3) for t, s in scores.items()}


def test_ai_and_terms_side_rules_hold_on_modern_terms_of_service() -> None:
    """Five of our types on all 1,421 sentences of four terms of service: macro-F1 >= 0.85 (first run 0.483,
    0.865 after 0105), and no type below 0.6."""
    scores = _scores(own_terms_files(), TERMS_SIDE)

    assert sum(s.tp + s.fn for s in scores.values()) == 63
    assert macro_f1(scores) >= 0.85, {t: round(s.f1, 3) for t, s in scores.items()}
    assert all(s.f1 >= 0.6 for s in scores.values()), {t: round(s.f1, 3) for t, s in scores.items()}


def _invented(companies: tuple[str, ...] | None) -> list[Path]:
    """The invented files of these companies, or with None those of neither list (the ones written after 0110)."""
    named = set(INVENTED_DEV + INVENTED_HELD_OUT)
    return [
        p
        for p in invented_terms_files()
        if (
            p.stem.removeprefix("terms_invented_") in companies
            if companies is not None
            else p.stem.removeprefix("terms_invented_") not in named
        )
    ]


def test_ai_and_terms_side_rules_hold_on_the_invented_terms_they_were_tuned_on() -> None:
    """Five of our types on eight invented terms of service (2,531 sentences, dev since 0110): macro-F1 >= 0.90
    (0.604 with the rules before 0110, 0.911 after; per batch of four 0.577 -> 0.893 and 0.668 -> 0.951)."""
    scores = _scores(_invented(INVENTED_DEV), TERMS_SIDE)

    assert sum(s.tp + s.fn for s in scores.values()) == 72 + 46
    assert macro_f1(scores) >= 0.90, {t: round(s.f1, 3) for t, s in scores.items()}


def test_ai_and_terms_side_rules_on_invented_terms_never_tuned_on() -> None:
    """The same five types on the thirteen invented documents never tuned on (4,073 sentences): macro-F1 >= 0.72,
    a floor like real9's, not a dev figure (0.634 with the rules before 0110, 0.739 after; the third batch,
    written after both rounds: 0.644 -> 0.744)."""
    scores = _scores(_invented(INVENTED_HELD_OUT), TERMS_SIDE)

    assert sum(s.tp + s.fn for s in scores.values()) == 28 + 38 + 74
    assert macro_f1(scores) >= 0.72, {t: round(s.f1, 3) for t, s in scores.items()}


# 15,273 sentences through the whole `--lines` engine: about a minute of CPU, more than the suite's default bound
# allows when four workers share two cores.
@pytest.mark.timeout(900)
def test_ai_and_terms_side_rules_on_the_invented_terms_written_after_the_tuning() -> None:
    """The same five types on the forty-one invented documents written in six batches after 0110's rule rounds
    (15,273 sentences, never tuned on; 0111): macro-F1 >= 0.76, a floor (0.773 at the time, per batch 0.75-0.81)."""
    scores = _scores(_invented(None), TERMS_SIDE)

    assert sum(s.tp + s.fn for s in scores.values()) == 338
    assert macro_f1(scores) >= 0.76, {t: round(s.f1, 3) for t, s in scores.items()}
