"""Word-level diffs with diff-match-patch: words are mapped to single characters, diffed, and mapped back.

The result is a list of `[op, text]` segments (op: "=", "-", "+") whose texts, joined, give back the old text
(without "+") and the new text (without "-"). It is stored as `Change.diff` so any reader can render it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import cast

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel

from clausewatch_shared.prose import ADDRESS, may_hold_address

# A token is a word, a run of spaces, or one other character: diffs then never split a word.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# The same tokens for ASCII text, with the classes spelled out (`\s` also holds \x1c-\x1f): explicit ranges
# are cheaper for the regex engine than Unicode category look-ups.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+|[\t\n\x0b\x0c\r\x1c-\x1f ]+|[^A-Za-z0-9_\t\n\x0b\x0c\r\x1c-\x1f ]")
# A web or e-mail address is one token: a changed address reads as one replacement, not as its fragments. So is a
# Markdown link's relative target ("](/legal/privacy-policy/previous-2025-07-10)"): cut at its dashes, the diff
# matched its "2025" with a year of the text and showed "[+…previous-+]2025[+-07-10) )+]" (demo, session 15).
# A Markdown link to an address, with a short label (up to four words: "[contacting us](https://…)", the address as
# its own label), is one token too: label and target diffed apart, Grok's moved portal read "[[-A-][+B+]]([-A-][+B+])"
# in its e-mail (demo, session 19); whole, the old and the new link read as links. A relative target stays a token of
# its own beside its label: the e-mail shows no relative target, and "[-here-][+here+]" would hide what changed. A
# longer label is prose, diffed word by word.
_ADDRESS_TOKEN = re.compile(
    rf"\[[^\[\]\s]+(?: [^\[\]\s]+){{0,3}}\]\((?:https?://|mailto:)[^\s()]+\)|{ADDRESS.pattern}"
    rf"|(?<=\]\()[^\s()]+(?=\))|\w+|\s+|[^\w\s]",
    re.UNICODE,
)
_OPS = {0: "=", -1: "-", 1: "+"}
COARSE_ABOVE_CHARS = 1_000_000
# A phrase ends after sentence punctuation or after a long word: boundaries depend on content, not position.
_PHRASE = re.compile(r"(?:[^.;!?\n]*?(?:[.;!?\n]+|\w{8,}))\s*|.+$", re.S)
# Above this many cells (len(a) * len(b)) the exact LCS gives way to diff-match-patch with its time budget.
_EXACT_LIMIT = 20_000_000
# Above this many tokens in the edited middle, tokens are grouped in chunks first (20 MB inputs).
_CHUNK_ABOVE = 200_000

Segment = list[str]


def _engine(timeout: float) -> diff_match_patch:
    dmp = diff_match_patch()
    # A time budget keeps pathological inputs (megabytes of rewritten text) from hanging; past it the diff is
    # still correct, only less minimal.
    dmp.Diff_Timeout = timeout
    return dmp


def tokenize(text: str) -> list[str]:
    """Return text as addresses, words, whitespace runs and single punctuation characters."""
    if may_hold_address(text) or "](" in text:
        return _ADDRESS_TOKEN.findall(text)
    return (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)


def private_char(n: int) -> str:
    """Return the character that stands for the n-th distinct token when sequences are diffed as strings."""
    code = n + 0x100
    # Skip the surrogate range, which cannot appear alone in a str that diff-match-patch slices.
    if code >= 0xD800:
        code += 0x800
    return chr(code)


def encode(a: list[str], b: list[str], vocab: dict[str, str] | None = None) -> tuple[str, str, list[str]]:
    """Return two token lists as strings of one private character per distinct token, and the decoding table."""
    vocab = {} if vocab is None else vocab
    table: list[str] = list(vocab)

    def chars(tokens: list[str]) -> str:
        out = []
        for tok in tokens:
            ch = vocab.get(tok)
            if ch is None:
                ch = private_char(len(table))
                vocab[tok] = ch
                table.append(tok)
            out.append(ch)
        return "".join(out)

    return chars(a), chars(b), table


def seq_diff(a: Sequence[str], b: Sequence[str], timeout: float = 1.0) -> list[tuple[int, list[str]]]:
    """Return the diff of two token sequences as (op, tokens) runs; op is 0 equal, -1 deleted, 1 inserted.

    Sequences small enough go whole to rapidfuzz's Indel opcodes (an exact LCS, bit-parallel C++, which cuts the
    common prefix and suffix itself). Larger ones have the common prefix and suffix cut here first (most edits are
    local); a middle still too large goes to diff-match-patch, whose time budget bounds megabyte-sized rewrites.
    """
    n, m = len(a), len(b)
    if n * m <= _EXACT_LIMIT and n + m <= _CHUNK_ABOVE:
        # rapidfuzz cuts the common prefix and suffix itself, in C++: the same opcodes as cutting them below.
        return _indel_runs(a, b)
    head = 0
    while head < n and head < m and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    mid_a, mid_b = a[head : n - tail], b[head : m - tail]
    out: list[tuple[int, list[str]]] = []
    if head:
        out.append((0, list(a[:head])))
    if not mid_a and mid_b:
        out.append((1, list(mid_b)))
    elif mid_a and not mid_b:
        out.append((-1, list(mid_a)))
    elif mid_a and mid_b:
        if len(mid_a) + len(mid_b) > _CHUNK_ABOVE:
            out.extend(_chunked_diff(mid_a, mid_b, timeout))
        elif len(mid_a) * len(mid_b) <= _EXACT_LIMIT:
            out.extend(_indel_runs(mid_a, mid_b))
        else:
            out.extend(_dmp_diff(list(mid_a), list(mid_b), timeout))
    if tail:
        out.append((0, list(a[n - tail :])))
    return out


def _indel_runs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Return rapidfuzz's exact LCS opcodes of two sequences as (op, tokens) runs."""
    out: list[tuple[int, list[str]]] = []
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            out.append((0, list(a[op.src_start : op.src_end])))
        else:
            if op.src_end > op.src_start:
                out.append((-1, list(a[op.src_start : op.src_end])))
            if op.dest_end > op.dest_start:
                out.append((1, list(b[op.dest_start : op.dest_end])))
    return out


