"""Does a page hold every section its own table of contents links to?

Tinder's privacy policy was published for twelve hours on 2025-04-17 without its sections 7 to 9 (cross-border
transfers, your rights, retention) while its table of contents still linked to them: Open Terms Archive recorded a
version that lost 1,281 words and one that gained them back. Taken at its word, such a capture tells subscribers that
their rights section was removed, then added again. A page whose in-page contents links point at anchors it does not
have is a page published or served incomplete, and the fetcher treats it as a capture to retry (docs/decisions/0151).

Guards against calling a whole page incomplete:
- only `#fragment` links whose text reads as a section title (letters, at most 15 words) count;
- a link whose title is a heading of the page is not missing, whatever its anchor: some sites give their headings
  ids from JavaScript, which a plain HTTP capture does not run;
- at least two targets must be missing and at least one present: one dangling link is a typo, and a contents list
  none of whose targets exist is a page that sets its anchors some other way, not a page cut short.
Pure module.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

MIN_MISSING = 2
_MAX_TITLE_WORDS = 15
# Elements a section title is set in: headings, bold runs, and the headers of accordions and definition lists.
_TITLE_ELEMENTS = "h1, h2, h3, h4, h5, h6, strong, b, dt, summary, button, th"
# "7.", "7.1", "VII.", "(a)", "a)" before a title: the contents list and the heading may number it differently.
_NUMBERING = re.compile(
    r"^\s*(?:\(?[0-9]+(?:\.[0-9]+)*[.)]?|\(?[ivxlc]{1,6}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")


def title_key(text: str) -> str:
    """Return a title's words, lowercase, without its numbering or punctuation ("7. Your Rights" -> "your rights")."""
    return " ".join(_WORD.findall(_NUMBERING.sub("", text).lower()))


def _anchors(tree: LexborHTMLParser) -> set[str]:
    """Return every anchor the page can scroll to: element ids and the names of `<a name>` targets."""
    found: set[str] = set()
    for node in tree.css("[id]"):
        found.add(node.attributes.get("id") or "")
    for node in tree.css("a[name]"):
        found.add(node.attributes.get("name") or "")
    found.discard("")
    return found


def _in_link(node: LexborNode) -> bool:
    """Return True if a node is part of an in-page link: a contents list set in bold names no section of the page."""
    if node.css_first('a[href^="#"]') is not None:
        return True
    parent = node.parent
    while parent is not None:
        if parent.tag == "a":
            return True
        parent = parent.parent
    return False


def _titles(tree: LexborHTMLParser) -> set[str]:
    """Return the keys of the page's title-like texts (headings, bold runs, accordion headers), links left out."""
    return {
        key
        for node in tree.css(_TITLE_ELEMENTS)
        if (key := title_key(node.text(deep=True))) and not _in_link(node)
    }


def _is_present(key: str, titles: set[str]) -> bool:
    """Return True if a contents entry is among the page's titles, or one holds the other's words in a row ("Your
    Rights" and "Your Rights and Choices"; a one-word title is not taken to hold a longer entry)."""
    if key in titles:
        return True
    padded = f" {key} "
    return any(padded in f" {title} " or (" " in title and f" {title} " in padded) for title in titles)


def missing_sections(html: str, *, anchors_from: str | None = None) -> list[str]:
    """Return the titles of sections the page's contents links point to but the page lacks ([] if none or too few).

    `anchors_from` is the page before the catalogue's `remove` selectors were applied: a section an operator chose
    not to watch is still on the page.
    """
    if "#" not in html:  # no in-page link at all: most pages, no parse
        return []
    tree = LexborHTMLParser(html)
    anchors = _anchors(LexborHTMLParser(anchors_from) if anchors_from is not None else tree)
    links: dict[str, str] = {}
    for node in tree.css('a[href^="#"]'):
        fragment = unquote((node.attributes.get("href") or "")[1:]).strip()
        title = " ".join(node.text(deep=True).split())
        words = title_key(title).split()
        if not fragment or fragment.startswith(("!", "/")) or not words or len(words) > _MAX_TITLE_WORDS:
            continue
        links.setdefault(fragment, title)
    present = [fragment for fragment in links if fragment in anchors]
    absent = {fragment: title for fragment, title in links.items() if fragment not in anchors}
    if not present or len(absent) < MIN_MISSING:
        return []
    titles = _titles(tree)
    missing = [title for title in absent.values() if not _is_present(title_key(title), titles)]
    return missing if len(missing) >= MIN_MISSING else []
