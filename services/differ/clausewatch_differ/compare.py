"""Compare two versions: align their provisions and describe each change (kind, significance, hints, diff).

Significance follows one rule: a change is substantive when the words differ once markup, link targets, case,
punctuation and date formats are ignored (`normalize.comparison_tokens`); anything else is cosmetic. A move is
substantive (the provision now sits elsewhere), a split or merge with the same words is not.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from clausewatch_differ.align import Match, align_parts
from clausewatch_differ.announced import announced_end
from clausewatch_differ.blocks import Block, parse_blocks
from clausewatch_differ.hints import REARRANGED, cosmetic_kinds, modification_hints, only_dates_changed
from clausewatch_differ.normalize import comparison_tokens, is_date_line
from clausewatch_differ.worddiff import Segment, word_diff
from clausewatch_shared.stated_dates import announced_dates

_KIND_NAMES = {
    "heading": "heading",
    "paragraph": "paragraph",
    "item": "list item",
    "row": "table row",
    "quote": "quotation",
    "code": "block",
}
_SNIPPET = 90
_CELL_BREAK = re.compile(r"\s*\|\s*")
_CELL_HEADING = re.compile(r"(^|— )#{1,6} ")
_HINTS_UP_TO_CHARS = 200_000


@dataclass
class ChangeRecord:
    """One provision-level change between two versions."""

    kind: str  # added | removed | modified | moved
    significance: str  # substantive | cosmetic
    old_blocks: list[int]
    new_blocks: list[int]
    heading_path: list[str]
    old_text: str | None
    new_text: str | None
    hints: list[str]
    summary: str
    diff: list[Segment]

    def as_json(self) -> dict[str, Any]:
        """Return the change in the CLI's JSON contract."""
        return {
            "kind": self.kind,
            "significance": self.significance,
            "heading_path": self.heading_path,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "hints": self.hints,
            "summary": self.summary,
            "diff": self.diff,
        }


