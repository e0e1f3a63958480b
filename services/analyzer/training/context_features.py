"""Features of a sentence's place among its neighbours, for the second ("context") stage of the classifier.

CLAUDETTE's annotators tag the key sentence of a clause and leave its neighbours, which talk about the same thing,
untagged (docs/decisions/0039). A per-sentence model scores the whole run of sentences alike; these features let a
second stage learn which sentence of a run is the tagged one: its own score against its neighbours' scores.

Everything is a pure function of a sequence of first-stage margins (score minus the type's threshold, one row per
sentence in order, one column per type) and the sentences' lengths, so the first stage stays memoisable per sentence.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

CLIP = 8.0
# A missing neighbour reads as a sentence that is far from being any type.
ABSENT = -CLIP


def _shift(values: NDArray[np.float64], by: int) -> NDArray[np.float64]:
    """Rows moved down by `by` (up when negative), ABSENT where no row moved in."""
    out = np.full_like(values, ABSENT)
    if by > 0:
        out[by:] = values[:-by]
    elif by < 0:
        out[:by] = values[-by:]
    else:
        out[:] = values
    return out


def _runs(above: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per row and column: index within its run of consecutive True rows (0 = first) and that run's length.

    Rows that are False get index 0 and length 0.
    """
    n, types = above.shape
    index = np.zeros((n, types))
    length = np.zeros((n, types))
    for column in range(types):
        start = -1
        for row in range(n + 1):
            inside = row < n and bool(above[row, column])
            if inside and start < 0:
                start = row
            if not inside and start >= 0:
                index[start:row, column] = np.arange(row - start)
                length[start:row, column] = row - start
                start = -1
    return index, length


def context_features(
    margins: NDArray[np.float64], lengths: NDArray[np.float64], window: int, floor: float
) -> NDArray[np.float64]:
    """Features of each (sentence, type): shape (n_sentences, n_types, n_features); see FEATURE_NAMES.

    `margins` is (n_sentences, n_types), first-stage score minus threshold; `lengths` the sentences' characters.
    """
    m = np.clip(np.asarray(margins, dtype=np.float64), -CLIP, CLIP)
    n, types = m.shape
    if n == 0:
        return np.zeros((0, types, len(feature_names(types))))
    previous, following = _shift(m, 1), _shift(m, -1)
    neighbours = np.stack([_shift(m, d) for d in range(-window, window + 1) if d != 0])  # (2w, n, T)
    present = np.stack(
        [_shift(np.ones((n, 1)), d)[:, 0] > ABSENT for d in range(-window, window + 1) if d != 0]
    )  # (2w, n)
    count = present.sum(axis=0)[:, None]  # (n, 1)
    window_max = neighbours.max(axis=0)
    window_mean = np.where(
        count > 0, (neighbours * present[:, :, None]).sum(axis=0) / np.maximum(count, 1), ABSENT
    )
    higher = ((neighbours > m[None]) & present[:, :, None]).sum(axis=0) / np.maximum(count, 1)
    index, run_length = _runs(m > floor)
    has_previous = np.broadcast_to((np.arange(n) > 0)[:, None], (n, types)).astype(np.float64)
    has_next = np.broadcast_to((np.arange(n) < n - 1)[:, None], (n, types)).astype(np.float64)
    size = np.broadcast_to(np.log1p(np.asarray(lengths, dtype=np.float64))[:, None], (n, types))
    own = [
        m,
        previous,
        following,
        has_previous,
        has_next,
        window_max,
        window_mean,
        m - window_max,
        higher,
        (run_length > 0) & (index == 0),
        np.log1p(index),
        np.log1p(run_length),
        size,
    ]
    per_type = np.stack([np.asarray(f, dtype=np.float64) for f in own], axis=2)  # (n, T, F_own)
    # The other types' own, previous and next margins (a jurisdiction sentence next to a choice-of-law one...).
    others = np.stack(
        [
            np.concatenate([np.delete(a, t, axis=1) for a in (m, previous, following)], axis=1)
            for t in range(types)
        ],
        axis=1,
    )  # (n, T, 3 (T-1))
    return np.concatenate([per_type, others], axis=2)


def feature_names(types: int) -> list[str]:
    """Names of the columns `context_features` returns (for reading a fitted model)."""
    own = [
        "own",
        "previous",
        "next",
        "has_previous",
        "has_next",
        "window_max",
        "window_mean",
        "own_minus_window_max",
        "share_higher_in_window",
        "first_of_run",
        "log_index_in_run",
        "log_run_length",
        "log_length",
    ]
    return own + [f"{part}_other_{i}" for part in ("own", "previous", "next") for i in range(types - 1)]
