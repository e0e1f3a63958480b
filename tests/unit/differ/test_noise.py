"""Each kind of noise is normalised away without losing words, and is never a substantive change."""

from __future__ import annotations

import re

import pytest

from clausewatch_differ.compare import compare_texts
from clausewatch_differ.normalize import (
    MD_LINK,
    _strip_links,
    canonical_dates,
    clean_text,
    clean_url,
    comparison_tokens,
    comparison_words,
    strip_markup,
)
from clausewatch_differ.plan import fingerprint
from clausewatch_differ.worddiff import _TOKEN, tokenize

BASE = "# Privacy\n\nLast updated: August 28, 2025\n\nWe keep your data for 30 days. See [our terms](https://x.com/terms).\n"


def test_whitespace_runs_and_invisible_characters_collapse() -> None:
    """Non-breaking spaces, tabs, zero-width characters and soft hyphens leave the same clean text."""
    noisy = "We\u00a0keep  your\tda\u00adta\u200b for 30 days.\r\n\r\n\r\n\nNext."
    assert clean_text(noisy) == "We keep your data for 30 days.\n\nNext.\n"


def test_typographic_quotes_and_ellipsis_are_straightened() -> None:
    """Curly quotes, primes and the ellipsis character read the same as their ASCII forms."""
    assert clean_text("“You” agree… it’s ‘fine’") == "\"You\" agree... it's 'fine'\n"


def test_tracking_parameters_leave_links_and_other_parameters_stay() -> None:
    """utm_*, fbclid and gclid are dropped from link targets; meaningful parameters are kept."""
    url = "https://x.com/terms?lang=en&utm_source=mail&fbclid=abc&gclid=z#s2"
    assert clean_url(url) == "https://x.com/terms?lang=en#s2"
    text = clean_text("[terms](https://x.com/terms?utm_campaign=q3&id=7)")
    assert text == "[terms](https://x.com/terms?id=7)\n"


def test_rotating_image_urls_do_not_make_a_new_version() -> None:
    """An image whose CDN URL rotates (query string or path) gives the same version fingerprint."""
    a = clean_text("![logo](https://scontent.fbcdn.net/v/t39/123_n.png?_nc_cat=1&oh=aa&oe=bb)\n\nText.")
    b = clean_text("![logo](https://scontent.fbcdn.net/v/t39/456_n.png?_nc_cat=9&oh=cc&oe=dd)\n\nText.")
    assert "?" not in a
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(
    "rendering",
    [
        "Last updated: 28 August 2025",
        "Last updated: Aug. 28, 2025",
        "Last updated: 2025-08-28",
        "Last updated: 28th of August, 2025",
    ],
)
def test_a_date_flipping_format_is_the_same_date(rendering: str) -> None:
    """The document's own date written another way is neither a new version nor a substantive change."""
    other = BASE.replace("Last updated: August 28, 2025", rendering)
    assert fingerprint(clean_text(other)) == fingerprint(clean_text(BASE))
    assert comparison_tokens(rendering) == comparison_tokens("Last updated: August 28, 2025")


def test_the_modal_may_is_never_read_as_a_month() -> None:
    """Lower-case "may 5" stays words, so "may" → "will" remains a change."""
    assert comparison_tokens("we may 5 times") != comparison_tokens("we will 5 times")


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("We keep   your data.", "We keep your data.", "whitespace"),
        ("We keep your data.", "We keep your data", "punctuation"),
        ("We Keep Your Data.", "We keep your data.", "case"),
        ("We keep **your** data.", "We keep your data.", "formatting"),
        ("We keep [data](https://a.com/x).", "We keep [data](https://b.com/y).", "link_target"),
        ("Effective March 1, 2026.", "Effective 1 March 2026.", "date_format"),
    ],
)
def test_cosmetic_edits_are_reported_as_cosmetic_with_their_kind(old: str, new: str, kind: str) -> None:
    """Whitespace, punctuation, case, formatting, link-target and date-format edits are cosmetic, named by kind."""
    result = compare_texts(f"# T\n\nIntro.\n\n{old}\n", f"# T\n\nIntro.\n\n{new}\n")
    if kind == "whitespace":
        # Cleaning already removed it: nothing at all to report.
        assert clean_text(old) == clean_text(new)
        return
    assert not result.substantive
    assert [c.significance for c in result.changes] == ["cosmetic"]
    assert kind in result.changes[0].hints


def test_noise_never_loses_a_word() -> None:
    """Cleaning keeps every word of the input, in order."""
    raw = "“Hello”\u00a0world — it’s 28 August 2025… [link](https://a.b/?utm_source=x) ![img](https://c.d/e.png?x=1)"
    assert comparison_tokens(clean_text(raw)) == comparison_tokens(raw)


@pytest.mark.parametrize(
    "text",
    [
        "We keep **your** data_for 30 days (see §4).",
        "Ünïcode wörds, café — and 日本語 too",
        "![May](img.png) 5 [June 6](x) <b>July</b> 2025-01-02",
        "tabs\tand\x1fcontrol, UPPER_case and digits123",
    ],
)
def test_ascii_fast_path_gives_the_regex_words(text: str) -> None:
    """Comparison tokens of ASCII and non-ASCII text equal the words of the Unicode regex over the same text."""
    expected = re.findall(r"[^\W_]+", canonical_dates(strip_markup(text)).lower())
    assert comparison_tokens(text) == expected


def test_batched_words_equal_each_texts_own_words() -> None:
    """Words of many texts at once (dates, links, tags, non-ASCII, empty, NUL) equal each text's own tokens."""
    texts = [
        "Updated 5 May 2025.",
        "May",
        "12",
        "",
        "See [terms](https://x.com/t) and <b>this</b>.",
        "Café terms, 2025-01-02",
        "  spaced   out -- text ",
        "Effective June 3rd, 2024; sections 1-4",
    ]
    for batch in (texts, texts[:1], texts[4:6], [], ["a\x00b", "5 May"], ["[a](b)"]):
        assert comparison_words(batch) == [" ".join(comparison_tokens(t)) for t in batch]


@pytest.mark.parametrize(
    "text",
    [
        "![a](b.png)[c](d)",
        "x![a](b)y!",
        '[[n]](u) [a [b] c](u "t")',
        "[a](b) ![c](d (e)) ](",
        "!![a](b)",
        "[a] (b)",
    ],
)
def test_links_found_from_the_bracket_match_the_full_pattern(text: str) -> None:
    """Stripping links from their `[` (the bang taken from the text before) gives the two-branch pattern's result."""
    assert _strip_links(text) == MD_LINK.sub(r" \2 ", text)


def test_ascii_diff_tokens_equal_the_unicode_pattern() -> None:
    """Diff tokens of ASCII text (every ASCII character, in runs) equal those of the Unicode token pattern."""
    text = "".join(chr(c) * (1 + c % 3) + "a" + chr(c) for c in range(128))
    assert text.isascii()
    assert tokenize(text) == _TOKEN.findall(text)