@dataclass
class Comparison:
    """The result of comparing two versions."""

    old: list[Block]
    new: list[Block]
    changes: list[ChangeRecord]
    inherited: dict[int, int] = field(
        default_factory=dict
    )  # new block index -> old block index (same provision)

    @property
    def substantive(self) -> bool:
        """Return True if any change is substantive."""
        return any(c.significance == "substantive" for c in self.changes)

    def counts(self) -> dict[str, int]:
        """Return how many changes of each kind there are."""
        out = {"added": 0, "removed": 0, "modified": 0, "moved": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out

    def summary(self) -> str:
        """Return one line describing the whole change set."""
        if not self.changes:
            return "No change."
        subst = [c for c in self.changes if c.significance == "substantive"]
        cosmetic = len(self.changes) - len(subst)
        if not subst:
            return f"Cosmetic changes only ({cosmetic}): no words changed."
        counts: dict[str, int] = {}
        for change in subst:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        parts = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        head = f"{len(subst)} substantive change{'s' if len(subst) != 1 else ''} ({parts})"
        # A new "last updated" date comes first in most policies and says nothing about what changed: the summary
        # leads with the first other change, when there is one, and says the date moved. A section's new or removed
        # title comes before the paragraphs it heads and says less than they do (decision 0152): they lead.
        # A notice that a new version is coming, or a date line added or dropped with it, says less still (0160).
        dated = {id(c) for c in subst if _a_new_date(c)}
        quiet = dated | {id(c) for c in subst if _a_notice(c)}
        lead = next(
            (c for c in subst if id(c) not in quiet and "heading" not in c.hints),
            next((c for c in subst if id(c) not in quiet), subst[0]),
        )
        noted = bool(dated) and len(dated) < len(subst)
        if noted:
            head += f", {len(dated)} of them new dates" if len(dated) > 1 else ", one of them a new date"
        if cosmetic:
            head += f"{',' if noted else ''} and {cosmetic} cosmetic"
        return f"{head}. First: {lead.summary}"[:2000]


def compare_texts(old_text: str, new_text: str) -> Comparison:
    """Compare two clean Markdown texts (the new one's unchanged provisions reuse the old one's words)."""
    old = parse_blocks(old_text)
    return compare_versions(old, parse_blocks(new_text, like=old))


def compare_versions(old: list[Block], new: list[Block]) -> Comparison:
    """Compare two versions of a page by the version each shows as its own (decision 0160).

    A page that carries an announced version above the one still in force is compared by its announced part: what
    the coming version changes, rather than the whole of it added. The comparison's `old` and `new` are then the
    leading blocks compared, shorter than the versions. When the parts compared do not differ, only the copy of the
    version in force changed, and the pages are compared whole: that is still a change of the page.
    """
    old_end, new_end = announced_end(old), announced_end(new)
    if old_end < len(old) or new_end < len(new):
        comparison = compare_blocks(old[:old_end], new[:new_end])
        if comparison.changes:
            return comparison
    return compare_blocks(old, new)


def compare_blocks(old: list[Block], new: list[Block]) -> Comparison:
    """Compare two lists of blocks and return the changes in new-document order."""
    anchors, matches = align_parts(old, new)
    # The "same" pairs come first (as in `align`): the new-to-old map and the records keep that order.
    inherited = {b: a for a, b in anchors}
    changes: list[tuple[float, ChangeRecord]] = []
    for a, b in anchors:
        if old[a].text != new[b].text:  # same words, other text: a cosmetic change (most pairs are unchanged)
            record = _describe(old, new, Match([a], [b], "same"))
            if record is not None:
                changes.append((float(b), record))
    for match, position in zip(matches, _positions(anchors, matches), strict=True):
        if match.old and match.new:
            inherited[match.new[0]] = match.old[0]
        record = _describe(old, new, match)
        if record is not None:
            changes.append((position, record))
    changes.sort(key=lambda pair: pair[0])
    records = [record for _, record in changes]
    _document_guard(old, new, records)
    return Comparison(old, new, records, inherited)


def _positions(pairs: list[tuple[int, int]], matches: list[Match]) -> list[float]:
    """Return a sort key per match in new-document order; a removal sits just after its old predecessor's match.

    `pairs` are the (old, new) blocks of the "same" matches, which count as predecessors too.
    """
    keys: list[float] = []
    old_to_new: dict[int, int] | None = None
    anchors: list[int] = []
    for match in matches:
        if match.new:
            keys.append(float(match.new[0]))
            continue
        if old_to_new is None:
            # Built on the first removal only: most comparisons have none.
            old_to_new = dict(pairs)
            old_to_new.update((m.old[0], m.new[0]) for m in matches if m.old and m.new)
            anchors = sorted(old_to_new)
        i = match.old[0]
        k = bisect.bisect_left(anchors, i) - 1
        base = old_to_new[anchors[k]] if k >= 0 else -1
        keys.append(base + 0.5 + i * 1e-6)
    return keys


def _document_guard(old: list[Block], new: list[Block], records: list[ChangeRecord]) -> None:
    """Keep the document-level verdict consistent with the words: same words overall means nothing substantive."""
    # Tokens hold no spaces, so the joined words of the non-empty blocks are equal exactly when the token
    # sequences are: one string comparison instead of two lists of every word of the document.
    if _all_words(old) == _all_words(new):
        for record in records:
            if record.significance == "substantive":
                record.significance = "cosmetic"
                record.hints = [*record.hints, "rearranged"] if record.kind == "moved" else record.hints
                record.summary = f"Cosmetic: {record.summary}"
    elif not any(r.significance == "substantive" for r in records):
        for record in records:
            record.significance = "substantive"


def _all_words(blocks: list[Block]) -> str:
    return " ".join([b.words for b in blocks if b.words])


def _text(blocks: list[Block], indexes: list[int]) -> str | None:
    if not indexes:
        return None
    return "\n\n".join(blocks[i].text for i in indexes)


def _path(blocks: list[Block], indexes: list[int]) -> list[str]:
    if not indexes:
        return []
    block = blocks[indexes[0]]
    return list(block.heading_path)


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if "|" in flat:
        # A table row is quoted as its cells ("To improve your experience — Data about profile photos"), as the
        # pages show rows, not as "| To improve … | Data … |" with a cell's "##### " heading marks (242 summaries of
        # the bundled histories quoted the pipes).
        flat = _CELL_HEADING.sub(r"\1", _CELL_BREAK.sub(" — ", flat).strip(" —"))
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 1].rstrip() + "…"


def _where(path: list[str]) -> str:
    return f' under "{" > ".join(_snippet(p) for p in path[-2:])}"' if path else ""


