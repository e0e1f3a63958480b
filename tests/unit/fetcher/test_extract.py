"""Decoding and extraction: charsets from header, meta, BOM or a guess; select and remove selectors."""

from __future__ import annotations

import codecs

from clausewatch_fetcher.extract import decode_html, detect_charset, extract_text, extract_texts

TEXT = "Les données “personnelles” — c’est important. " * 20


def test_the_header_charset_wins() -> None:
    """A charset in Content-Type decides, and latin-1 labels read as windows-1252 like browsers do."""
    data = f"<p>{TEXT}</p>".encode("cp1252")
    assert detect_charset(data, "text/html; charset=ISO-8859-1") == "cp1252"
    assert "c’est" in decode_html(data, "text/html; charset=windows-1252")


def test_a_meta_charset_is_used_without_a_header() -> None:
    """<meta charset> is read when the header has none."""
    data = f"<html><head><meta charset='windows-1252'></head><body>{TEXT}</body></html>".encode("cp1252")
    assert "“personnelles”" in decode_html(data, "text/html")


def test_a_bom_and_a_guess_cover_undeclared_pages() -> None:
    """A UTF-8 BOM is honoured; undeclared non-UTF-8 bytes are guessed, not mangled into errors."""
    assert detect_charset(codecs.BOM_UTF8 + b"<p>x</p>") == "utf-8-sig"
    guessed = decode_html(f"<p>{TEXT}</p>".encode("cp1252"))
    assert "\ufffd" not in guessed


def test_select_keeps_declared_parts_in_order_and_remove_drops_boilerplate() -> None:
    """select returns its matches in selector order; remove and scripts never reach the text."""
    html = (
        "<body><nav>Menu</nav><section id='b'>Second</section><section id='a'>First <span class='ad'>AD</span>"
        "</section><script>var x = 1</script></body>"
    )
    assert extract_text(html, ["#a", "#b"], [".ad"]) == "First\nSecond"
    assert "Menu" in extract_text(html)
    assert "var x" not in extract_text(html)
    assert extract_text(html, ["#missing"]) == ""


def test_extract_texts_equals_both_extract_text_calls_from_one_parse() -> None:
    """The selected and the whole text from one parse are what two separate extractions give."""
    pages = [
        "<html><body><nav>Menu</nav><main><h1>Terms</h1><p>One.</p><script>x()</script></main>"
        "<footer>(c)</footer></body></html>",
        "<main><div class='a b'><p>Shared</p></div></main><article><p>Other</p></article>",
        "<body><p>No main here</p><style>p{}</style><noscript>Enable JS</noscript></body>",
        "",
    ]
    selections = [["main"], ["main", ".a"], ["article", "main"], ["#missing"]]
    for page in pages:
        for select in selections:
            assert extract_texts(page, select) == (extract_text(page, select), extract_text(page))
