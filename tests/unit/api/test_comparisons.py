"""What a provision page puts beside its own: one worthwhile example per platform, each other risk once."""

from __future__ import annotations

from clausewatch_api.comparisons import Candidate, best_per_platform, risks_by_type

STATEMENT = 120  # characters: a sentence, well over the label threshold


def _c(
    platform: str,
    provision: str,
    *,
    clause: str | None = "specific_audiences",
    severity: str = "low",
    confidence: float = 0.6,
    kind: str = "paragraph",
    chars: int = STATEMENT,
    ordinal: int = 0,
) -> Candidate:
    return Candidate(platform, provision, clause, severity, confidence, kind, chars, ordinal)


def test_a_statement_is_shown_over_an_earlier_heading_or_list_label() -> None:
    """The demo showed Qwen's heading and eharmony's "- Number of children"; a statement of the type comes first."""
    chosen = best_per_platform(
        [
            _c("qwen", "heading", kind="heading", chars=48, ordinal=1),
            _c("qwen", "statement", ordinal=9),
            _c("eharmony", "field", kind="list_item", chars=20, ordinal=2),
            _c("eharmony", "children", ordinal=40),
        ],
        limit=6,
    )
    assert {c.platform_id: c.provision_id for c in chosen} == {"qwen": "statement", "eharmony": "children"}


def test_the_most_serious_example_wins_then_the_most_confident_then_the_first() -> None:
    """Severity outranks confidence, confidence outranks position; platforms with graver examples come first."""
    chosen = best_per_platform(
        [
            _c("a", "a-low-sure", confidence=0.95),
            _c("a", "a-high", severity="high", confidence=0.5, ordinal=30),
            _c("b", "b-later", confidence=0.9, ordinal=20),
            _c("b", "b-first", confidence=0.9, ordinal=3),
            _c("b", "b-unsure", confidence=0.4, ordinal=1),
        ],
        limit=6,
    )
    assert [c.provision_id for c in chosen] == ["a-high", "b-first"]


def test_a_label_is_still_shown_when_a_platform_has_nothing_else() -> None:
    """One example per platform even if it is only a heading, and no more platforms than the limit."""
    candidates = [_c(f"p{n}", f"h{n}", kind="heading", chars=30) for n in range(9)]
    chosen = best_per_platform(candidates, limit=6)
    assert len(chosen) == 6
    assert len({c.platform_id for c in chosen}) == 6


def test_each_other_risk_is_named_once_with_its_count_and_the_pages_own_type_left_out() -> None:
    """Seven AI-training provisions are one entry "7 provisions" led by the gravest; the page's type is not listed."""
    candidates = [
        *[
            _c("grok", f"ai{n}", clause="ai_training_on_user_content", severity="high", ordinal=n)
            for n in range(7)
        ],
        _c("grok", "collection", clause="first_party_collection", severity="medium", ordinal=2),
        _c("grok", "own", clause="specific_audiences", severity="high", ordinal=1),
        _c("grok", "untyped", clause=None, severity="high"),
        # ai0 assessed again by a newer model: still one provision
        _c("grok", "ai0", clause="ai_training_on_user_content", severity="high", confidence=0.9),
    ]
    risks = risks_by_type(candidates, own_type="specific_audiences", limit=8)
    assert [(r.lead.clause_type, r.lead.provision_id, r.provisions) for r in risks] == [
        ("ai_training_on_user_content", "ai0", 7),
        ("first_party_collection", "collection", 1),
    ]


def test_other_risks_are_ordered_by_severity_then_how_common_and_limited() -> None:
    """High before medium; among equals the type with more provisions first; at most `limit` types."""
    candidates = [
        _c("x", "m1", clause="data_sale", severity="medium", ordinal=1),
        _c("x", "h1", clause="arbitration", severity="high", ordinal=5),
        _c("x", "h2", clause="indemnification", severity="high", ordinal=9),
        _c("x", "h3", clause="indemnification", severity="high", ordinal=10),
    ]
    risks = risks_by_type(candidates, own_type=None, limit=2)
    assert [r.lead.clause_type for r in risks] == ["indemnification", "arbitration"]
