"""Assessment results turned into ProvisionAssessment and ChangeAssessment insert parameters."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_change
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.records import change_row, provision_row, regulation_details_of, summarise
from clausewatch_shared.descriptions import takes_away
from clausewatch_shared.models import Change, ChangeAssessment, Provision, ProvisionAssessment

TEXT = "All disputes shall be resolved exclusively by final and binding arbitration in San Francisco, California."


def test_provision_row_gives_every_column_as_the_model_would_store_it() -> None:
    """The parameters name each ProvisionAssessment column once and equal a model instance built from them."""
    engine = build_engine(use_model=False)
    (result,) = engine.assess([TEXT], Context(platform_name="Acme"))
    provision = Provision(
        id="v1-p0",
        version_id="v1",
        document_id="acme/terms",
        key="k0",
        ordinal=0,
        kind="paragraph",
        text=TEXT,
    )
    row = provision_row(provision, "acme", result, "m1", engine.taxonomy, {"history": {"changes": 0}})
    columns = [c.name for c in ProvisionAssessment.__table__.columns]  # type: ignore[attr-defined]
    assert sorted(row) == sorted(columns)
    model = ProvisionAssessment(**row)
    assert {c: getattr(model, c) for c in columns} == row
    assert row["primary_clause_type"] == "arbitration"
    assert row["texts"]["history"] == {"changes": 0}


def test_change_row_gives_every_column_as_the_model_would_store_it() -> None:
    """The change assessment's parameters name each ChangeAssessment column once and equal a model built from them."""
    engine = build_engine(use_model=False)
    (result,) = engine.assess([TEXT], Context(platform_name="Acme"))
    change = Change(
        id="ch-1",
        change_set_id="cs-1",
        document_id="acme/terms",
        ordinal=0,
        kind="added",
        significance="substantive",
        provision_key="k0",
        new_text=TEXT,
        summary="added",
    )
    outcome = assess_change("added", None, result, None, TEXT, engine.classifier)
    row = change_row(change, "acme", outcome, engine.taxonomy, result.regulation_details)
    columns = [c.name for c in ChangeAssessment.__table__.columns]  # type: ignore[attr-defined]
    assert sorted(row) == sorted(columns)
    model = ChangeAssessment(**row)
    assert {c: getattr(model, c) for c in columns} == row
    assert row["texts"]["kind"] == "added"
    assert row["clause_types"] == ["arbitration"]


def test_a_change_row_names_every_law_of_both_sides() -> None:
    """A modification that drops a law (Kentucky's) still carries that law's details: alerts name it ("Kentucky
    Consumer Data Protection Act"), where they printed "kcdpa" when only the new side's details were kept."""
    engine = build_engine(use_model=False)
    old_text = "If you live in Kentucky, you have additional privacy rights."
    new_text = "If you live in California, you have additional privacy rights."
    old, new = engine.assess([old_text, new_text], Context(platform_name="Acme"))
    outcome = assess_change("modified", old, new, old_text, new_text, engine.classifier)
    assert "kcdpa" in outcome.regulations
    assert "kcdpa" not in new.regulations
    change = Change(
        id="ch-2", change_set_id="cs-1", document_id="acme/privacy", ordinal=0, kind="modified",
        significance="substantive", provision_key="k1", old_text=old_text, new_text=new_text, summary="modified",
    )  # fmt: skip
    row = change_row(change, "acme", outcome, engine.taxonomy, regulation_details_of(new, old))
    named = {d["id"]: d["name"] for d in row["texts"]["regulation_details"]}
    assert set(outcome.regulations) <= set(named)
    assert named["kcdpa"] == "Kentucky Consumer Data Protection Act"
    assert [d["id"] for d in regulation_details_of(new, old)][: len(new.regulations)] == [
        d["id"] for d in new.regulation_details
    ]


def test_rows_of_one_result_share_its_columns_but_not_their_texts() -> None:
    """Two versions' rows of one provision result: equal result columns, each its own texts with its own facts."""
    engine = build_engine(use_model=False)
    (result,) = engine.assess([TEXT], Context(platform_name="Acme"))
    rows = [
        provision_row(
            Provision(
                id=f"v{n}-p0",
                version_id=f"v{n}",
                document_id="acme/terms",
                key="k0",
                ordinal=0,
                kind="p",
                text=TEXT,
            ),
            "acme",
            result,
            "m1",
            engine.taxonomy,
            {"history": {"changes": n}},
        )
        for n in (1, 2)
    ]
    first, second = rows
    assert first["clause_types"] == second["clause_types"]
    assert [r["texts"]["history"] for r in rows] == [{"changes": 1}, {"changes": 2}]
    assert {k: v for k, v in first["texts"].items() if k != "history"} == {
        k: v for k, v in second["texts"].items() if k != "history"
    }
    assert first["id"] != second["id"]


