"""Site menus that survive extraction: runs of bare links ("Products · Grok · API · Careers · Status").

A document declared without selectors is read from `<main>`, `<article>` or the whole body, minus `<nav>`,
`<footer>` and the like. Sites that build their footer from plain `<div>`s leave its menu in the text, and every
product the site adds to it is then reported as a new provision of the privacy policy (the demo's Grok history:
"𝕏" and "Grokipedia" were "added list items" of section 12).

Judged on the written Markdown, line by line, so the cost is linear whatever the page's nesting: a run of lines
that are each only links (a few words per link) or a short group label ("Products", "Try Grok On") is a menu when
it holds at least `MIN_LINKS` link lines and at least `LINKS_PER_LABEL` of them for each label. Any line of prose
ends a run. In-page anchors (a table of contents) are written as plain words by the extractor, so they are never
counted as links here.
"""

from __future__ import annotations

import re

from clausewatch_differ.normalize import MD_LINK

MIN_LINKS = 6
LINKS_PER_LABEL = 2
MAX_WORDS_PER_LINK = 4
MAX_LABEL_WORDS = 3

_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SEPARATORS = re.compile(r"[\s|·•/,–—-]*")
_WORD = re.compile(r"\w+")


def _kind(line: str) -> str:
    """Classify a non-blank line as "link" (only short links), "label" (a few words, no sentence) or "text"."""
    body = _LIST_MARKER.sub("", line, count=1)
    if body.startswith(("#", "|")):
        return "text"
    labels = [match.group(2) for match in MD_LINK.finditer(body)]
    if labels:
        link_words = sum(len(_WORD.findall(label)) for label in labels)
        short = link_words <= MAX_WORDS_PER_LINK * len(labels)
        return "link" if short and _SEPARATORS.fullmatch(MD_LINK.sub("", body)) else "text"
    words = len(_WORD.findall(body))
    if 0 < words <= MAX_LABEL_WORDS and not body.rstrip().endswith((".", ":", ";", "?", "!")):
        return "label"
    return "text"


def drop_link_menus(lines: list[str]) -> list[str]:
    """Return the Markdown lines without runs that read as a site menu (and the blank lines that closed them)."""
    kinds = [_kind(line) if line.strip() else "blank" for line in lines]
    drop: set[int] = set()
    i = 0
    while i < len(lines):
        if kinds[i] not in {"link", "label"}:
            i += 1
            continue
        run = []
        j = i
        while j < len(lines) and kinds[j] in {"link", "label", "blank"}:
            if kinds[j] != "blank":
                run.append(j)
            j += 1
        links = sum(1 for k in run if kinds[k] == "link")
        if links >= MIN_LINKS and links >= LINKS_PER_LABEL * (len(run) - links):
            drop.update(range(run[0], run[-1] + 1))
            if run[-1] + 1 < len(lines) and kinds[run[-1] + 1] == "blank":
                drop.add(run[-1] + 1)
        i = j
    return [line for n, line in enumerate(lines) if n not in drop]
