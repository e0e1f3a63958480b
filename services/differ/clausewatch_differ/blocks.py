"""Provisions: split clean Markdown text into a tree of blocks (sections by heading, paragraphs, list items, rows).

A line-based reader, not a full CommonMark parser: governance documents use a small part of Markdown (ATX and
setext headings, lists, pipe tables, quotes, paragraphs), read here in one pass over the lines
(docs/decisions/0021-diff-libraries.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from clausewatch_differ.normalize import comparison_words, is_date_line, strip_markup

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_RULE = re.compile(r"^([-*_])(\s*\1){2,}\s*$")
_ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)]|[a-zA-Z][.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_BOLD_LINE = re.compile(r"^(\*\*|__)[^*_]{1,120}\1:?$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
# A heading's own section number: "3.", "3.2", "12)" or a capital letter ("D. To provide offers"), before its words.
_SECTION_NUMBER = re.compile(r"^(?:(\d{1,3}(?:\.\d{1,3})*)\.?|([A-Z])[.)])\s+\w")


@dataclass(slots=True)
class Block:
    """One provision: a heading, paragraph, list item, table row, quote or code block, with where it sits.

    `words` (the comparison words joined by single spaces, the provision's identity for alignment) is filled
    by `parse_blocks`; `tokens` (the same words as a list), `sig` and `plain` are computed on first use (a
    heading's `plain` at parse time: its path entry is made from it), since most provisions never need them.
    Blocks are shared between versions' parses: treat their fields as read-only.
    """

    kind: str
    text: str
    level: int = 0
    heading_path: tuple[str, ...] = ()
    parent: int | None = None
    # No default factory and positional construction: a version has thousands of blocks to build.
    words: str = ""
    _tokens: list[str] | None = field(default=None, repr=False, compare=False)
    _sig: str | None = field(default=None, repr=False, compare=False)
    _plain: str | None = field(default=None, repr=False, compare=False)

    @property
    def tokens(self) -> list[str]:
        """Return the comparison words as a list (`normalize.comparison_tokens` of the text)."""
        if self._tokens is None:
            # Tokens never hold whitespace, so splitting the joined words gives them back.
            self._tokens = self.words.split()
        return self._tokens

    @property
    def size(self) -> int:
        """Return how many comparison words the block has (without building their list)."""
        return self.words.count(" ") + 1 if self.words else 0

    @property
    def sig(self) -> str:
        """Return the short hash of the block's words (equal words give equal signatures; provision keys use it)."""
        if self._sig is None:
            # The hash of `signature(self.tokens)`, whose joined tokens are the words.
            self._sig = hashlib.blake2b(self.words.encode(), digest_size=10).hexdigest()
        return self._sig

    def share_words(self, other: Block) -> None:
        """Take the words (and whatever was computed from them) of a block with the same text."""
        self.words, self._tokens, self._sig, self._plain = (
            other.words,
            other._tokens,
            other._sig,
            other._plain,
        )

    @property
    def plain(self) -> str:
        """Return the block's visible text (markup and link targets dropped)."""
        if self._plain is None:
            self._plain = _visible(self.text)
        return self._plain


def _visible(text: str) -> str:
    """Return text without markup, emphasis marks and backslash escapes, its spaces collapsed."""
    text = strip_markup(text)
    # Each pattern needs one of its characters: most headings and provisions have none of them.
    if "*" in text or "_" in text or "`" in text:
        text = _EMPHASIS.sub("", text)
    if "\\" in text:
        # `_ESCAPE.sub(r"\1", text)` without a Python call per escape: split keeps the escaped characters.
        text = "".join(_ESCAPE.split(text))
    return " ".join(text.split())


class _Reader:
    """Accumulates lines into blocks while tracking the heading stack."""

    def __init__(self, known: dict[str, Block]) -> None:
        self.known = known  # the other version's blocks by text (see `parse_blocks`)
        self.blocks: list[Block] = []
        self.stack: list[tuple[int, str, int]] = []  # (level, heading text, block index)
        self.path: tuple[str, ...] = ()  # the stack's heading texts
        self.parent: int | None = None  # the stack's last block index
        self.para: list[str] = []
        self.para_kind = "paragraph"
        self.para_level = 0
        # The level of the last heading numbered in each sequence ("3." → ("1", ()): 3, level 3); see `heading`.
        self.numbered: dict[tuple[str, tuple[int, ...]], tuple[int, int]] = {}

    def flush(self) -> None:
        # Callers in the line loop test `para` first; with nothing pending, kind and level are the defaults.
        para = self.para
        if not para:
            return
        kind = self.para_kind
        if len(para) == 1 and kind == "paragraph" and para[0][0] in "*_" and _BOLD_LINE.match(para[0]):
            # A short line in bold on its own is how many policies mark a sub-heading.
            line = para[0]
            para.clear()
            self.heading(7, line)
            return
        text = " ".join(para)
        # A logo or an empty link ("![](//assets…/qwen_icon_light.png)") has no word to read: no provision; nor has
        # an empty quotation (a line holding only ">", found by the fuzz test).
        if text and (text[0] not in "![" or any(ch.isalnum() for ch in _visible(text))):
            self.blocks.append(Block(kind, text, self.para_level, self.path, self.parent))
        para.clear()
        if kind != "paragraph":
            self.para_kind = "paragraph"
            self.para_level = 0

    def add(self, kind: str, text: str, level: int = 0) -> None:
        self.blocks.append(Block(kind, text, level, self.path, self.parent))

    def heading(self, level: int, text: str) -> None:
        self.flush()
        # The visible text of a heading gives its path entry; the other version's block with this text has it.
        seen = self.known.get(text)
        plain = seen.plain if seen is not None else _visible(text)
        if is_date_line(plain):
            # "Last updated: March 18, 2026" set as a heading (Qwen Chat) heads nothing: in the path it would put
            # the date above every provision and change every path when the date changes.
            self.blocks.append(Block("heading", text, level, self.path, self.parent, _plain=plain))
            return
        level = self._sequence_level(plain, level)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.path = tuple(h for _, h, _ in self.stack)
        self.parent = self.stack[-1][2] if self.stack else None
        block = Block("heading", text, level, self.path, self.parent, _plain=plain)
        self.blocks.append(block)
        self.stack.append((level, plain.rstrip(":") or text, len(self.blocks) - 1))
        # The path and parent of the blocks that follow change only here: computed once per heading.
        self.path = (*self.path, self.stack[-1][1])
        self.parent = len(self.blocks) - 1

    def _sequence_level(self, plain: str, level: int) -> int:
        """Return the level this heading takes as the next of a numbered sequence ("3." after "2."), else `level`.

        Pages set numbered sections with whatever tags looked right: Tinder's "2. Where This Privacy Policy
        Applies" is an h2 and "3. Data We Collect" an h3, which by tags alone would put section 3 inside section 2
        (and 8, set in bold, inside 7). The next number of a sequence is a sibling of the one before it; a number that
        does not continue the sequence (a list of headings restarting at "1." inside a section) keeps its tag's level.
        """
        if not plain[:1].isalnum():
            return level
        match = _SECTION_NUMBER.match(plain)
        if match is None:
            return level
        if match.group(1):
            parts = tuple(int(p) for p in match.group(1).split("."))
            key, number = ("1", parts[:-1]), parts[-1]
        else:
            key, number = ("A", ()), ord(match.group(2))
        last = self.numbered.get(key)
        # One number may be missing between the two (Tinder's "10. Children's Privacy" ran into a paragraph).
        if last is not None and 0 < number - last[0] <= 2:
            # The shallower of the two: a section set in bold (level 7) after one set as an h3 is its sibling, and
            # an h3 after a bold one lifts the sequence back to its heading level.
            level = min(level, last[1])
        self.numbered[key] = (number, level)
        return level


def parse_blocks(text: str, like: Sequence[Block] = ()) -> list[Block]:
    """Return the blocks of clean Markdown text in document order, each with its heading path and words.

    `like` may hold the blocks of another version of the document (the one it will be compared with): a block
    whose text is the same there takes its words from it instead of normalising the text again, which is most
    blocks of a new version.
    """
    known = {b.text: b for b in like}
    reader = _Reader(known)
    para = reader.para  # the reader empties this list in place: one name for it in the loop
    flush = reader.flush
    lines = iter(text.split("\n"))
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if para:
                flush()
            continue
        first = stripped[0]
        # Fast path: most lines are prose starting with a letter, which can only continue or start a paragraph.
        if first.isalpha() and line[0] != " " and (len(stripped) < 2 or stripped[1] not in ".)"):
            if reader.para_kind == "quote":
                flush()
            para.append(stripped)
            continue
        # Each pattern below needs a particular first character: test it before calling the regex.
        if first in "`~" and _FENCE.match(stripped):
            if para:
                flush()
            fence = stripped[:3]
            body = []
            for inner in lines:  # the code block's lines, up to and including the closing fence
                if inner.strip().startswith(fence):
                    break
                body.append(inner)
            reader.add("code", "\n".join(body).strip())
            continue
        atx = _ATX.match(stripped) if first == "#" else None
        if atx:
            reader.heading(len(atx.group(1)), atx.group(2))
            continue
        # A setext underline turns the paragraph line above it into a heading.
        if (
            first in "=-"
            and _SETEXT.match(stripped)
            and para
            and reader.para_kind == "paragraph"
            and len(para) == 1
        ):
            title = para[0]
            para.clear()
            reader.heading(1 if stripped[0] == "=" else 2, title)
            continue
        # A rule ends with the character it starts with (stripped has no trailing space): "* item" is no rule.
        if first in "-*_" and stripped[-1] == first and _RULE.match(stripped):
            if para:
                flush()
            continue
        if first == "|":
            if para:
                flush()
            if not _TABLE_SEP.match(stripped):
                reader.add("row", stripped)
            continue
        if first == ">":
            if reader.para_kind != "quote":
                if para:
                    flush()
                reader.para_kind = "quote"
            para.append(stripped.lstrip("> ").strip())
            continue
        if first in "-*+•" and line[0] == first and len(line) > 1 and line[1].isspace():
            # An unindented bullet ("- text", "* text"): what _ITEM matches with no indent and a bullet marker,
            # which is never a letter, so it always starts an item.
            if para:
                flush()
            reader.para_kind = "item"
            para.append(stripped)
            continue
        item = _ITEM.match(line) if first.isalnum() or first in "-*+•" else None
        if item and not (para and reader.para_kind == "paragraph" and item.group(2)[0].isalpha()):
            if para:
                flush()
            reader.para_kind = "item"
            reader.para_level = len(item.group(1).expandtabs(4)) // 2
            para.append(stripped)
            continue
        if reader.para_kind == "quote":
            flush()
        para.append(stripped)
    reader.flush()
    fresh: list[Block] = []
    for block in reader.blocks:
        seen = known.get(block.text)
        if seen is None:
            fresh.append(block)
        else:
            block.share_words(seen)
    # The other blocks' words in one batch (most of a document is normalised in a few C-level passes).
    for block, words in zip(fresh, comparison_words([b.text for b in fresh]), strict=True):
        block.words = words
    return reader.blocks


def signature(tokens: Sequence[str]) -> str:
    """Return a short hash of a token list: equal words give equal signatures."""
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=10).hexdigest()