def test_the_summary_says_changes_described_alike_once_with_their_number() -> None:
    """eharmony's three removed complaint-right paragraphs filled the alert's subject with the same words three
    times; now they are one sentence with "3 changes", and the description does not repeat the type's name."""
    taxonomy = build_engine(use_model=False).taxonomy
    removed = {
        "clause_types": ["specific_audiences"],
        "severity": "medium",
        "escalation": None,
        "regulations": ["gdpr"],
        "description": "removed (specific audiences (children, region-specific rights)); user protection removed",
    }
    rows = [
        {"change_id": "c0", "clause_types": [], "severity": "none", "escalation": None, "regulations": [],
         "description": "reworded; severity unchanged (none)"},
        *({**removed, "change_id": f"c{i}"} for i in (1, 2, 3)),
        {**removed, "change_id": "c4", "description": "expanded; severity unchanged (medium)"},
    ]  # fmt: skip
    summary = summarise(rows, {}, taxonomy)
    assert summary == (
        "5 changes assessed; highest severity medium. "
        "Removed; user protection removed — Specific audiences (children, region-specific rights) (3 changes). "
        "Expanded — Specific audiences (children, region-specific rights); severity unchanged (medium)."
    )


def test_the_summary_says_changes_alike_once_whatever_their_types_and_severity_wording() -> None:
    """Tinder's removed rights, transfers and retention read as nine sentences in a row (demo, session 16), each
    "…: removed; user protection removed; severity medium…": one sentence now says them, what happened first (it
    opens the e-mail's subject, which an inbox cuts), then the first types."""
    taxonomy = build_engine(use_model=False).taxonomy
    lost = "removed; user protection removed"
    rows = [
        {"change_id": f"c{i}", "clause_types": types, "severity": "medium", "escalation": None, "regulations": [],
         "description": f"removed ({', '.join(types)}); user protection removed; {tail}"}
        for i, (types, tail) in enumerate([
            (["international_transfer", "third_party_sharing"], "severity medium"),
            (["user_access_deletion"], "severity medium for the lost protection (the provision itself: low)"),
            (["user_access_deletion"], "severity medium for the lost protection (the provision itself: low)"),
            (["user_choice_control", "targeted_advertising"], "severity medium"),
        ])
    ] + [
        {"change_id": "c9", "clause_types": ["data_retention"], "severity": "medium", "escalation": None,
         "regulations": [], "description": "removed (data retention); severity medium"},
    ]  # fmt: skip
    assert summarise(rows, {}, taxonomy) == (
        f"5 changes assessed; highest severity medium. {lost.capitalize()} — International data transfers, Sharing "
        "with third parties and others (4 changes); severity medium. Removed — Data retention; severity medium."
    )
    alike = [{**rows[1], "change_id": f"d{i}"} for i in range(2)]
    assert summarise(alike, {}, taxonomy).endswith(
        "Removed; user protection removed — Access, correction and deletion (2 changes); severity medium for the lost "
        "protection (the provision itself: low)."
    )


def test_the_summary_names_what_moved_before_what_stayed() -> None:
    """Grok's 16 changes were summed up by a rewording "severity unchanged (medium)" first, and the removed promise
    not to sell was cut from the e-mail's subject (demo, session 15): at the top severity, a change that takes a
    protection away or escalates comes first, then additions and removals, then rewordings; an added or removed
    provision's list of types is left out, the names leading the sentence."""
    taxonomy = build_engine(use_model=False).taxonomy
    base = {
        "clause_types": ["targeted_advertising"],
        "severity": "medium",
        "escalation": None,
        "regulations": [],
    }
    rows = [
        {**base, "change_id": "c0", "description": "reworded; severity unchanged (medium)"},
        {**base, "change_id": "c1", "description": "added; severity medium"},
        {**base, "change_id": "c2",
         "description": "removed (targeted advertising, sale of personal data); promise removed (no sale of your data); "
         "severity medium"},
        {**base, "change_id": "c3", "description": "expanded; severity escalated from low to medium",
         "escalation": "escalated"},
    ]  # fmt: skip
    sentences = summarise(rows, {}, taxonomy).split(". ")[1:]
    assert sentences == [
        "Removed; promise removed (no sale of your data) — Targeted advertising; severity medium",
        "Expanded — Targeted advertising; severity escalated from low to medium",
        "Added — Targeted advertising; severity medium",
        "Reworded — Targeted advertising; severity unchanged (medium).",
    ]


@pytest.mark.parametrize(
    ("kind", "old_text", "new_text"),
    [
        ("removed", "You can ask us to delete your data at privacy@example.com.", None),
        ("removed", "We do not sell your personal information.", None),
        ("modified", "Messages are end-to-end encrypted.", "Messages are encrypted."),
        (
            "modified",
            "You can opt out of marketing e-mails at privacy@example.com.",
            "You can opt out of marketing e-mails. Even if you opt out, we will still send you offers.",
        ),
        ("modified", "To stop ads, turn off ads in your account settings.", "We show you ads."),
    ],
)
def test_every_change_that_takes_a_protection_away_is_recognised_by_its_description(
    kind: str, old_text: str, new_text: str | None
) -> None:
    """takes_away reads assess_change's own words: each way a change takes something from users must match."""
    engine = build_engine(use_model=False)
    old = engine.assess([old_text], Context())[0]
    new = engine.assess([new_text], Context())[0] if new_text else None
    change = assess_change(kind, old, new, old_text, new_text, engine.classifier)
    assert takes_away(change.description), change.description
