"""Nearest training sentences as a second opinion beside the linear detectors (docs/decisions/0190).

The CLAUDETTE annotators tag the key sentence of a clause, in the wording each document uses; terms of service share
much of that wording. A linear detector weighs words one by one; the labels of the ten training sentences whose words
are closest to a new one say how sentences worded like it were tagged. Each terms type's score is the detector's
margin plus `weight` × the neighbours' vote, and the thresholds and confidences are fitted on that sum.

Words only (the word block's single words, re-normalised), so the memory is small: an inverted list per word of
the training sentences holding it and their weights. A query adds up its words' lists (`numpy.bincount`), keeps
the `k` most similar sentences and averages their labels, each weighted by similarity ** `power`; one query at a
time, so no more than one row of similarities (0.3 MB) is held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clausewatch_analyzer.model.features import Row

# Memory sentences per block in `nearest`.
_BLOCK = 64


def nearest(similarities: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """The indexes of the `k` largest similarities, in no order.

    By block maxima: the k largest values lie in the k blocks with the largest maxima (a value outside them would
    have k block maxima at least as large above it, each another value). Over a memory of 35,878 sentences, 74 µs a
    query where `np.argpartition` over all of them took 296 µs (decision 0190).
    """
    size = len(similarities)
    if size <= k:
        return np.arange(size)
    blocks = -(-size // _BLOCK)
    padded = np.full(blocks * _BLOCK, -np.inf)
    padded[:size] = similarities
    by_block = padded.reshape(blocks, _BLOCK)
    best_blocks = (
        np.argpartition(by_block.max(axis=1), blocks - k)[blocks - k :] if blocks > k else np.arange(blocks)
    )
    candidates = (best_blocks[:, None] * _BLOCK + np.arange(_BLOCK)).ravel()
    values = padded[candidates]
    top: NDArray[np.int64] = candidates[np.argpartition(values, len(values) - k)[len(values) - k :]]
    return top


def vote(
    similarities: NDArray[np.float64], labels: NDArray[np.uint8], k: int, power: float
) -> NDArray[np.float64]:
    """Per query row of `similarities` (queries × memory), the similarity-weighted share of its `k` nearest memory
    sentences that carry each label column of `labels` (memory × types). Shared by training and prediction."""
    out = np.zeros((similarities.shape[0], labels.shape[1]))
    for i, row in enumerate(similarities):
        out[i] = _vote_one(row, labels, k, power)
    return out


def _vote_one(
    similarities: NDArray[np.float64], labels: NDArray[np.uint8], k: int, power: float
) -> NDArray[np.float64]:
    """`vote` for one query."""
    if k == 0 or len(similarities) == 0:
        return np.zeros(labels.shape[1])
    near = nearest(similarities, k)
    weights = np.clip(similarities[near], 0.0, None) ** power
    total = float(weights.sum())
    if total == 0:
        return np.zeros(labels.shape[1])
    shares: NDArray[np.float64] = (weights @ labels[near].astype(np.float64)) / total
    return shares


class Neighbours:
    """The memory of training sentences from the artefact's plain data (`training.neighbours.plain_memory`)."""

    def __init__(self, spec: Mapping[str, Any], word_block_size: int) -> None:
        self.k = int(spec["k"])
        self.power = float(spec["power"])
        self.weight = float(spec["weight"])
        # which of the classifier's type columns the vote is added to
        self.columns = np.asarray(spec["type_columns"], dtype=np.int64)
        self._labels = np.asarray(spec["labels"], dtype=np.uint8)  # (memory, len(columns))
        # word w's list of memory sentences and values: rows[indptr[w]:indptr[w + 1]], values[…]
        self._indptr = np.asarray(spec["indptr"], dtype=np.int64)
        self._rows = np.asarray(spec["rows"], dtype=np.int32)
        self._values = np.asarray(spec["values"], dtype=np.float32)
        # feature column of the word block → the word's index in the memory, -1 for n-grams of two or more words
        self._word_of = np.full(word_block_size, -1, dtype=np.int64)
        words = np.asarray(spec["word_columns"], dtype=np.int64)
        self._word_of[words] = np.arange(len(words))
        self._size = int(self._labels.shape[0])

    def similarities(self, row: Row) -> NDArray[np.float64]:
        """Cosine similarity of one text's single words to every memory sentence's."""
        columns, values = row
        inside = columns < len(self._word_of)
        words = self._word_of[columns[inside]]
        known = words >= 0
        words, weights = words[known], values[inside][known].astype(np.float64)
        norm = float(np.sqrt(weights @ weights))
        if norm == 0:
            return np.zeros(self._size)
        weights /= norm
        starts, ends = self._indptr[words], self._indptr[words + 1]
        rows = np.concatenate([self._rows[s:e] for s, e in zip(starts, ends, strict=True)])
        products = np.concatenate(
            [self._values[s:e] * w for s, e, w in zip(starts, ends, weights, strict=True)]
        )
        return np.bincount(rows, weights=products, minlength=self._size).astype(np.float64, copy=False)

    def votes(self, rows: Sequence[Row]) -> NDArray[np.float64]:
        """Each text's vote per type column in `columns` (rows × len(columns)), in [0, 1]."""
        out = np.zeros((len(rows), len(self.columns)))
        for i, row in enumerate(rows):
            out[i] = _vote_one(self.similarities(row), self._labels, self.k, self.power)
        return out

    def add_to(self, scores: NDArray[np.float64], rows: Sequence[Row]) -> NDArray[np.float64]:
        """`scores` (rows × all types) with `weight` × the vote added to the types the memory votes on."""
        scores[:, self.columns] += self.weight * self.votes(rows)
        return scores
