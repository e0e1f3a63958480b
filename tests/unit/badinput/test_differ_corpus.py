"""Bad input corpus, differ side: extraction refuses what is not a document with a named error, reads broken but
real documents, and comparing noisy re-renderings of the same policy finds no substantive change."""

from __future__ import annotations

import codecs

import pytest

from clausewatch_differ.compare import compare_texts
from clausewatch_differ.extract import MAX_INPUT_BYTES, ExtractionError, extract

PARAGRAPHS = [
    "We collect the information you give us when you create an account, such as your name and email address.",
    "We use your information to provide, maintain and improve the services and to develop new features.",
    "You may ask us to delete your personal data at any time by writing to our privacy team.",
]


def page(paragraphs: list[str] = PARAGRAPHS, extra: str = "") -> str:
    """A small policy page in HTML."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>Privacy</title></head><body><main><h1>Privacy Policy</h1>{body}{extra}</main></body></html>"


REFUSED = {
    "binary-noise": (bytes(range(256)) * 200, "application/octet-stream"),
    "nul-laden-html": (b"<html><body>" + b"\x00\x01\x02" * 5000 + b"</body></html>", "text/html"),
    "corrupt-pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage endobj", "application/pdf"),
    "pdf-header-only": (b"%PDF-", "application/pdf"),
    "png-labelled-html": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50, "text/html"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_input_that_is_not_a_document_is_refused_by_name(name: str) -> None:
    """Binary, NUL-laden and corrupt PDF inputs raise ExtractionError instead of producing text."""
    data, content_type = REFUSED[name]
    with pytest.raises(ExtractionError):
        extract(data, content_type)


def test_input_over_the_size_limit_is_refused_before_parsing() -> None:
    """A body over MAX_INPUT_BYTES is refused with ExtractionError, not parsed into memory."""
    with pytest.raises(ExtractionError, match="more than"):
        extract(b"a" * (MAX_INPUT_BYTES + 1), "text/plain")


def test_an_empty_body_extracts_to_nothing() -> None:
    """An empty capture gives empty text (the fetcher's empty check then refuses it) rather than an error."""
    assert extract(b"", "text/html").strip() == ""


def test_a_page_of_scripts_and_styles_only_extracts_to_nothing() -> None:
    """A page whose only content is scripts, styles and a cookie banner has no document text."""
    html = (
        "<html><head><style>p{color:red}</style></head><body><script>var a='We collect data';</script>"
        "<div id='cookie-banner'>We use cookies. Accept all?</div><noscript>enable JS</noscript></body></html>"
    )
    assert extract(html.encode(), "text/html").strip() == ""


def test_utf16_with_bom_is_read() -> None:
    """A UTF-16 page with a byte-order mark is decoded, not refused as binary."""
    data = codecs.BOM_UTF16_LE + page().encode("utf-16-le")
    text = extract(data, "text/html")
    assert "delete your personal data" in text


def test_mixed_encodings_are_read_line_by_line() -> None:
    """A UTF-8 page with a pasted Windows-1252 line keeps both lines' words."""
    data = (page().replace("</main>", "\n<p>Données personnelles</p>\n</main>")).encode("utf-8")
    data = data.replace(b"<p>We use", "\n<p>Caf\xe9 \x93quoted\x94 We use".encode("latin-1"))
    text = extract(data, "text/html")
    assert "Données personnelles" in text
    assert "Café" in text


def test_latin1_page_without_a_charset_is_read() -> None:
    """A Latin-1 page that declares no charset is decoded with its accents."""
    data = page(
        ["Vos données personnelles sont protégées et nous ne les vendons jamais à des tiers."]
    ).encode("latin-1")
    assert "données personnelles sont protégées" in extract(data, "text/html")


def test_malformed_html_still_yields_the_policy_text() -> None:
    """Unclosed tags, stray closers and broken attributes do not lose paragraphs."""
    html = (
        "<html><body><main><h1>Privacy Policy<p>We collect the information you give us.</div></span>"
        "<p class=x y=>We use your information to provide the services.<p =broken>You may ask us to delete it."
        "<table><tr><td>Retention<td>18 months</table></b></i></main>"
    )
    text = extract(html.encode(), "text/html")
    assert "We collect the information you give us." in text
    assert "You may ask us to delete it." in text
    assert "18 months" in text


def test_deeply_nested_html_is_walked() -> None:
    """Eight hundred nested elements (deeper than real policy pages go) are walked to the text inside."""
    # Beyond about 1,000 levels the recursive walk raises RecursionError (reported to the differ's owner).
    html = (
        "<html><body><main>" + "<div>" * 800 + "Deep clause text." + "</div>" * 800 + "</main></body></html>"
    )
    assert "Deep clause text." in extract(html.encode(), "text/html")


def test_a_huge_single_paragraph_is_extracted() -> None:
    """A 4 MB paragraph with no breaks is extracted whole."""
    sentence = "We may share your data with partners. "
    html = page([sentence * 100_000])
    text = extract(html.encode(), "text/html")
    assert text.count("We may share your data with partners.") == 100_000


NOISE = {
    "reflowed-whitespace": lambda h: h.replace("<p>", "\n\n   <p>  ").replace(" ", "  "),
    "emphasis-markup": lambda h: h.replace("information", "<strong>information</strong>"),
    "entities": lambda h: h.replace("'", "&#39;").replace("your", "&#121;our"),
    "cookie-banner-added": lambda h: h.replace(
        "<body>", "<body><div class='cookie-consent'>We use cookies. Accept all cookies?</div>"
    ),
    "scripts-added": lambda h: h.replace("</main>", "<script>window.dataLayer=[{'v':42}]</script></main>"),
    "nbsp-instead-of-space": lambda h: h.replace("personal data", "personal&nbsp;data"),
    "wrapping-divs": lambda h: h.replace("<main>", "<main><div><section>").replace(
        "</main>", "</section></div></main>"
    ),
    "comment-added": lambda h: h.replace("<h1>", "<!-- build 2026-11-22 --><h1>"),
}


@pytest.mark.parametrize("name", sorted(NOISE))
def test_rendering_noise_is_not_a_substantive_change(name: str) -> None:
    """Re-rendering the same policy with noise (whitespace, markup, entities, banners, scripts) reports no substantive change."""
    before = extract(page().encode(), "text/html")
    after = extract(NOISE[name](page()).encode(), "text/html")
    comparison = compare_texts(before, after)
    assert not comparison.substantive, [c.summary for c in comparison.changes]


def test_a_real_edit_among_noise_is_still_found() -> None:
    """A changed retention period wrapped in the same noise is reported as one substantive change."""
    before = extract(page().encode(), "text/html")
    edited = page([*PARAGRAPHS[:2], PARAGRAPHS[2] + " We keep backups for 18 months."])
    after = extract(NOISE["emphasis-markup"](NOISE["cookie-banner-added"](edited)).encode(), "text/html")
    comparison = compare_texts(before, after)
    assert comparison.substantive
    assert any("18 months" in (c.new_text or "") for c in comparison.changes)
