"""Provision Markdown shown to people: links as links or "label (address)", no heading marks, nothing unsafe."""

from __future__ import annotations

import pytest

from clausewatch_shared.prose import count_words, inline_html, uncut_diff_links, uncut_links, visible_text
from tests.support.diffs import RELABELLED_LINK

ICO = "Email: [casework@ico.org.uk](mailto:casework@ico.org.uk) ."


def test_a_mail_link_is_a_link_with_its_label() -> None:
    """The demo's ICO address shows once, as a mailto link, without the Markdown around it, and without the space
    the extractor leaves between a link and the full stop after it."""
    html = inline_html(ICO)
    assert html == (
        'Email: <a href="mailto:casework@ico.org.uk" rel="nofollow noopener noreferrer">casework@ico.org.uk</a>.'
    )


def test_a_relative_link_is_resolved_against_the_document_or_kept_as_words() -> None:
    """ "(/ccpa-addendum)" points into the watched site when its address is known, and is only words otherwise."""
    text = "See our [California Privacy Statement](/ccpa-addendum) for details."
    assert 'href="https://policies.tinder.com/ccpa-addendum"' in inline_html(
        text, base="https://policies.tinder.com/privacy"
    )
    assert inline_html(text) == "See our California Privacy Statement for details."


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "data:text/html;base64,PGI+", "JAVASCRIPT:alert(1)", "vbscript:x"]
)
def test_unsafe_targets_are_never_links(target: str) -> None:
    """Only http(s) and mailto targets become links; anything else leaves the label as plain words."""
    html = inline_html(f"[click]({target}) here", base="https://example.com/")
    assert "<a" not in html
    assert html == "click here"


@pytest.mark.parametrize("target", ["http://[abc", "https://[::1", "/x"])
def test_a_malformed_address_stays_words_and_breaks_nothing(target: str) -> None:
    """urlsplit refuses "http://[abc" (an unclosed IPv6 bracket); the label is shown, the page still renders, with
    a malformed document address as base too."""
    assert inline_html(f"[label]({target}) x", base="http://[broken/") == "label x"
    assert visible_text(f"[label]({target}) x", with_addresses=True) == "label x"


def test_a_target_with_balanced_parentheses_is_one_link() -> None:
    """Wikipedia-style addresses keep their parentheses."""
    html = inline_html("[GDPR](https://en.wikipedia.org/wiki/GDPR_(EU)) applies")
    assert 'href="https://en.wikipedia.org/wiki/GDPR_(EU)"' in html
    assert html.endswith("</a> applies")


def test_images_are_their_alt_text_and_never_loaded() -> None:
    """A document's image is not fetched by a reader's mail client or browser: its alt text stands in."""
    assert inline_html("Logo ![Acme logo](https://tracker.example/p.gif) end") == "Logo Acme logo end"
    assert visible_text("![](x.png)Terms") == "Terms"


def test_document_markup_is_escaped_inside_and_outside_links() -> None:
    """HTML in the text or a label shows as text; a quote in a target cannot leave the href attribute."""
    html = inline_html('<img src=x> [a <b>](https://e.com/"onmouseover="x) & more')
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;img src=x&gt;" in html
    assert 'href="https://e.com/&quot;onmouseover=&quot;x"' in html
    assert "&amp; more" in html


def test_heading_marks_go_and_bold_is_bold() -> None:
    """ "## 3. Sharing" reads "3. Sharing"; **never** is emphasised; a lone '#' inside a sentence stays."""
    assert inline_html("## 3. Sharing") == "3. Sharing"
    assert inline_html("We **never** sell data.") == "We <strong>never</strong> sell data."
    assert inline_html("Ticket # 5 is open", strip_headings=False) == "Ticket # 5 is open"
    assert visible_text("### Your **rights**") == "Your rights"


def test_a_link_the_diff_cut_in_two_stays_as_written() -> None:
    """Alone, a run holding half a link (its target changed) is escaped text (`uncut_links` rewrites such halves
    before runs are rendered, below)."""
    assert inline_html("[Settings](https://old.example") == "[Settings](https://old.example"