def _describe(old: list[Block], new: list[Block], match: Match) -> ChangeRecord | None:
    record = _describe_match(old, new, match)
    if (
        record is not None
        and all(old[i].kind == "heading" for i in match.old)
        and all(new[j].kind == "heading" for j in match.new)
    ):
        # A section's title, not a provision of its own: the analyzer leaves its severity to the provisions under
        # it (eharmony's new bold title "Biometric Information Collected with Your Consent …" led its alert, medium,
        # beside the paragraph it heads, low; decision 0152).
        record.hints = ["heading", *record.hints]
    return record


def _describe_match(old: list[Block], new: list[Block], match: Match) -> ChangeRecord | None:
    if match.relation == "same" and old[match.old[0]].text == new[match.new[0]].text:
        return None
    old_text, new_text = _text(old, match.old), _text(new, match.new)
    path = _path(new, match.new) or _path(old, match.old)
    # A split names what was split (a paragraph made into a list is a paragraph modified); the rest, the new block.
    any_block = new[match.new[0]] if match.new and match.relation != "split" else old[match.old[0]]
    noun = _KIND_NAMES.get(any_block.kind, "provision")
    if match.relation == "same":
        if old_text == new_text:
            return None
        assert old_text is not None
        assert new_text is not None
        kinds = cosmetic_kinds(old_text, new_text)
        return ChangeRecord(
            "modified", "cosmetic", match.old, match.new, path, old_text, new_text, kinds,
            f"Cosmetic change ({', '.join(kinds)}) to a {noun}{_where(path)}.", word_diff(old_text, new_text),
        )  # fmt: skip
    if match.relation == "added":
        assert new_text is not None
        significance = "substantive" if new[match.new[0]].words else "cosmetic"
        return ChangeRecord(
            "added", significance, [], match.new, path, None, new_text, [],
            f'Added a {noun}{_where(path)}: "{_snippet(new[match.new[0]].plain)}"', [["+", new_text]],
        )  # fmt: skip
    if match.relation == "removed":
        assert old_text is not None
        significance = "substantive" if old[match.old[0]].words else "cosmetic"
        return ChangeRecord(
            "removed", significance, match.old, [], path, old_text, None, [],
            f'Removed a {noun}{_where(path)}: "{_snippet(old[match.old[0]].plain)}"', [["-", old_text]],
        )  # fmt: skip
    assert old_text is not None
    assert new_text is not None
    if match.relation == "moved":
        old_path = _path(old, match.old)
        hints = ["moved", *cosmetic_kinds(old_text, new_text)]
        origin = f' from "{" > ".join(old_path[-2:])}"' if old_path != path and old_path else ""
        return ChangeRecord(
            "moved", "substantive", match.old, match.new, path, old_text, new_text, hints,
            f'Moved a {noun}{origin}{_where(path).replace(" under", " to") or " within its section"}: '
            f'"{_snippet(new[match.new[0]].plain)}"',
            word_diff(old_text, new_text) if old_text != new_text else [["=", new_text]],
        )  # fmt: skip
    return _modified(old, new, match, old_text, new_text, path, noun)


def _modified(
    old: list[Block], new: list[Block], match: Match, old_text: str, new_text: str, path: list[str], noun: str
) -> ChangeRecord:
    diff = word_diff(old_text, new_text)
    # Hints and the summary read the visible words: a link target is not a word of the provision.
    if len(old_text) + len(new_text) > _HINTS_UP_TO_CHARS:
        old_plain, new_plain, plain_diff = old_text, new_text, diff
    else:
        old_plain = "\n".join(old[i].plain for i in match.old)
        new_plain = "\n".join(new[j].plain for j in match.new)
        # Provisions without markup are their own visible text: the same inputs give the same diff.
        same_inputs = old_plain == old_text and new_plain == new_text
        plain_diff = diff if same_inputs else word_diff(old_plain, new_plain)
    deleted = " ".join(t for op, t in plain_diff if op == "-")
    inserted = " ".join(t for op, t in plain_diff if op == "+")
    if len(match.old) == 1 and len(match.new) == 1:
        # One block each side: the texts are the blocks' own, whose words the parse already has.
        same_words = old[match.old[0]].words == new[match.new[0]].words
    else:
        same_words = comparison_tokens(old_text) == comparison_tokens(new_text)
    structural = [match.relation] if match.relation in {"split", "merged"} else []
    structural += sorted(match.gaps)
    as_list = _list_relation(old, new, match)
    if same_words:
        kinds = cosmetic_kinds(old_text, new_text)
        return ChangeRecord(
            "modified", "cosmetic", match.old, match.new, path, old_text, new_text, [*structural, *kinds],
            _cosmetic_summary(structural, noun, path, kinds, as_list),
            diff,
        )  # fmt: skip
    if len(old_text) + len(new_text) > _HINTS_UP_TO_CHARS:
        # Lexical hints about a provision of megabytes would say nothing useful and cost seconds.
        hints, details = ["reworded"], ["reworded"]
    else:
        hints, details = modification_hints(old_plain, new_plain, inserted, deleted)
    what = "; ".join([*(_structure_phrase([s], as_list) for s in structural), *details])
    change = _first_edit(plain_diff)
    if change and (change in what or change.replace('"', "") in what or REARRANGED in what):
        # The details already quote it (an address changed, decision 0138) or say it unquoted ("modal changed can →
        # will; reworded; "can" → "will""), or name the words that were new once moved words are set aside, which the
        # first edit of such a diff misreports.
        change = ""
    return ChangeRecord(
        "modified", "substantive", match.old, match.new, path, old_text, new_text, [*structural, *hints],
        f"Modified a {noun}{_where(path)}: {what}{'; ' + change if change else ''}."[:600],
        diff,
    )  # fmt: skip


