"""Side-by-side word diffs: stored segments of several shapes, and our own diff when they are missing or wrong."""

from __future__ import annotations

from clausewatch_api.diffview import from_segments, from_texts, side_by_side
from tests.support.diffs import RELABELLED_LINK


def test_texts_diff_marks_removed_and_added_words_only() -> None:
    """Only the words that differ are marked; the shared words stay plain on both sides."""
    view = from_texts("We keep prompts for 30 days.", "We keep prompts for 18 months.")
    assert ("del", "30 days.") in view.old
    assert ("ins", "18 months.") in view.new
    assert view.old[0] == ("", "We keep prompts for ")
    assert view.deleted_words == 2
    assert view.inserted_words == 2


def test_words_are_counted_as_the_differ_counts_them() -> None:
    """A hyphenated word is one word and Markdown marks are none, as in the differ's "narrowed (-1 word)"."""
    view = from_texts("Messages are end-to-end encrypted.", "Messages are encrypted.")
    assert view.deleted_words == 1
    view = from_segments(
        [["=", "Write to "], ["-", "(mailto: "], ["=", "[a@b.c](mailto:a@b.c"], ["-", ") "], ["=", ")"]]
    )
    assert view is not None
    assert view.deleted_words == 1


def test_added_provision_is_all_inserted() -> None:
    """A provision that did not exist before shows entirely as inserted words."""
    view = from_texts(None, "We may train models.")
    assert view.old == []
    assert view.new == [("ins", "We may train models.")]


def test_pair_segments_are_read_with_their_spacing() -> None:
    """Stored [op, text] pairs keep their whitespace and their kinds."""
    view = from_segments(
        [["equal", "We keep "], ["delete", "30 days"], ["insert", "18 months"], ["equal", "."]]
    )
    assert view is not None
    assert "".join(t for _, t in view.new) == "We keep 18 months."
    assert ("del", "30 days") in view.old


def test_dict_segments_and_replace_are_read() -> None:
    """Dict segments with op/text and a replace segment with old/new are both understood."""
    view = from_segments([{"op": "=", "text": "Data is"}, {"op": "replace", "old": "kept", "new": "sold"}])
    assert view is not None
    assert view.old[-1] == ("del", "kept")
    assert view.new[-1] == ("ins", "sold")
    assert "".join(t for _, t in view.new) == "Data is sold"


def test_unreadable_segments_fall_back_to_the_texts() -> None:
    """Segments in an unknown shape are ignored and the texts are diffed instead."""
    view = side_by_side([{"weird": 1}], "a b c", "a x c")
    assert ("ins", "x") in view.new


def test_segments_that_do_not_rebuild_the_new_text_are_not_trusted() -> None:
    """If the segments do not spell the new text, the page diffs the texts itself rather than show wrong words."""
    view = side_by_side([["insert", "something else"]], "old words", "new words")
    assert "".join(t for _, t in view.new) == "new words"


def test_a_link_the_diff_cut_apart_shows_no_markdown_on_either_side() -> None:
    """Bluesky's relabelled link: each side reads as its words, the new side with its new address after them."""
    view = side_by_side(
        [list(segment) for segment in RELABELLED_LINK],
        "[Terms Required by the App Store and Google Play](#app-play-terms)",
        "[Apple App Store and Google Play Required Terms](https://bsky.social/about/support/tos#app-stores)",
    )
    assert "".join(text for _, text in view.old) == "Terms Required by the App Store and Google Play"
    assert view.new == [
        ("ins", "Apple "),
        ("", "App Store and Google Play"),
        ("ins", " Required Terms"),
        ("", " ("),
        ("ins", "https://bsky.social/about/support/tos#app-stores"),
        ("", ")"),
    ]
