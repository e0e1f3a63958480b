"""The shared gap similarity matrix and the bounded split-window search give the values of the direct forms."""

from __future__ import annotations

import random

from rapidfuzz import fuzz, process

from clausewatch_differ.align import (
    _SCORE_CHARS,
    LIST_WINDOW,
    WINDOW,
    _begins_list,
    _best_window,
    _GapScores,
    _taken,
    _with_lead_in,
)
from clausewatch_differ.blocks import Block

_WORDS = [
    "data",
    "we",
    "share",
    "your",
    "personal",
    "information",
    "with",
    "partners",
    "may",
    "not",
    "sell",
    "it",
]


def _block(rng: random.Random, low: int, high: int, kinds: tuple[str, ...] = ("paragraph",)) -> Block:
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))
    kind = rng.choice(kinds)
    if kind == "lead-in":
        return Block("paragraph", words + ":", words=words)
    return Block(kind, words, words=words)


def _direct_window(
    block: Block, dst: list[Block], b: list[int], single: float
) -> tuple[float, list[int]] | None:
    """The window search scoring every window (the form without the length bound), with the same rules."""
    best: tuple[float, int, int] | None = None
    for start in range(len(b)):
        first = dst[b[start]].tokens
        if not first or first[0] not in set(block.tokens):
            continue
        joined = list(first)
        listy = _begins_list(dst, b[start])
        for end in range(start + 1, min(start + LIST_WINDOW, len(b))):
            listy = listy and dst[b[end]].kind == "item"
            if b[end] != b[end - 1] + 1 or (end - start >= WINDOW and not listy):
                break
            joined.extend(dst[b[end]].tokens)
            score = fuzz.ratio(block.words[: 2 * _SCORE_CHARS], " ".join(joined)[: 2 * _SCORE_CHARS])
            if _taken(score, single, block, listy) and (best is None or score > best[0]):
                best = (score, start, end)
            if len(joined) > 2 * len(block.tokens):
                break
    return None if best is None else _with_lead_in(block, dst, b, best)


def test_gap_scores_read_transposed_give_the_swapped_matrix() -> None:
    """Ratios read from the gap matrix, either way round, equal a matrix computed in that order."""
    rng = random.Random(4)
    old = [_block(rng, 0, 30) for _ in range(9)]
    new = [_block(rng, 0, 30) for _ in range(7)]
    scores = _GapScores(old, new, list(range(9)), list(range(7)))
    rows, cols = [0, 2, 3, 8], [1, 4, 6]
    swapped = process.cdist([new[j].words for j in cols], [old[i].words for i in rows], scorer=fuzz.ratio)
    assert (swapped == scores.get(rows, cols).T).all()


def test_bounded_window_search_finds_what_scoring_every_window_finds() -> None:
    """Skipping windows whose length bound cannot beat the bar returns the same best window as scoring all."""
    rng = random.Random(24)
    found = lists = 0
    kinds = ("paragraph", "item", "item", "lead-in")
    for _ in range(600):
        block = _block(rng, 4, 60)
        dst = [_block(rng, 0, 25, kinds) for _ in range(30)]
        if rng.random() < 0.5:
            # A real split: the block's words spread over consecutive blocks (a list, half the time), some reworded.
            piece_kind = rng.choice(["paragraph", "item"])
            cut = sorted(rng.sample(range(1, block.size), min(rng.randint(2, 12), block.size - 1)))
            pieces = [" ".join(block.tokens[a:b]) for a, b in zip([0, *cut], [*cut, block.size], strict=True)]
            at = rng.randint(0, 30 - len(pieces))
            for k, words in enumerate(pieces):
                dst[at + k] = Block(piece_kind, words, words=words)
        b = sorted(rng.sample(range(30), rng.randint(2, 30)))
        single = rng.choice([0.0, 40.0, 50.0, 85.0])
        expected = _direct_window(block, dst, b, single)
        assert _best_window(block, dst, b, single) == expected
        found += expected is not None
        lists += expected is not None and expected[0] < 80
    # The search is exercised on windows that win, not only on rejections, and on lists taken under the plain bar.
    assert found >= 40
    assert lists >= 10
