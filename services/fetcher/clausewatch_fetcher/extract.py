"""Bytes to text: decode a page with the right charset, keep the declared content, drop the rest.

The fetcher extracts text only to judge a capture (is it the document, is it long enough, in the right language);
the stored evidence is always the raw bytes, and the differ does its own extraction from them.
Pure module.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser

# Elements whose text is never part of a document.
_NEVER_TEXT = "script, style, noscript, template, svg, iframe, object"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)

# WHATWG: browsers read these labels as windows-1252, and so do we (latin-1 has no curly quotes).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_charset(data: bytes, content_type: str | None = None) -> str:
    """Return the codec to read an HTML page with: BOM, then HTTP header, then <meta>, then a guess."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        codec = _codec(match.group(1)) if match else None
        if codec:
            return codec
    meta = _META_CHARSET.search(data[:4096])
    codec = _codec(meta.group(1).decode("ascii", "ignore")) if meta else None
    if codec:
        return codec
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data[:200_000]).best()
        return (_codec(best.encoding) if best is not None else None) or "cp1252"
    return "utf-8"


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Return the page as text, decoded with its detected charset (undecodable bytes replaced)."""
    return data.decode(detect_charset(data, content_type), errors="replace")


def _clean(text: str) -> str:
    # str.split() collapses every kind of whitespace (nbsp included) in C: far cheaper than a regex here.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def parse(html: str) -> LexborHTMLParser:
    """Parse HTML leniently (lexbor, the same algorithm as browsers)."""
    return LexborHTMLParser(html)


def extract_text(html: str, select: list[str] | None = None, remove: list[str] | None = None) -> str:
    """Return the visible text of the declared content: `select` parts in order (all of body if none), minus `remove`.

    A `select` that matches nothing returns "" on purpose: selector rot must read as an empty capture, not as the
    whole page (which would turn the site's navigation into a "new version").
    """
    tree = _text_tree(html, remove)
    return _selected_text(tree, select) if select else _whole_text(tree)


def extract_texts(html: str, select: list[str]) -> tuple[str, str]:
    """Return (`extract_text(html, select)`, `extract_text(html)`) from one parse of the page.

    Reading text leaves the tree as it was, so both come from the same tree: judging a page with selectors needed
    both, and parsed it twice.
    """
    tree = _text_tree(html, None)
    return _selected_text(tree, select), _whole_text(tree)


def _text_tree(html: str, remove: list[str] | None) -> LexborHTMLParser:
    tree = parse(html)
    for node in tree.css(_NEVER_TEXT):
        node.decompose()
    for selector in remove or []:
        for node in tree.css(selector):
            node.decompose()
    return tree


def _selected_text(tree: LexborHTMLParser, select: list[str]) -> str:
    chunks: list[str] = []
    seen: set[str] = set()
    for selector in select:
        for node in tree.css(selector):
            # Two selectors may match the same element: count its text once.
            key = node.html or ""
            if key in seen:
                continue
            seen.add(key)
            chunks.append(node.text(separator="\n"))
    return _clean("\n".join(chunks))


def _whole_text(tree: LexborHTMLParser) -> str:
    root = tree.body or tree.root
    return _clean(root.text(separator="\n")) if root is not None else ""


def page_title(html: str) -> str:
    """Return the <title> text, or ""."""
    node = parse(html).css_first("title")
    return _clean(node.text()) if node is not None else ""
