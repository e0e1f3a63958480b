"""Planning rows for a new version (stable keys, deterministic ids) and rendering stored word diffs."""

from __future__ import annotations

from clausewatch_differ.plan import Previous, plan_version
from clausewatch_differ.render import inline_html, inline_text, side_by_side_html
from clausewatch_differ.worddiff import new_side, old_side, word_diff

V1 = "# Terms\n\n## Fees\n\nYou pay 10 euros.\n\n## Law\n\nIrish law applies.\n"
V2 = "# Terms\n\n## Intro\n\nWelcome.\n\n## Fees\n\nYou pay 12 euros.\n\n## Law\n\nIrish law applies.\n"


def _plan(text: str, snapshot: str, previous: Previous | None = None):  # type: ignore[no-untyped-def]
    plan = plan_version(document_id="acme/terms", snapshot_id=snapshot, text=text, previous=previous)
    assert plan is not None
    return plan


def test_keys_survive_edits_elsewhere_and_ids_are_deterministic() -> None:
    """An untouched provision keeps its key after an insertion above it; planning twice gives the same ids."""
    first = _plan(V1, "s1")
    previous = Previous(first.version, first.keys())
    second = _plan(V2, "s2", previous)
    keys1 = {p["text"]: p["key"] for p in first.provisions}
    keys2 = {p["text"]: p["key"] for p in second.provisions}
    assert keys2["Irish law applies."] == keys1["Irish law applies."]
    assert keys2["You pay 12 euros."] == keys1["You pay 10 euros."]
    assert keys2["Welcome."] not in keys1.values()
    again = _plan(V2, "s2", previous)
    assert [c["id"] for c in again.changes] == [c["id"] for c in second.changes]
    assert again.version.id == second.version.id
    assert second.change_set is not None
    assert second.change_set.counts == {"added": 2, "removed": 0, "modified": 1, "moved": 0}


def test_same_text_after_noise_plans_nothing() -> None:
    """A text equal to the previous one once dates and image URLs are normalised gives no version."""
    first = _plan("Updated August 28, 2025.\n\n![x](https://cdn/a.png?v=1)\n", "s1")
    previous = Previous(first.version, first.keys())
    again = plan_version(
        document_id="acme/terms", snapshot_id="s2", text="Updated 28 August 2025.\n\n![x](https://cdn/a.png?v=2)\n",
        previous=previous,
    )  # fmt: skip
    assert again is None


def test_the_first_version_has_no_change_set_and_records_its_date() -> None:
    """The first version of a document plans provisions and its own date, no change set."""
    plan = _plan("# Policy\n\nLast updated: 1 March 2026\n\nText.\n", "s1")
    assert plan.change_set is None
    assert plan.version.document_date == "2026-03-01"
    assert [p["parent_key"] for p in plan.provisions][1:] == [plan.provisions[0]["key"]] * 2


def test_word_diff_segments_rebuild_both_texts() -> None:
    """The stored segments give back the old and the new text exactly."""
    old, new = "We may keep your data for 30 days.", "We will keep your personal data for 90 days!"
    diff = word_diff(old, new)
    assert old_side(diff) == old
    assert new_side(diff) == new
    assert ["-", "may"] in diff
    assert ["+", "will"] in diff


def test_renderers_highlight_words_and_escape_html() -> None:
    """Inline and side-by-side HTML mark words with del/ins and escape markup; text uses word-diff markers."""
    diff = [["=", "Use <b> "], ["-", "may"], ["+", "will"], ["=", " apply"]]
    assert inline_html(diff) == "Use &lt;b&gt; <del>may</del><ins>will</ins> apply"
    left, right = side_by_side_html(diff)
    assert left == "Use &lt;b&gt; <del>may</del> apply"
    assert right == "Use &lt;b&gt; <ins>will</ins> apply"
    assert inline_text(diff) == "Use <b> [-may-]{+will+} apply"
