"""Splitting text into provisions (paragraphs under their headings) and provisions into sentences.

Good enough for policy prose: it protects common abbreviations (e.g., i.e., Inc., U.S.) and list markers, so a
sentence is the unit the classifier tags and quotes as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clausewatch_shared.prose import visible_text

# Abbreviations whose stop ends no sentence (and, in polarity, no clause).
ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "inc.",
    "ltd.",
    "llc.",
    "corp.",
    "co.",
    "u.s.",
    "u.k.",
    "e.u.",
    "no.",
    "vs.",
    "art.",
    "sec.",
    "para.",
    "mr.",
    "ms.",
    "dr.",
    "st.",
    "cf.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9(])")
# "as described in section I. How We Collect Your Personal Data" names a section by its number and title: the period
# after the number ends no sentence when two capitalised words follow (a title; "See section 4. It explains" ends
# one). Qwen's page writes "sectionI." with no space (its HTML: section<strong>I. …).
_SECTION_REFERENCE_END = re.compile(r"\bsections?\s?(?:[ivxlc]{1,5}|\d+(?:\.\d+)*)\.$", re.IGNORECASE)
_TITLE_START = re.compile(r"[\"“‘]?[A-Z][\w’'-]*\s+[\"“‘]?[A-Z]")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# A setext heading's underline ("=====" or "-----" under its title), or alone a thematic break ("---", "***", "___").
_SETEXT = re.compile(r"^\s*(=+|-{2,}|\*{3,}|_{3,})\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)]|\([a-z0-9]{1,4}\))\s+")
_SPACE = re.compile(r"\s+")
# A Markdown table's delimiter cell: "---", ":--:".
_DELIMITER_CELL = re.compile(r":?-{3,}:?")


@dataclass(frozen=True)
class Segment:
    """One provision of a document: its text, its position and the headings above it."""

    ordinal: int
    heading_path: tuple[str, ...]
    text: str


def split_sentences(text: str) -> list[str]:
    """Return the sentences of a provision, in order, whitespace-normalised, none empty.

    Sentences are the words a reader sees: a Markdown link is its label and emphasis marks go (decision 0133), so a
    link target ("https://x.ai/legal/faq") never reads as the word "AI" to a pattern, and evidence quotes read well.
    """
    flat = _SPACE.sub(" ", visible_text(text)).strip()
    if not flat:
        return []
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        candidate = flat[start : match.start()].rstrip()
        # "(Art. 6 (4) UK GDPR)" and "(e.g. Facebook)": the abbreviation may follow an opening bracket or quote.
        last_word = candidate.rsplit(" ", 1)[-1].lower().lstrip("([{\"'“‘")
        # Don't end a sentence after an abbreviation or a lone initial ("J. Smith").
        if last_word in ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
            continue
        if _SECTION_REFERENCE_END.search(candidate[-24:]) and _TITLE_START.match(flat, match.end()):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(flat[start:].strip())
    return [p for p in pieces if p]


def table_cells(text: str) -> tuple[str, ...]:
    """The non-empty cells of a Markdown table row ("| Purpose | Data |"), or () for text that is not one or for the
    delimiter row ("| --- | :---: |").

    A sentence holding two "|" runs across cells: the segmenter leaves a table row as one sentence.
    """
    if text.count("|") < 2:
        return ()
    cells = (cell.strip() for cell in text.split("|"))
    return tuple(cell for cell in cells if cell and not _DELIMITER_CELL.fullmatch(cell))


def _delimiter_row(line: str) -> bool:
    """Whether a table line is the row under the header ("| --- | :---: |"), which holds no words."""
    return all(_DELIMITER_CELL.fullmatch(cell.strip()) for cell in line.strip().strip("|").split("|"))


def split_provisions(text: str) -> list[Segment]:
    """Split a document into provisions: Markdown headings set the path, blank lines, list items and table rows
    split."""
    segments: list[Segment] = []
    headings: list[tuple[int, str]] = []
    buffer: list[str] = []

    def flush() -> None:
        body = _SPACE.sub(" ", " ".join(buffer)).strip()
        buffer.clear()
        if body:
            segments.append(Segment(len(segments), tuple(h for _, h in headings), body))

    def open_section(level: int, title: str) -> None:
        headings[:] = [h for h in headings if h[0] < level]
        headings.append((level, title))

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            open_section(len(heading.group(1)), heading.group(2).strip())
            continue
        underline = _SETEXT.match(line)
        if underline:
            # "Information We Collect" above a line of "-" is a heading, as the differ reads it; the CLI's document mode
            # took the two lines for a provision, "Information We Collect ------", classified (session 26). Under
            # nothing, such a line is a rule between sections.
            if len(buffer) == 1 and underline.group(1)[0] in "=-":
                title = buffer.pop()
                open_section(1 if underline.group(1).startswith("=") else 2, title)
            else:
                flush()
            continue
        if not line.strip():
            flush()
            continue
        if line.lstrip().startswith("|"):
            # A table row is a provision of its own, as the differ makes it: a table read as one text joins one
            # row's words to another's (session 21). The delimiter row holds no words.
            flush()
            if not _delimiter_row(line):
                buffer.append(line.strip())
                flush()
            continue
        if _LIST_MARKER.match(line):
            flush()
            buffer.append(_LIST_MARKER.sub("", line, count=1))
            continue
        buffer.append(line.strip())
    flush()
    return segments
