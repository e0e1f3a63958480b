"""Scores of the clause classifier: per-type F1 and macro-F1, for any level and for unfair levels only, and their
intervals over documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TypeScore:
    """Counts and F1 of one clause type over a set of sentences."""

    type_id: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of predicted sentences that carry the type (1.0 when nothing was predicted)."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold sentences that were found (1.0 when there are none)."""
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, 0 when nothing is right."""
        denominator = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / denominator if denominator else 1.0


def score_types(
    gold: Sequence[dict[str, int]],
    predicted: Sequence[dict[str, int | None]],
    types: Sequence[str],
    min_level: int = 1,
) -> list[TypeScore]:
    """F1 per type, counting a type on a sentence only where its level is at least `min_level`.

    `gold` and `predicted` hold, per sentence, {type id: level}. With `min_level=2` this is the unfair-only
    figure: a type counts where it is tagged (or predicted) potentially or clearly unfair.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    scores = []
    for type_id in types:
        tp = fp = fn = 0
        for truth, guess in zip(gold, predicted, strict=True):
            in_truth = truth.get(type_id, 0) >= min_level
            in_guess = type_id in guess and (guess[type_id] or 0) >= min_level
            tp += in_truth and in_guess
            fp += in_guess and not in_truth
            fn += in_truth and not in_guess
        scores.append(TypeScore(type_id, tp, fp, fn))
    return scores


def macro_f1(scores: Sequence[TypeScore]) -> float:
    """Unweighted mean of the per-type F1."""
    return sum(s.f1 for s in scores) / len(scores) if scores else 0.0


def best_threshold(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The decision threshold on `scores` that maximises F1 against `truth` (midpoint between two scores).

    Sweeps the sorted scores once; ties are broken toward the higher threshold (fewer false alarms).
    """
    pairs = sorted(zip(scores, truth, strict=True), key=lambda p: -p[0])
    positives = sum(truth)
    if positives == 0 or not pairs:
        return max(scores, default=0.0) + 1.0
    best_f1, best_index, tp = -1.0, 0, 0
    for index, (_, is_true) in enumerate(pairs):
        tp += is_true
        # Predict the first index + 1 sentences; only a cut between two different scores is a real threshold.
        if index + 1 < len(pairs) and pairs[index + 1][0] == pairs[index][0]:
            continue
        f1 = 2 * tp / (index + 1 + positives)
        if f1 > best_f1:
            best_f1, best_index = f1, index
    upper = pairs[best_index][0]
    lower = pairs[best_index + 1][0] if best_index + 1 < len(pairs) else upper - 1.0
    return (upper + lower) / 2


def document_bootstrap(
    gold: Sequence[dict[str, int]],
    predicted: Sequence[dict[str, int | None]],
    documents: Sequence[str],
    types: Sequence[str],
    min_level: int = 1,
    rounds: int = 1000,
    seed: int = 20261204,
) -> tuple[float, float]:
    """A 95 % interval of the pooled macro-F1 when the documents are drawn again, with replacement.

    Sentences of one document are not independent (one annotator, one drafting style), so the resampling unit is the
    document, as the cross-validation's folds are; the interval says how much the figure owes to which documents
    happened to be in the corpus. Percentile interval over `rounds` resamples; F1 follows `TypeScore.f1`.
    """
    names = sorted(set(documents))
    index = {name: i for i, name in enumerate(names)}
    counts = np.zeros((len(names), len(types), 3), dtype=np.int64)  # tp, fp, fn per document and type
    for document, score in _per_document(gold, predicted, documents, types, min_level):
        counts[index[document]] = [[s.true_positives, s.false_positives, s.false_negatives] for s in score]
    draws = np.random.default_rng(seed).integers(0, len(names), size=(rounds, len(names)))
    totals = counts[draws].sum(axis=1)  # (rounds, types, 3)
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    denominator = 2 * tp + fp + fn
    f1 = np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 1.0)
    low, high = np.percentile(f1.mean(axis=1), [2.5, 97.5])
    return float(low), float(high)


def _per_document(
    gold: Sequence[dict[str, int]],
    predicted: Sequence[dict[str, int | None]],
    documents: Sequence[str],
    types: Sequence[str],
    min_level: int,
) -> list[tuple[str, list[TypeScore]]]:
    """`score_types` of each document's sentences."""
    if not len(gold) == len(predicted) == len(documents):
        raise ValueError("gold, predicted and documents differ in length")
    rows: dict[str, list[int]] = {}
    for i, document in enumerate(documents):
        rows.setdefault(document, []).append(i)
    return [
        (
            document,
            score_types([gold[i] for i in chosen], [predicted[i] for i in chosen], types, min_level),
        )
        for document, chosen in rows.items()
    ]
