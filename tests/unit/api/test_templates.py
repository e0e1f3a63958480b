"""Templates render untrusted document text escaped, and long change sets get a list of their changes."""

from __future__ import annotations

from typing import Any

from clausewatch_api.templating import build_environment


def _change(i: int, text: str) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "kind": "modified",
        "significance": "substantive",
        "heading_path": ["Policy", f"Section {i}"],
        "old_text": "old",
        "new_text": text,
        "hints": [],
        "summary": "",
        "side_by_side": {"old": [("del", "old")], "new": [("ins", text)]},
        "words": {"deleted": 1, "inserted": 1},
        "assessment": None,
        "new_provision_id": f"p{i}",
        "old_provision_id": None,
    }


def _change_set(changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "cs",
        "document_id": "acme/privacy-policy",
        "document_title": "Policy",
        "platform_id": "acme",
        "platform_name": "Acme",
        "created_at": "2026-11-22T06:00:00Z",
        "severity": None,
        "substantive": True,
        "counts": {"modified": len(changes)},
        "escalations": 0,
        "summary": "s",
        "previous_version_id": "v1",
        "version_id": "v2",
        "regulation_names": [],
        "snapshot": None,
        "changes": changes,
    }


def test_document_text_is_escaped_in_the_diff() -> None:
    """Markup inside a captured document shows as text and never reaches the page as HTML."""
    html = (
        build_environment()
        .get_template("change.html")
        .render(cs=_change_set([_change(1, "<script>alert(1)</script>")]), request_path="/")
    )
    assert "<script>alert(1)</script>" not in html
    assert '<ins class="w">&lt;script&gt;alert(1)&lt;/script&gt;</ins>' in html


def test_long_change_sets_list_their_changes_with_anchors() -> None:
    """With more than three changes the page starts with links to each change's section."""
    html = (
        build_environment()
        .get_template("change.html")
        .render(cs=_change_set([_change(i, "new") for i in range(1, 6)]), request_path="/")
    )
    assert 'href="#change-5"' in html
    assert 'id="change-5"' in html
    assert "Modified · Section 3" in html


def test_links_in_document_text_are_links_on_the_change_page() -> None:
    """A complete Markdown link in a diff run is rendered as a link, its label inside the <ins>."""
    text = "Write to [privacy@acme.example](mailto:privacy@acme.example)."
    html = (
        build_environment()
        .get_template("change.html")
        .render(cs=_change_set([_change(1, text)]), request_path="/")
    )
    assert (
        '<ins class="w">Write to <a href="mailto:privacy@acme.example" rel="nofollow noopener noreferrer">'
        "privacy@acme.example</a>.</ins>"
    ) in html
    assert "](mailto:" not in html


def test_a_change_raised_above_its_provisions_severity_says_which_is_which() -> None:
    """A medium change to a provision that stays low (a safeguard dropped, 0131) reads "Medium severity" and
    "Provision severity unchanged (low)", not a bare "Severity unchanged" beside "Medium"."""
    html = _change_page(
        "Messages are encrypted.", "medium", "low", "reworded; safeguard dropped (end-to-end encryption)"
    )
    assert "Provision severity unchanged (low)" in html
    assert ">Severity unchanged<" not in html


def test_a_change_without_severity_has_a_no_severity_badge() -> None:
    """A new date is severity none (0142); its badge read "None severity" (demo, session 17)."""
    html = _change_page(
        "Version: May 12th 2026", "none", "none", "date changed; nothing of substance changed"
    )
    assert "No severity</span>" in html
    assert "None severity" not in html


def _change_page(text: str, severity: str, provision_severity: str, description: str) -> str:
    """Render the change page of one modification whose provision stays at `provision_severity`."""
    change = _change(1, text)
    change["assessment"] = {
        "severity": severity, "severity_before": provision_severity, "severity_after": provision_severity,
        "escalation": None, "confidence": 0.6, "clause_types": [], "description": description, "reasons": [],
        "regulations": [],
    }  # fmt: skip
    return build_environment().get_template("change.html").render(cs=_change_set([change]), request_path="/")


def test_a_message_is_shown_as_a_sentence_without_lowering_its_words() -> None:
    """A management message becomes a sentence: first letter up, "UTC" and "API" kept, one full stop at the end."""
    sentence = build_environment().filters["sentence"]
    assert sentence("this link was used on 06 Dec 2026 at 19:00 UTC; the API key was shown then") == (
        "This link was used on 06 Dec 2026 at 19:00 UTC; the API key was shown then."
    )
    assert sentence("Sign up again for a new one.") == "Sign up again for a new one."
    assert sentence("") == ""
