"""Shaping the analyzer's JSON for pages: defensive reading of clause types, regulations, agencies and texts."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from clausewatch_api.present import (
    analysis_texts,
    change_set,
    clause_types,
    humanise,
    most_serious,
    opt_outs,
    regulations,
    serious_candidates,
)
from clausewatch_api.stability import months_between, rarity, stability
from clausewatch_shared.descriptions import reading_rank


def test_clause_types_accept_strings_dicts_and_skip_junk() -> None:
    """Strings, analyzer dicts (id, name, confidence, evidence) are read; entries without an id are skipped."""
    out = clause_types(
        [
            "arbitration",
            {"id": "ai-training", "name": "AI training", "confidence": 0.9, "evidence": "we train"},
            {"confidence": 1},
            7,
        ]
    )
    assert [c["id"] for c in out] == ["arbitration", "ai-training"]
    assert out[1] == {
        "id": "ai-training",
        "label": "AI training",
        "confidence": 0.9,
        "evidence": ["we train"],
    }


def test_regulations_merge_ids_with_details_and_agencies() -> None:
    """Regulation ids pick up the analyzer's details: name, jurisdiction, article titles and agencies."""
    texts = {
        "regulation_details": [
            {
                "id": "gdpr",
                "name": "GDPR",
                "jurisdiction_name": "European Union",
                "articles": [{"id": "Art. 6", "title": "lawful basis"}],
                "agencies": [{"name": "EDPB", "complaint_url": "https://edpb.example"}],
            }
        ]
    }
    (gdpr, ccpa) = regulations(["gdpr", "ccpa"], texts)
    assert gdpr["name"] == "GDPR"
    assert gdpr["jurisdiction"] == "European Union"
    assert gdpr["articles"] == ["Art. 6 (lawful basis)"]
    assert gdpr["agencies"][0]["url"] == "https://edpb.example"
    assert ccpa["name"] == "CCPA"
    assert ccpa["agencies"] == []


def test_texts_map_the_analyzer_names_and_tolerate_absence() -> None:
    """what_you_can_do items become title/text/route; a missing texts dict gives empty fields, not errors."""
    texts = analysis_texts(
        {
            "consumer_impact": "You pay.",
            "what_you_can_do": [{"title": "Email", "detail": "Write", "route": "a@b.example"}],
        }
    )
    assert texts["impact"] == "You pay."
    assert texts["what_to_do"] == [{"title": "Email", "text": "Write", "route": "a@b.example"}]
    assert analysis_texts(None)["why_it_matters"] == ""


def test_opt_outs_keep_kind_value_and_context() -> None:
    """Opt-out routes keep their kind and value, and the sentence they came from."""
    assert opt_outs([{"kind": "email", "value": "a@b.example", "context": "Email a@b.example."}]) == [
        {"kind": "email", "value": "a@b.example", "text": "Email a@b.example."}
    ]


def test_humanise_capitalises_known_acronyms() -> None:
    """Ids become readable labels with acronyms in capitals."""
    assert humanise("ai-model-training") == "AI model training"
    assert humanise("gdpr") == "GDPR"


def test_rarity_labels_follow_the_catalogue_share() -> None:
    """No other platform is Unique; up to max(1, 10%) of the catalogue is Rare; more is Common."""
    assert rarity(0, 343, 0)["text"] == "Unique · 0 of 343 platforms"
    assert rarity(1, 343, 5)["label"] == "Rare"
    assert rarity(34, 343, 40)["label"] == "Rare"
    assert rarity(35, 343, 40)["label"] == "Common"


def test_stability_counts_started_months() -> None:
    """A provision watched since April is monitored for the months begun since, and unchanged means Stable."""
    now = datetime(2026, 6, 10, tzinfo=UTC)
    since = datetime(2026, 4, 3, tzinfo=UTC)
    assert months_between(since, now) == 3
    assert stability(0, since, now, since, now)["label"] == "Stable"
    assert stability(3, since, now, since, now)["label"] == "Volatile"


def test_a_change_sets_headline_names_its_laws_as_the_analyzer_recorded_them() -> None:
    """Feeds and pages read "GDPR, FTC Act s.5", not the ids; an id without a recorded name stays as it is."""
    cs = SimpleNamespace(
        id="cs", document_id="d", version_id="v2", previous_version_id="v1", restores_version_id=None, alternates=False,
        announces_effective_date=None, takes_effect_date=None,
        substantive=True, counts={}, summary="s", created_at=datetime(2026, 12, 5, tzinfo=UTC),
    )  # fmt: skip
    assessed = [
        _assessed("c1", "high", regulations=["gdpr", "ftc_act_s5"], texts={
            "regulation_details": [{"id": "gdpr", "name": "GDPR"}, {"id": "ftc_act_s5", "name": "FTC Act s.5"}]
        }),
        _assessed("c2", "low", regulations=["gdpr", "bipa"]),
    ]  # fmt: skip
    head = change_set(cs, None, None, assessed)  # type: ignore[arg-type]
    assert head["regulations"] == ["gdpr", "ftc_act_s5", "bipa"]
    assert head["regulation_names"] == ["GDPR", "FTC Act s.5", "bipa"]


def _assessed(change_id: str, severity: str, **fields: object) -> SimpleNamespace:
    row: dict[str, object] = {
        "change_id": change_id, "clause_types": [], "regulations": [], "severity": severity, "severity_before": None,
        "severity_after": severity, "escalation": None, "description": f"reworded; severity unchanged ({severity})",
        "texts": {},
    }  # fmt: skip
    return SimpleNamespace(**(row | fields))