def test_a_link_the_diff_cut_apart_reads_as_its_words_and_address() -> None:
    """Bluesky's relabelled link: its marks go; the new text's absolute target stays after the label, the old
    text's anchor goes."""
    assert uncut_diff_links(RELABELLED_LINK) == [
        ("-", "Terms Required by the "),
        ("+", "Apple "),
        ("=", "App Store and Google Play"),
        ("+", " Required Terms"),
        ("=", " ("),
        ("+", "https://bsky.social/about/support/tos#app-stores"),
        ("=", ")"),
    ]


def test_a_link_taken_off_kept_words_shows_its_address_as_removed() -> None:
    """Pinterest dropped a link around a sentence it kept: the words stay, the address reads as removed."""
    segments = [
        ("=", "about Pinterest. "),
        ("-", "["),
        ("=", "To learn more, visit the Help Center"),
        ("-", "](https://help.pinterest.com/article/tag)"),
        ("=", "."),
    ]
    assert uncut_diff_links(segments) == [
        ("=", "about Pinterest. To learn more, visit the Help Center"),
        ("-", " (https://help.pinterest.com/article/tag)"),
        ("=", "."),
    ]


def test_a_cut_mail_link_shows_its_address_without_the_scheme() -> None:
    segments = [
        ("=", "write to ["),
        ("-", "privacy"),
        ("+", "legal"),
        ("=", " team](mailto:"),
        ("-", "privacy"),
        ("+", "legal"),
        ("=", "@x.example) now"),
    ]
    rendered = "".join(text for op, text in uncut_diff_links(segments) if op != "-")
    assert rendered == "write to legal team (legal@x.example) now"


def test_bold_the_diff_cut_apart_loses_its_marks() -> None:
    """Bumble's new bold link to its terms read "[+**[+]Terms and Conditions of Use[+](…)**.+]" in e-mails."""
    segments = [
        ("=", "of our "),
        ("+", "**["),
        ("=", "Terms and Conditions of Use"),
        ("+", "](https://bumble.com/terms)**."),
    ]
    assert uncut_diff_links(segments) == [
        ("=", "of our Terms and Conditions of Use"),
        ("+", " (https://bumble.com/terms)."),
    ]


def test_links_inside_one_run_are_left_to_that_runs_rendering() -> None:
    """A whole link stays Markdown (HTML makes it a link); runs keep their number, a relative target goes."""
    runs = ["see [the ", "whole", " policy](https://x.example/p) and [home](/h)"]
    assert uncut_links(runs) == ["see the ", "whole", " policy (https://x.example/p) and [home](/h)"]
    whole = [("=", "see [our policy](https://x.example/p) "), ("-", "a"), ("+", "b")]
    assert uncut_diff_links(whole) == whole
    assert uncut_links(["[Help", "](/help)"]) == ["Help", ""]


def test_plain_text_keeps_the_address_after_the_words_unless_they_are_the_address() -> None:
    """Plain-text e-mail says "Settings (https://…)", and the ICO address once, not twice."""
    text = "Change it in [Settings](https://acme.example/settings) or write to " + ICO
    assert visible_text(text, with_addresses=True) == (
        "Change it in Settings (https://acme.example/settings) or write to Email: casework@ico.org.uk."
    )
    assert visible_text(text) == "Change it in Settings or write to Email: casework@ico.org.uk."


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Submit a request at https://xai-privacy.relyance.ai/ today.", 6),
        ("Write to privacy@x.ai or www.example.com/help.", 5),
        ("end-to-end, don't", 2),
        ("user@ and @handle are not addresses", 6),
    ],
)
def test_an_address_is_one_word(text: str, words: int) -> None:
    """A web or e-mail address is one word, as a reader counts it (the differ and the change page agree)."""
    assert count_words(text) == words


def test_a_table_row_reads_as_its_cells_in_excerpts_and_stays_a_row_for_the_analyzer() -> None:
    """Qwen's most serious change was headed "| User Content :We may collect …" on the list page (session 17)."""
    row = "| **User Content**: We may collect [your prompts](https://q.ai/p) | - Account Information - User Content |"
    assert visible_text(row, rows_as_text=True) == (
        "User Content: We may collect your prompts — Account Information - User Content"
    )
    assert visible_text(row).startswith("| User Content: We may collect your prompts |")
    assert visible_text("A | B, not a row", rows_as_text=True) == "A | B, not a row"
