"""Where a watch goes when a rewrite removes the watched provision (decision 0174): the rules, the cap, the words
the alert uses, and the note in a rendered alert."""

from __future__ import annotations

from clausewatch_notifier.alerts import ChangeView
from clausewatch_notifier.render import render_alert
from clausewatch_notifier.watches import MAX_CARRIED, carries, excerpt
from tests.unit.notifier.samples import sample_alert


def change(kind: str, key: str | None, heading: str = "", text: str = "") -> ChangeView:
    return ChangeView(
        change_id=f"ch-{key}",
        kind=kind,
        significance="substantive",
        heading=heading,
        summary="",
        old_text=text if kind != "added" else None,
        new_text=text if kind != "removed" else None,
        diff=[],
        severity="medium",
        clause_types=[],
        regulations=[],
        description="",
        provision_key=key,
    )


def keys(changes: list[ChangeView], watched: set[str]) -> list[list[str]]:
    return [carry.keys for carry in carries(changes, watched)]


def test_the_provisions_added_under_the_removed_ones_heading_take_its_place() -> None:
    """A section rewritten as a whole: every provision added under the same heading, wherever it sits."""
    changes = [
        change("added", "k-intro", "Introduction"),
        change("removed", "k-old", "Use of data › AI training"),
        change("modified", "k-other", "Retention"),
        change("added", "k-new-1", "Use of data › AI training"),
        change("added", "k-new-2", "Use of data › AI training"),
    ]
    assert keys(changes, {"k-old"}) == [["k-new-1", "k-new-2"]]


def test_without_a_heading_match_the_additions_beside_the_removal_take_its_place() -> None:
    """A paragraph replaced in place: the additions right after it (past the other removals of its block), or else
    right before it; a change of another kind ends the run."""
    after = [
        change("removed", "k-old", "Old heading"),
        change("removed", "k-gone", "Old heading"),
        change("added", "k-new-1", "New heading"),
        change("added", "k-new-2", "New heading"),
        change("modified", "k-later", "Later"),
        change("added", "k-far", "Later"),
    ]
    assert keys(after, {"k-old"}) == [["k-new-1", "k-new-2"]]
    before = [
        change("modified", "k-earlier"),
        change("added", "k-new-1"),
        change("added", "k-new-2"),
        change("removed", "k-old"),
    ]
    assert keys(before, {"k-old"}) == [["k-new-1", "k-new-2"]]
    alone = [change("added", "k-far"), change("modified", "k-x"), change("removed", "k-old", "Gone")]
    assert keys(alone, {"k-old"}) == [[]]


def test_only_watched_removals_are_carried_and_at_most_max_carried() -> None:
    """A removal nobody watches is not carried; a long replacement is followed by its first MAX_CARRIED provisions."""
    changes = [change("removed", "k-old", "S")] + [change("added", f"k-{i:02}", "S") for i in range(15)]
    assert keys(changes, {"k-unrelated"}) == []
    [carried] = keys(changes, {"k-old"})
    assert carried == [f"k-{i:02}" for i in range(MAX_CARRIED)]


def test_the_sentence_names_the_heading_or_the_removed_text_and_what_took_its_place() -> None:
    """The watcher reads where the provision was, and the opening words of each successor (three at most)."""
    [carry] = carries(
        [change("removed", "k-old", "AI training")]
        + [change("added", f"k-{i}", "AI training", f"Paragraph {i} says what we do.") for i in range(1, 5)],
        {"k-old"},
    )
    assert carry.sentence() == (
        "A provision you watch, under \u201cAI training\u201d, was removed by this change. Your watch now also "
        "follows the 4 provisions added in its place: \u201cParagraph 1 says what we do.\u201d, \u201cParagraph 2 "
        "says what we do.\u201d, \u201cParagraph 3 says what we do.\u201d and 1 more."
    )
    [ended] = carries([change("removed", "k-old", "", "We delete [your data](/x) after a year.")], {"k-old"})
    assert ended.sentence() == (
        "A provision you watch, \u201cWe delete your data after a year.\u201d, was removed by this change. Nothing "
        "added took its place, so your watch of it ends with this alert."
    )


def test_excerpts_stop_at_a_word() -> None:
    """Long texts are cut at a word boundary with an ellipsis."""
    assert excerpt(
        "We may share your personal information with our advertising partners and affiliates."
    ) == ("We may share your personal information with our advertising\u2026")
    assert excerpt(None) == ""


def test_a_rendered_alert_tells_a_watcher_and_no_one_else() -> None:
    """The note is in the text and HTML bodies of the watcher's alert, with the link to their preferences; a
    subscriber who does not watch the provision sees none."""
    alert = sample_alert()
    removed = change(
        "removed", "k-old", "How we use your information › AI training", "We may use your prompts."
    )
    added = change("added", "k-new", "How we use your information › AI training", "We train on your prompts.")
    alert = alert.model_copy(update={"changes": [removed, added]})
    manage = "https://clausewatch.test/preferences/TOKEN"
    watching = render_alert(
        alert, tier="compliance", unsubscribe_url="u", manage_url=manage, watched={"k-old"}
    )
    note = (
        "Your watch now also follows the provision added in its place: \u201cWe train on your prompts.\u201d"
    )
    assert note in watching.text
    assert f"What you watch: {manage}" in watching.text
    assert watching.html is not None
    assert note in watching.html
    assert f'<a href="{manage}"' in watching.html
    other = render_alert(alert, tier="compliance", unsubscribe_url="u", manage_url=manage)
    assert "A provision you watch" not in other.text