def _indel_texts(a: list[str], b: list[str]) -> list[tuple[int, str]]:
    """Return `_indel_runs(a, b)` with each run's tokens joined into one text."""
    out: list[tuple[int, str]] = []
    join = "".join
    opcodes = cast("list[tuple[str, int, int, int, int]]", Indel.opcodes(a, b).as_list())
    for tag, src_start, src_end, dest_start, dest_end in opcodes:
        if tag == "equal":
            out.append((0, join(a[src_start:src_end])))
        else:
            if src_end > src_start:
                out.append((-1, join(a[src_start:src_end])))
            if dest_end > dest_start:
                out.append((1, join(b[dest_start:dest_end])))
    return out


def _chunks(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """Cut tokens into content-defined chunks (ends after sentence marks or at tokens whose hash says so).

    Boundaries depend on the tokens, not on positions, so an insertion shifts no chunk after it.
    """
    chunks: list[tuple[str, ...]] = []
    start = 0
    for k, tok in enumerate(tokens):
        if tok in {".", "\n", "\n\n", ";"} or hash(tok) % 61 == 0:
            chunks.append(tuple(tokens[start : k + 1]))
            start = k + 1
    if start < len(tokens):
        chunks.append(tuple(tokens[start:]))
    return chunks


def _chunked_diff(a: Sequence[str], b: Sequence[str], timeout: float) -> list[tuple[int, list[str]]]:
    """Diff very long token sequences chunk by chunk: coarser near edits, but linear enough never to hang."""
    out: list[tuple[int, list[str]]] = []
    for op, chunks in seq_diff(_chunks(a), _chunks(b), timeout):  # type: ignore[arg-type]
        out.append((op, [tok for chunk in chunks for tok in chunk]))
    return out


def _dmp_diff(a: list[str], b: list[str], timeout: float) -> list[tuple[int, list[str]]]:
    sa, sb, table = encode(a, b)
    base = 0x100
    out: list[tuple[int, list[str]]] = []
    for op, chunk in _engine(timeout).diff_main(sa, sb, False):
        toks = []
        for ch in chunk:
            code = ord(ch) - base
            if code >= 0xD800 - base:
                code -= 0x800
            toks.append(table[code])
        out.append((op, toks))
    return out


def word_diff(old: str, new: str, timeout: float = 1.0) -> list[Segment]:
    """Return the word-level diff of two texts as `[op, text]` segments, adjacent ones of a kind merged.

    Texts over a megabyte are diffed by phrase (content-defined pieces of about ten words) rather than by word,
    which keeps a 20 MB input to seconds.
    """
    if len(old) + len(new) > COARSE_ABOVE_CHARS:
        a, b = _PHRASE.findall(old), _PHRASE.findall(new)
    else:
        a, b = tokenize(old), tokenize(new)
    runs: Iterable[tuple[int, str]]
    if len(a) * len(b) <= _EXACT_LIMIT and len(a) + len(b) <= _CHUNK_ABOVE:
        # seq_diff's first path (the exact LCS), each run's tokens joined straight from the opcodes.
        runs = _indel_texts(a, b)
    else:
        runs = ((op, "".join(toks)) for op, toks in seq_diff(a, b, timeout))
    segments: list[Segment] = []
    current = 0
    parts: list[str] = []
    for op, text in runs:
        if not text:
            continue
        if op != current and parts:
            segments.append([_OPS[current], "".join(parts)])
            parts = []
        current = op
        parts.append(text)
    if parts:
        segments.append([_OPS[current], "".join(parts)])
    return _tidy(segments)


def _tidy(segments: list[Segment]) -> list[Segment]:
    """Fold whitespace-only equal runs between two edits into the edits, so "a b" → "c d" reads as one swap.

    Each edit group is then written as its deletions followed by its insertions, which is how people read a
    replacement. Texts are collected in lists and joined once: a long provision has thousands of runs.
    """
    grouped: list[Segment] = []
    minus: list[str] = []
    plus: list[str] = []
    last = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == "-":
            minus.append(text)
        elif op == "+":
            plus.append(text)
        elif (minus or plus) and i < last and segments[i + 1][0] != "=" and not text.strip():
            # A space between two edits belongs to both sides of the edit.
            minus.append(text)
            plus.append(text)
        else:
            _flush_edit(grouped, minus, plus)
            grouped.append([op, text])
    _flush_edit(grouped, minus, plus)
    return grouped


def _flush_edit(grouped: list[Segment], minus: list[str], plus: list[str]) -> None:
    """Append the pending deletions then insertions to `grouped` and empty the pending lists."""
    if minus:
        grouped.append(["-", "".join(minus)])
        minus.clear()
    if plus:
        grouped.append(["+", "".join(plus)])
        plus.clear()


def old_side(segments: list[Segment]) -> str:
    """Return the old text a diff was built from."""
    return "".join(t for op, t in segments if op != "+")


def new_side(segments: list[Segment]) -> str:
    """Return the new text a diff was built from."""
    return "".join(t for op, t in segments if op != "-")