def test_a_change_sets_most_serious_change_is_what_takes_something_away_first() -> None:
    """Grok's set was headed by the differ's "First: Modified a paragraph … modal added: may" (a cookie paragraph)
    while its news was the removed promise not to sell data (demo, session 16). Among the most severe changes, one
    rated above its provision (a lost protection) or escalating comes first, then an added or removed provision."""
    reworded = _assessed("a", "medium")
    added = _assessed(
        "b", "medium", severity_before=None, description="added (targeted advertising); severity medium"
    )
    promise = _assessed(
        "c", "medium", severity_before="low", severity_after=None,
        description="removed (sharing with third parties, sale of personal data); promise removed (no sale of your "
        "data); severity medium for the lost protection (the provision itself: low)",
    )  # fmt: skip
    lower = _assessed("d", "low", escalation="escalated", severity_before="none")
    assert most_serious([reworded, added, promise, lower]) is promise  # type: ignore[list-item]
    assert most_serious([reworded, added, lower]) is added  # type: ignore[list-item]
    assert most_serious([_assessed("e", "none")]) is None  # type: ignore[list-item]
    cs = SimpleNamespace(
        id="cs", document_id="d", version_id="v2", previous_version_id="v1", restores_version_id=None, alternates=False,
        announces_effective_date=None, takes_effect_date=None,
        substantive=True, counts={}, summary="s", created_at=datetime(2026, 12, 5, tzinfo=UTC),
    )  # fmt: skip
    change = SimpleNamespace(
        ordinal=4, heading_path=["xAI Privacy Policy", "3. How we may use personal information"], new_text=None,
        old_text="We do **not** sell your personal information or use it for [marketing](https://x.ai/m): " + "x " * 30,
    )  # fmt: skip
    head = change_set(cs, None, None, [reworded, promise], {"c": change})  # type: ignore[arg-type, list-item, dict-item]
    assert head["most_serious"] == {
        "change_id": "c",
        "severity": "medium",
        "what": "Removed; promise removed (no sale of your data)",
        "where": ["xAI Privacy Policy", "3. How we may use personal information"],
        "excerpt": "We do not sell your personal information or use it for marketing: x x x x…",
        "anchor": "change-5",
    }
    alone = change_set(cs, None, None, [added], {})  # type: ignore[arg-type, list-item]
    assert alone["most_serious"]["what"] == "Added (targeted advertising)"


def test_the_headline_is_the_change_the_alert_lists_first() -> None:
    """The page's headline and the e-mail's order are one rule (`reading_rank`): a rewording that drops a promise at
    the provision's own severity heads the set above an added paragraph, and a rewording whose severity moved comes
    before one whose did not (the page ranked all rewordings alike and by the provision's severity only)."""
    added = _assessed("a", "medium", description="added (targeted advertising); severity medium")
    dropped = _assessed(
        "b",
        "medium",
        description="reworded; promise removed (no sale of your data); severity unchanged (medium)",
    )
    assert most_serious([added, dropped]) is dropped  # type: ignore[list-item]
    steady = _assessed("c", "medium")
    moved = _assessed("d", "medium", severity_before="low", description="expanded; severity medium (was low)")
    assert most_serious([steady, moved]) is moved  # type: ignore[list-item]
    ranked = sorted([added, dropped, steady, moved], key=lambda a: reading_rank(a.escalation, a.description))
    assert most_serious([added, dropped, steady, moved]) is ranked[0]  # type: ignore[list-item]


def test_a_headline_without_description_still_says_something() -> None:
    """The link text of the most serious change is never empty (an assessment row written without a description)."""
    cs = SimpleNamespace(
        id="cs", document_id="d", version_id="v2", previous_version_id="v1", restores_version_id=None, alternates=False,
        announces_effective_date=None, takes_effect_date=None,
        substantive=True, counts={}, summary="s", created_at=datetime(2026, 12, 5, tzinfo=UTC),
    )  # fmt: skip
    bare = _assessed("a", "high", description="")
    change = SimpleNamespace(
        ordinal=0, kind="modified", heading_path=[], new_text="We sell data.", old_text=None
    )
    head = change_set(cs, None, None, [bare], {"a": change})  # type: ignore[arg-type, list-item, dict-item]
    assert head["most_serious"]["what"] == "Modified"
    assert change_set(cs, None, None, [bare], {})["most_serious"]["what"] == "Changed"  # type: ignore[arg-type, list-item]


def test_among_equally_serious_changes_the_first_in_the_document_heads_the_set() -> None:
    """eharmony's three removed paragraphs on complaints were headed by the third, "If you are located elsewhere in
    Europe…", chosen by change id (demo, session 17): equals are ordered as the document orders them."""
    removal = "removed (specific audiences); user protection removed; severity medium"
    first, last, middle = (
        _assessed(c, "medium", severity_before="low", severity_after=None, description=removal) for c in "zam"
    )
    rows = {"z": SimpleNamespace(ordinal=3), "a": SimpleNamespace(ordinal=9), "m": SimpleNamespace(ordinal=5)}
    candidates = serious_candidates([last, _assessed("low", "low"), middle, first])  # type: ignore[list-item]
    assert {a.change_id for a in candidates} == {"z", "a", "m"}
    assert most_serious([last, middle, first], rows) is first  # type: ignore[list-item, arg-type]
    assert most_serious([last, middle], rows) is middle  # type: ignore[list-item, arg-type]
    assert most_serious([last, middle]) is last  # type: ignore[list-item]  # no rows: by change id
