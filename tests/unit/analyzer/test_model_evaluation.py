"""The cross-validation reads held-out lines the way the evaluation team reads `clausewatch classify --lines`."""

from __future__ import annotations

from dataclasses import dataclass

from training.evaluate import predict_like_cli

from clausewatch_analyzer.model import Prediction


@dataclass
class _FixedModel:
    """A model that finds arbitration at a given level in every non-empty sentence."""

    level: int
    version: str = "fixed"
    types: tuple[str, ...] = ("arbitration",)

    def predict(self, texts: list[str]) -> list[list[Prediction]]:
        return [[Prediction("arbitration", 0.9, self.level)] if t.strip() else [] for t in texts]


def test_cli_reading_counts_medium_or_high_severity_as_unfair() -> None:
    """A type on a line counts as unfair (2) when the line's severity is medium or high, else as fair (1)."""
    lines = ("Disputes go to an arbitrator.", "")
    assert predict_like_cli(_FixedModel(level=3), lines) == [{"arbitration": 2}, {}]  # type: ignore[arg-type]
    assert predict_like_cli(_FixedModel(level=1), lines) == [{"arbitration": 1}, {}]  # type: ignore[arg-type]