def _a_new_date(change: ChangeRecord) -> bool:
    """Whether a modification only gives the document a new date: its dates alone changed, or it is a date line
    whose few other words changed too (Grok's "Effective: July 10, 2025" → "Effective: April 4, 2026 (previous
    version)")."""
    if change.kind != "modified" or "date_changed" not in change.hints:
        return False
    old, new = change.old_text or "", change.new_text or ""
    return only_dates_changed(old, new) or (is_date_line(old) and is_date_line(new))


# A notice is a line or two: "We have made some updates to our Privacy Policy. This version … will go into effect on
# November 15, 2024. Until then, the current Privacy Policy continues to apply."
_NOTICE_CHARS = 400


def _a_notice(change: ChangeRecord) -> bool:
    """Whether an added or removed provision only dates the document or announces a coming version."""
    if change.kind not in ("added", "removed"):
        return False
    text = change.new_text or change.old_text or ""
    return len(text) <= _NOTICE_CHARS and (is_date_line(text) or bool(announced_dates(text)))


def _list_relation(old: list[Block], new: list[Block], match: Match) -> bool:
    """Whether a split made a paragraph into list items, or a merge made list items into a paragraph."""
    if match.relation == "split":
        whole, pieces = old[match.old[0]], [new[j] for j in match.new]
    elif match.relation == "merged":
        whole, pieces = new[match.new[0]], [old[i] for i in match.old]
    else:
        return False
    return whole.kind == "paragraph" and any(piece.kind == "item" for piece in pieces)


def _cosmetic_summary(
    structural: list[str], noun: str, path: list[str], kinds: list[str], as_list: bool = False
) -> str:
    """ "Cosmetic change (whitespace) to a paragraph under …", or what the layout did: "Merged several lines into one
    paragraph under … (whitespace)" (it read "merged from several of a paragraph", demo, session 15)."""
    what = ", ".join(kinds) or "same words"
    if "merged" in structural:
        lines = "a list" if as_list else "several lines"
        return f"Merged {lines} into one {noun}{_where(path)} ({what})."
    if "split" in structural:
        if as_list:
            return f"Made a {noun} into a list{_where(path)} ({what})."
        return f"Split a {noun} into several lines{_where(path)} ({what})."
    if "moved" in structural:
        return f"Moved a {noun}{_where(path)} ({what})."
    return f"Cosmetic change ({what}) to a {noun}{_where(path)}."


def _structure_phrase(structural: list[str], as_list: bool = False) -> str:
    phrases = {"split": "split into several", "merged": "merged from several", "moved": "moved"}
    if as_list:
        phrases |= {"split": "made into a list", "merged": "made from a list"}
    return ", ".join(phrases[s] for s in structural if s in phrases)


def _first_edit(diff: list[Segment]) -> str:
    for k, (op, text) in enumerate(diff):
        if op == "-":
            nxt = diff[k + 1] if k + 1 < len(diff) and diff[k + 1][0] == "+" else None
            if nxt:
                return f'"{_snippet(text.strip())}" → "{_snippet(nxt[1].strip())}"'
            return f'removed "{_snippet(text.strip())}"'
        if op == "+":
            return f'added "{_snippet(text.strip())}"'
    return ""
