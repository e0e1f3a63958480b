"""The cross-validation reads held-out lines the way the evaluation team reads `clausewatch classify --lines`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import structlog
from training.evaluate import predict_like_cli
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_analyzer.model import Prediction, load_classifier


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


def test_cli_reading_uses_the_privacy_model_as_the_cli_does(tmp_path: Path) -> None:
    """The cross-validation's CLI column builds the engine `clausewatch classify` builds, privacy model included:
    this paragraph's access right is found by the privacy model only (decision 0192)."""
    line = (
        "Clients may view their pet's vaccination history and upcoming appointments in MyMeadowbrook and may request "
        "a complete copy of the medical record from any hospital. If you believe information in your record is "
        "incorrect, ask the hospital manager to correct it."
    )
    source = tmp_path / "line.txt"
    source.write_text(line + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", str(source), "--lines", "--format", "jsonl"])
    structlog.reset_defaults()  # the command pointed structlog at the runner's stream, closed now
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])
    assert "user_access_deletion" in row["clause_types"]
    level = 2 if row["severity"] in {"medium", "high"} else 1
    assert predict_like_cli(load_classifier(), (line,)) == [dict.fromkeys(row["clause_types"], level)]
