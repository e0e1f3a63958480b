"""Side-by-side word diffs for the change page (pure).

The differ stores word-level segments in `Change.diff`. We accept the shapes a segment list is likely to take
(`["equal", "text"]` pairs, `{"op": "insert", "text": ...}` dicts, `+`/`-`/`=` tags, replace segments with
old and new text), and when the list is missing or unreadable we diff the old and new text ourselves, so a change
always shows what was removed and what was added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clausewatch_shared.prose import count_words, uncut_links

_EQUAL = {"equal", "=", " ", "same", "unchanged", "keep", "context", "eq"}
_INSERT = {"insert", "+", "added", "add", "ins", "inserted", "new"}
_DELETE = {"delete", "-", "removed", "remove", "del", "deleted", "old"}
_REPLACE = {"replace", "~", "changed", "modify", "modified", "sub"}
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class SideBySide:
    """The old and new sides as lists of (kind, text) runs; kind is '', 'del' or 'ins'."""

    old: list[tuple[str, str]] = field(default_factory=list)
    new: list[tuple[str, str]] = field(default_factory=list)

    @property
    def deleted_words(self) -> int:
        """How many words the new side lost."""
        return sum(count_words(t) for k, t in self.old if k == "del")

    @property
    def inserted_words(self) -> int:
        """How many words the new side gained."""
        return sum(count_words(t) for k, t in self.new if k == "ins")


def _segment(item: Any) -> tuple[str, str, str] | None:
    """Return (op, old text, new text) for one stored segment, or None if unreadable."""
    if isinstance(item, Mapping):
        op = item.get("op", item.get("kind", item.get("type", item.get("tag"))))
        text = item.get("text", item.get("value", item.get("words")))
        old = item.get("old", item.get("old_text", item.get("a")))
        new = item.get("new", item.get("new_text", item.get("b")))
    elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) in (2, 3):
        op, text = item[0], item[1]
        old, new = (item[1], item[2]) if len(item) == 3 else (None, None)
    else:
        return None
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    if not isinstance(op, str):
        return None
    op = op.lower()
    if op in _EQUAL and isinstance(text, str):
        return ("equal", text, text)
    if op in _INSERT and isinstance(text if text is not None else new, str):
        return ("insert", "", text if text is not None else new)
    if op in _DELETE and isinstance(text if text is not None else old, str):
        return ("delete", text if text is not None else old, "")
    if op in _REPLACE and isinstance(old, str) and isinstance(new, str):
        return ("replace", old, new)
    return None


def _join(runs: list[tuple[str, str]], kind: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == kind:
        runs[-1] = (kind, runs[-1][1] + text)
    else:
        runs.append((kind, text))


def _spaced(runs: list[tuple[str, str]], kind: str, text: str) -> None:
    """Append text, putting back the space a token list drops between two words (never inside brackets: a link
    cut apart read "[ Apple … ]( https://…)")."""
    if (
        runs
        and text
        and not runs[-1][1][-1:].isspace()
        and not text[:1].isspace()
        and text[:1] not in ".,;:!?)]"
        and runs[-1][1][-1:] not in "[("
    ):
        _join(runs, kind if runs[-1][0] == kind else "", " ")
    _join(runs, kind, text)


def from_segments(diff: Sequence[Any]) -> SideBySide | None:
    """Build the two sides from stored segments; None if any segment is unreadable or none is a change."""
    view = SideBySide()
    changed = False
    for item in diff:
        seg = _segment(item)
        if seg is None:
            return None
        op, old, new = seg
        if op == "equal":
            _spaced(view.old, "", old)
            _spaced(view.new, "", new)
        else:
            changed = True
            _spaced(view.old, "del", old)
            _spaced(view.new, "ins", new)
    return view if changed or diff else None


def coalesce(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join changed runs separated only by a space, so '30 days' is one highlight rather than two."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(runs):
        kind, text = runs[i]
        if (
            kind == ""
            and text.isspace()
            and out
            and out[-1][0]
            and i + 1 < len(runs)
            and runs[i + 1][0] == out[-1][0]
        ):
            out[-1] = (out[-1][0], out[-1][1] + text + runs[i + 1][1])
            i += 2
            continue
        out.append((kind, text))
        i += 1
    return out


def from_texts(old: str | None, new: str | None) -> SideBySide:
    """Diff two texts word by word (whitespace kept) and return the two sides."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    view = SideBySide()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _join(view.old, "", "".join(a[i1:i2]))
            _join(view.new, "", "".join(b[j1:j2]))
        else:
            _join(view.old, "del", "".join(a[i1:i2]))
            _join(view.new, "ins", "".join(b[j1:j2]))
    return SideBySide(old=coalesce(view.old), new=coalesce(view.new))


def side_by_side(diff: Sequence[Any] | None, old: str | None, new: str | None) -> SideBySide:
    """Return the side-by-side view: from the stored segments when they read well, else from the texts.

    Each run is rendered alone, so links and bold runs the diff cut apart are written as text (`uncut_links`).
    """
    view = None
    if diff:
        view = from_segments(diff)
        if view is not None and not (
            "".join(t for _, t in view.new).split() == (new or "").split() or not new
        ):
            view = None
    if view is None:
        view = from_texts(old, new)
    return SideBySide(old=_uncut(view.old), new=_uncut(view.new))


def _uncut(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    texts = uncut_links([text for _, text in runs])
    return [(kind, text) for (kind, _), text in zip(runs, texts, strict=True) if text]
