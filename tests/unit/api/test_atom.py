"""Atom feeds: valid XML in the Atom namespace, one entry per change set, linking its page."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from clausewatch_api.atom import entry_title, feed

NS = "{http://www.w3.org/2005/Atom}"
CS = {
    "id": "0190c3a2-1111-7000-8000-000000000001",
    "created_at": "2026-11-22T06:00:00Z",
    "severity": "high",
    "platform_name": "Acme AI",
    "document_title": "Privacy Policy",
    "counts": {"added": 1, "modified": 2},
    "summary": "Training on prompts added",
    "regulations": ["gdpr", "ftc_act_s5"],
    "regulation_names": ["GDPR", "FTC Act s.5"],
    "clause_types": [{"id": "ai-training", "label": "AI training"}],
}


def test_feed_has_entries_linking_change_pages() -> None:
    """Each change set becomes an entry with a urn:uuid id, a link to its page and its categories."""
    body = feed(
        feed_id="http://cw.test/feeds/all.atom",
        title="All",
        self_url="http://cw.test/feeds/all.atom",
        alternate_url="http://cw.test/",
        base_url="http://cw.test",
        change_sets=[CS],
        updated=datetime(2026, 11, 22, tzinfo=UTC),
    )
    root = ElementTree.fromstring(body)
    assert root.tag == f"{NS}feed"
    (entry,) = root.findall(f"{NS}entry")
    assert entry.findtext(f"{NS}id") == f"urn:uuid:{CS['id']}"
    assert entry.find(f"{NS}link").get("href") == f"http://cw.test/changes/{CS['id']}"  # type: ignore[union-attr]
    terms = {c.get("term") for c in entry.findall(f"{NS}category")}
    assert terms == {"ai-training", "severity:high"}
    assert "Regulations: GDPR, FTC Act s.5" in (entry.findtext(f"{NS}summary") or "")


def test_entry_title_says_severity_where_and_what() -> None:
    """The title reads like a headline: severity, platform and document, and the counts."""
    assert entry_title(CS) == "[High] Acme AI · Privacy Policy: 1 added, 2 modified"


def test_an_entry_says_its_most_serious_change_before_the_differs_summary() -> None:
    """A feed reader sees what matters first, as on the latest-changes page (session 16)."""
    top = {
        "change_id": "c",
        "severity": "medium",
        "what": "Removed; promise removed (no sale of your data)",
        "where": ["Privacy Policy", "3. How we use data"],
        "excerpt": "We do not sell your personal information…",
        "anchor": "change-5",
    }
    body = feed(
        feed_id="f", title="All", self_url="s", alternate_url="a", base_url="http://cw.test",
        change_sets=[CS | {"most_serious": top}], updated=datetime(2026, 11, 22, tzinfo=UTC),
    )  # fmt: skip
    summary = (ElementTree.fromstring(body).find(f"{NS}entry/{NS}summary").text or "").split("\n")  # type: ignore[union-attr]
    assert summary[:2] == [
        "Most serious (medium): Removed; promise removed (no sale of your data) under “Privacy Policy › 3. How we use "
        "data”: “We do not sell your personal information…”",
        "Training on prompts added",
    ]
