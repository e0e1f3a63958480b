"""Alignment: match the provisions of two versions, even when moved, renumbered, split or merged.

Steps, cheapest first:
1. Blocks with the same words in the same order are matched: identical leading and trailing blocks directly,
   the middle by an exact LCS over one character per distinct block (rapidfuzz): the common case, well under a
   millisecond for a policy.
2. Unmatched blocks with the same words elsewhere are moves.
3. Inside each gap between matches, a run of new blocks whose words are an old block's words is a split, and the
   reverse a merge.
4. Remaining blocks are paired by similarity (rapidfuzz, C++), first inside their gap, then across the document
   (a provision moved and reworded). Whatever stays unpaired is added or removed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, compress, count
from operator import ne

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from clausewatch_differ.blocks import Block
from clausewatch_differ.worddiff import _CHUNK_ABOVE, _EXACT_LIMIT, private_char, seq_diff

_MOVED = frozenset({"moved"})
# Similarity (0-100, rapidfuzz ratio over words) above which two provisions are taken to be one, reworded.
PAIR_THRESHOLD = 55.0
# Above this many candidate pairs, cross-gap matching is skipped: a near-total rewrite is reported as such.
MAX_CROSS_PAIRS = 250_000
# Above this many weighted cells the block anchors come from a patience diff instead of an exact LCS.
_EXACT_BLOCK_CELLS = 50_000_000
# Work bounds of the similarity matrix: characters compared per provision, and total cells.
_SCORE_CHARS = 4_000
MAX_MATRIX_CELLS = 60_000_000_000
# Split and merge detection tries windows of consecutive blocks: only in gaps small enough to stay fast.
MAX_SPLIT_PAIRS = 3_000
# Margin below a score bar under which an upper bound of the ratio rules a window out (float rounding).
_BOUND_SLACK = 1e-6
# Ratio a run of blocks needs to be taken for one block's words split (or merged) with no more than light edits.
SPLIT_BAR = 80.0
# A paragraph rewritten as a list (its lead-in and items, reworded on the way: "When you sign up, we collect:" then
# "* identifiers such as your full legal name…") keeps fewer of its exact words than a plain split, yet is one
# provision restructured, not one removed and four added. A list-shaped run is taken at this lower ratio when it
# beats every single block by the margin.
LIST_SPLIT_BAR = 60.0
LIST_SPLIT_MARGIN = 15.0
# Longest run of blocks tried as one block's pieces; longer for a list than for paragraphs.
WINDOW = 8
LIST_WINDOW = 24


@dataclass(slots=True)
class Match:
    """A correspondence between old and new blocks: one-to-one, one-to-many (split) or many-to-one (merge)."""

    old: list[int]
    new: list[int]
    relation: str  # same | moved | split | merged | similar | added | removed
    score: float = 100.0
    gaps: frozenset[str] = frozenset()  # immutable default: one match per provision, most never get any


def align(old: list[Block], new: list[Block], timeout: float = 1.0) -> list[Match]:
    """Return matches covering every old and every new block exactly once."""
    anchors, matches = align_parts(old, new, timeout)
    return [*(Match([a], [b], "same") for a, b in anchors), *matches]


def align_parts(
    old: list[Block], new: list[Block], timeout: float = 1.0
) -> tuple[list[tuple[int, int]], list[Match]]:
    """Return `align`'s matches in two parts: the (old, new) pairs of its leading "same" matches, then the rest.

    Most provisions of a version are such pairs: the comparison reads them as pairs without building a match
    object (and two lists) for each.
    """
    matches: list[Match] = []
    gaps: list[tuple[list[int], list[int]]] = []
    anchors = _anchors(old, new, timeout)
    i = j = 0
    for a, b in anchors:
        if i < a or j < b:
            gaps.append((list(range(i, a)), list(range(j, b))))
        i, j = a + 1, b + 1
    if i < len(old) or j < len(new):
        gaps.append((list(range(i, len(old))), list(range(j, len(new)))))

    _moves(old, new, gaps, matches)
    for gap_old, gap_new in gaps:
        scores = _GapScores(old, new, gap_old, gap_new)
        _splits_and_merges(old, new, gap_old, gap_new, matches, scores)
        _pair_similar(old, new, gap_old, gap_new, matches, local=True, known=scores)
    left_old = [i for g, _ in gaps for i in g]
    left_new = [j for _, g in gaps for j in g]
    _pair_similar(old, new, left_old, left_new, matches, local=False)
    matches.extend(Match([i], [], "removed") for i in left_old)
    matches.extend(Match([], [j], "added") for j in left_new)
    return anchors, matches


def _weights(blocks: list[Block]) -> list[int]:
    """Return each block's weight in the block LCS: one symbol, plus one per eight words, up to 41."""
    # `Block.size` written out: this runs over every block of the edited middle of a document.
    return [1 + min((b.words.count(" ") + 1 if b.words else 0) // 8, 40) for b in blocks]


def _anchors(old: list[Block], new: list[Block], timeout: float) -> list[tuple[int, int]]:
    """Return the (old, new) pairs of identical blocks kept in order, chosen to keep the most words in place.

    Each block stands for one symbol per few words, so the longest common subsequence weighs provisions by
    length: when a long clause moves past a short one, the short one is reported as moved, as a reader (and a
    word-level diff) would see it.
    """
    # Identical leading and trailing blocks anchor as they are: the weighted LCS would keep them all (its common
    # prefix and suffix), and only the edited middle is worth expanding.
    n, m = len(old), len(new)
    words_old = [b.words for b in old]
    words_new = [b.words for b in new]
    # The first index where the words differ, from the front and from the back (C-level iteration: compress
    # yields the positions where `ne` is true), bounded so that the two ends do not overlap.
    head = next(compress(count(), map(ne, words_old, words_new)), min(n, m))
    tail = next(compress(count(), map(ne, reversed(words_old), reversed(words_new))), min(n, m))
    tail = min(tail, n - head, m - head)
    inner = _middle_anchors(old[head : n - tail], new[head : m - tail], timeout)
    return [
        *zip(range(head), range(head), strict=True),
        *((a + head, b + head) for a, b in inner),
        *zip(range(n - tail, n), range(m - tail, m), strict=True),
    ]


def _middle_anchors(old: list[Block], new: list[Block], timeout: float) -> list[tuple[int, int]]:
    """Return the anchors of `_anchors` for blocks whose first and last differ (or an empty side)."""
    if not old or not new:
        return []
    w_old = _weights(old)
    w_new = _weights(new)
    if sum(w_old) * sum(w_new) > _EXACT_BLOCK_CELLS:
        return _patience_anchors(old, new)
    runs = _weighted_equal_runs(old, new, w_old, w_new, timeout)
    start_old = list(accumulate(w_old, initial=0))
    start_new = list(accumulate(w_new, initial=0))
    new_block_at = {p: k for k, p in enumerate(start_new[:-1])}
    hits: dict[tuple[int, int], int] = {}
    for x, y, length in runs:
        # Walk the equal run block by block: a block anchors if the run covers it whole, aligned (its first
        # symbol falls on the first symbol of a block of the new side).
        end = x + length
        a = bisect_right(start_old, x) - 1
        if start_old[a] < x:
            a += 1  # the block the run starts in began before it
        while a < len(old) and start_old[a] + w_old[a] <= end:
            bn = new_block_at.get(start_old[a] + y - x)
            if bn is not None:
                hits[(a, bn)] = w_old[a]
            a += 1
    anchors: list[tuple[int, int]] = []
    for (a, b), covered in sorted(hits.items()):
        # Only whole blocks anchor, once each, in increasing order on both sides.
        if covered == w_old[a] and (not anchors or (a > anchors[-1][0] and b > anchors[-1][1])):
            anchors.append((a, b))
    return anchors


def _weighted_equal_runs(
    old: list[Block], new: list[Block], w_old: list[int], w_new: list[int], timeout: float
) -> list[tuple[int, int, int]]:
    """Return the equal runs (old start, new start, length) of the LCS of the weight-expanded block sequences."""
    total_old, total_new = sum(w_old), sum(w_new)
    if total_old + total_new > _CHUNK_ABOVE or total_old * total_new > _EXACT_LIMIT:
        # Large inputs take seq_diff's bounded paths (chunks, diff-match-patch's time budget).
        exp_old = [b.words for b, w in zip(old, w_old, strict=True) for _ in range(w)]
        exp_new = [b.words for b, w in zip(new, w_new, strict=True) for _ in range(w)]
        runs: list[tuple[int, int, int]] = []
        x = y = 0
        for op, toks in seq_diff(exp_old, exp_new, timeout):
            if op == 0:
                runs.append((x, y, len(toks)))
            x += len(toks) if op != 1 else 0
            y += len(toks) if op != -1 else 0
        return runs
    # One character per distinct provision, repeated by weight: rapidfuzz's exact LCS then runs over two str
    # objects in C++ without hashing thousands of list items. Same equalities, so the same opcodes.
    codes = {w: private_char(k) for k, w in enumerate(dict.fromkeys([b.words for b in (*old, *new)]))}
    text_old = "".join([codes[b.words] * w for b, w in zip(old, w_old, strict=True)])
    text_new = "".join([codes[b.words] * w for b, w in zip(new, w_new, strict=True)])
    return [
        (op.src_start, op.dest_start, op.src_end - op.src_start)
        for op in Indel.opcodes(text_old, text_new)
        if op.tag == "equal"
    ]


def _patience_anchors(old: list[Block], new: list[Block]) -> list[tuple[int, int]]:
    """Return anchors for very long documents by patience diff: blocks unique on both sides, in increasing order.

    O(n log n): the longest increasing subsequence of the unique blocks' positions, then each anchor extended over
    identical neighbours. Used where an exact weighted LCS would cost too much (megabyte inputs).
    """
    count_old = Counter(b.words for b in old)
    count_new = Counter(b.words for b in new)
    where_new = {b.words: j for j, b in enumerate(new) if count_new[b.words] == 1}
    pairs = [
        (i, where_new[b.words]) for i, b in enumerate(old) if count_old[b.words] == 1 and b.words in where_new
    ]
    # Longest increasing subsequence of the new positions (patience sorting with back-pointers).
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    chain.reverse()
    anchors: set[tuple[int, int]] = set(chain)
    for i, j in chain:
        a, b = i + 1, j + 1
        while a < len(old) and b < len(new) and old[a].words == new[b].words and (a, b) not in anchors:
            anchors.add((a, b))
            a, b = a + 1, b + 1
        a, b = i - 1, j - 1
        while a >= 0 and b >= 0 and old[a].words == new[b].words and (a, b) not in anchors:
            anchors.add((a, b))
            a, b = a - 1, b - 1
    ordered: list[tuple[int, int]] = []
    for a, b in sorted(anchors):
        if not ordered or (a > ordered[-1][0] and b > ordered[-1][1]):
            ordered.append((a, b))
    return ordered


def _moves(
    old: list[Block], new: list[Block], gaps: list[tuple[list[int], list[int]]], out: list[Match]
) -> None:
    """Match identical blocks that sit in different gaps (or different places of one gap) as moves."""
    by_words: dict[str, list[int]] = {}
    for gap_old, _ in gaps:
        for i in gap_old:
            if old[i].words:
                by_words.setdefault(old[i].words, []).append(i)
    if not by_words:
        return
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _, gap_new in gaps:
        for j in gap_new:
            candidates = by_words.get(new[j].words)
            if candidates:
                i = candidates.pop(0)
                taken_old.add(i)
                taken_new.add(j)
                out.append(Match([i], [j], "moved"))
    for gap_old, gap_new in gaps:
        gap_old[:] = [i for i in gap_old if i not in taken_old]
        gap_new[:] = [j for j in gap_new if j not in taken_new]


class _GapScores:
    """The similarity (rapidfuzz ratio, no cutoff) of every old block of a gap with every new one, computed once.

    Split detection, merge detection (the same ratios transposed: the ratio is symmetric) and the gap's pairing
    by similarity read the blocks still unmatched out of one matrix, over the gap's blocks as they were when it
    was first needed (later steps only remove blocks).
    """

    __slots__ = ("_cols", "_matrix", "_new", "_old", "_rows", "gap_new", "gap_old")

    def __init__(self, old: list[Block], new: list[Block], gap_old: list[int], gap_new: list[int]) -> None:
        self._old, self._new = old, new
        self.gap_old, self.gap_new = gap_old, gap_new
        self._matrix: np.ndarray | None = None
        self._rows: dict[int, int] = {}
        self._cols: dict[int, int] = {}

    @property
    def ready(self) -> bool:
        """Return whether the matrix has been computed."""
        return self._matrix is not None

    def get(self, rows: list[int], cols: list[int]) -> np.ndarray:
        """Return the ratios of old blocks `rows` (rows) with new blocks `cols` (columns), all of the gap."""
        if self._matrix is None:
            self._rows = {i: k for k, i in enumerate(self.gap_old)}
            self._cols = {j: k for k, j in enumerate(self.gap_new)}
            self._matrix = process.cdist(
                [self._old[i].words[:_SCORE_CHARS] for i in self.gap_old],
                [self._new[j].words[:_SCORE_CHARS] for j in self.gap_new],
                scorer=fuzz.ratio,
            )
        return self._matrix[np.ix_([self._rows[i] for i in rows], [self._cols[j] for j in cols])]


def _splits_and_merges(
    old: list[Block],
    new: list[Block],
    gap_old: list[int],
    gap_new: list[int],
    out: list[Match],
    scores: _GapScores,
) -> None:
    """Find an old block whose words are spread over consecutive new blocks (split), or the reverse (merge)."""
    for relation in ("split", "merged"):
        src, dst = (old, new) if relation == "split" else (new, old)
        a, b = (gap_old, gap_new) if relation == "split" else (gap_new, gap_old)
        if len(b) < 2 or not a or len(a) * len(b) > MAX_SPLIT_PAIRS:
            continue
        singles = scores.get(a, b) if relation == "split" else scores.get(b, a).T
        for row, x in zip(singles, list(a), strict=True):
            single = float(max(row))
            # A block that has a near-identical counterpart was not split; one with few words is not worth it.
            if single >= 90 or src[x].size < 4:
                continue
            found = _best_window(src[x], dst, b, single)
            if found is None:
                continue
            score, pieces = found
            if relation == "split":
                out.append(Match([x], pieces, "split", score))
            else:
                out.append(Match(pieces, [x], "merged", score))
            a.remove(x)
            b[:] = [y for y in b if y not in pieces]


def _best_window(
    block: Block, dst: list[Block], b: list[int], single: float
) -> tuple[float, list[int]] | None:
    """Return the run of consecutive blocks of `b` whose words best match `block`, if better than `single`.

    Runs have 2 to `WINDOW` blocks, or up to `LIST_WINDOW` while they are list-shaped (a list of categories of
    personal information often has nine or more items).

    A run reaches `SPLIT_BAR`, or `LIST_SPLIT_BAR` when it is a list from its start (`_taken`) beating `single` by
    `LIST_SPLIT_MARGIN`. A list run found without the lead-in just above it takes the lead-in too (`_with_lead_in`).
    """
    whole = block.words[: 2 * _SCORE_CHARS]
    n_whole = len(whole)
    n_tokens = block.size
    vocabulary = set(block.tokens)
    # The lowest ratio any window here could be taken at: windows whose bound is under it need no scoring.
    floor = SPLIT_BAR
    if block.kind == "paragraph" and any(dst[j].kind == "item" for j in b):
        floor = min(SPLIT_BAR, max(LIST_SPLIT_BAR, single + LIST_SPLIT_MARGIN))
    best: tuple[float, int, int] | None = None
    for start in range(len(b)):
        first = dst[b[start]]
        # A piece of the block starts with one of its words.
        if not first.words or first.tokens[0] not in vocabulary:
            continue
        # The window's words joined, kept as the blocks' word strings (words are single-space joined tokens, so
        # joining the non-empty ones by a space gives the joined tokens), with their count and joined length.
        parts = [first.words]
        joined_tokens = first.size
        joined_chars = len(first.words)
        # Whether the window so far is list-shaped: only such windows go on past WINDOW or under SPLIT_BAR.
        listy = _begins_list(dst, b[start])
        for end in range(start + 1, min(start + LIST_WINDOW, len(b))):
            listy = listy and dst[b[end]].kind == "item"
            if b[end] != b[end - 1] + 1 or (end - start >= WINDOW and not listy):
                break
            window_floor = floor if listy else SPLIT_BAR
            words = dst[b[end]].words
            if words:
                parts.append(words)
                joined_tokens += words.count(" ") + 1
                joined_chars += len(words) + 1
            # The ratio can exceed neither the bar (the floor, the single block's score, the best window so far)
            # nor 200 * min(len) / (sum of lens), its value when one string holds the other: skip windows that
            # cannot win, and stop once they only grow longer than the block.
            bar = max(window_floor, single, best[0] if best is not None else 0.0)
            shorter = min(n_whole, joined_chars, 2 * _SCORE_CHARS)
            bound = 200.0 * shorter / (n_whole + min(joined_chars, 2 * _SCORE_CHARS))
            if bound < bar - _BOUND_SLACK:
                if joined_chars >= n_whole and bound < window_floor - _BOUND_SLACK:
                    break
            else:
                score = fuzz.ratio(whole, " ".join(parts)[: 2 * _SCORE_CHARS])
                if _taken(score, single, block, listy) and (best is None or score > best[0]):
                    best = (score, start, end)
            if joined_tokens > 2 * n_tokens:
                break
    if best is None:
        return None
    return _with_lead_in(block, dst, b, best)


def _taken(score: float, single: float, block: Block, listy: bool) -> bool:
    """Whether a window scoring `score` is the block's split, against the best single block's `single`.

    `listy`: the window is a list from its start (items, the first possibly the paragraph introducing them). From
    its start, since a paragraph made into a list becomes a whole list or its first items; windows starting inside
    a list are left to the plain bar, which keeps the search's work near what it was before lists had a bar of their
    own (a gap of thousands of items has one or two list starts). The list bar is for a paragraph and a list only:
    items regrouped into other items keep the plain bar.
    """
    if score >= SPLIT_BAR and score > single:
        return True
    return block.kind == "paragraph" and listy and score >= max(LIST_SPLIT_BAR, single + LIST_SPLIT_MARGIN)


def _begins_list(dst: list[Block], j: int) -> bool:
    """Whether block `j` starts a list: a lead-in paragraph, or an item not preceded by an item."""
    if dst[j].kind == "item":
        return j == 0 or dst[j - 1].kind != "item"
    return _introduces_list(dst[j])


def _introduces_list(block: Block) -> bool:
    """Whether a paragraph ends in a colon, as a list's lead-in does ("we collect the following:")."""
    return block.kind == "paragraph" and block.text.rstrip(" *_").endswith(":")


def _with_lead_in(
    block: Block, dst: list[Block], b: list[int], best: tuple[float, int, int]
) -> tuple[float, list[int]]:
    """Return the window, with the lead-in paragraph just above it when the window is items and the lead-in is ours.

    The lead-in of a list often carries the paragraph's opening reworded ("When you register for an account, we
    collect the following information:"), which lowers the joined ratio below the items' alone; left out, it would
    read as a paragraph added. It joins when it sits right above the items in the same gap, most of its distinct
    words are the block's, and the run with it still reaches the list bar.
    """
    score, start, end = best
    if (
        block.kind != "paragraph"
        or start == 0
        or b[start - 1] != b[start] - 1
        or dst[b[start]].kind != "item"
    ):
        return score, b[start : end + 1]
    lead = dst[b[start - 1]]
    distinct = set(lead.tokens)
    if not _introduces_list(lead) or len(distinct & set(block.tokens)) * 2 < len(distinct):
        return score, b[start : end + 1]
    joined = " ".join(dst[j].words for j in b[start - 1 : end + 1] if dst[j].words)
    with_lead = fuzz.ratio(block.words[: 2 * _SCORE_CHARS], joined[: 2 * _SCORE_CHARS])
    if with_lead < LIST_SPLIT_BAR:
        return score, b[start : end + 1]
    return with_lead, b[start - 1 : end + 1]


def _pair_similar(
    old: list[Block],
    new: list[Block],
    gap_old: list[int],
    gap_new: list[int],
    out: list[Match],
    *,
    local: bool,
    known: _GapScores | None = None,
) -> None:
    """Pair the most similar remaining blocks, best first, above the threshold."""
    if not gap_old or not gap_new:
        return
    if len(gap_old) * len(gap_new) > MAX_CROSS_PAIRS:
        return
    # Bound the work of the similarity matrix (rapidfuzz is O(n*m/64) per pair): megabyte provisions are
    # compared by their first words only.
    a_texts = [old[i].words[:_SCORE_CHARS] for i in gap_old]
    b_texts = [new[j].words[:_SCORE_CHARS] for j in gap_new]
    if sum(map(len, a_texts)) * sum(map(len, b_texts)) > MAX_MATRIX_CELLS:
        return
    if known is not None and known.ready:
        # The gap's ratios were computed for split detection: the same values where they reach the threshold.
        scores = known.get(gap_old, gap_new)
    else:
        scores = process.cdist(a_texts, b_texts, scorer=fuzz.ratio, score_cutoff=PAIR_THRESHOLD, workers=1)
    # Headings pair with headings, body with body: a heading is never a reworded paragraph. The matrix is
    # filtered by numpy, not cell by cell in Python (gaps of hundreds of provisions make 10^5 cells).
    head_a = np.array([old[i].kind == "heading" for i in gap_old])
    head_b = np.array([new[j].kind == "heading" for j in gap_new])
    rows, cols = np.nonzero((scores >= PAIR_THRESHOLD) & (head_a[:, None] == head_b[None, :]))
    candidates = sorted(
        zip(scores[rows, cols].tolist(), rows.tolist(), cols.tolist(), strict=True),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for score, ai, bi in candidates:
        if ai in used_a or bi in used_b:
            continue
        used_a.add(ai)
        used_b.add(bi)
        out.append(
            Match([gap_old[ai]], [gap_new[bi]], "similar", score, _MOVED if not local else frozenset())
        )
    gap_old[:] = [i for k, i in enumerate(gap_old) if k not in used_a]
    gap_new[:] = [j for k, j in enumerate(gap_new) if k not in used_b]
