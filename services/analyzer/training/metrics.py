"""Scores of the clause classifier: per-type F1 and macro-F1, for any level and for unfair levels only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
