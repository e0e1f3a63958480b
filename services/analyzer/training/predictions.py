"""Held-out predictions of one cross-validation run, saved so two runs can be compared sentence by sentence.

`training.evaluate --predictions FILE` writes them; `training.compare A B` reads two such files. One JSON object:
the run's configuration and, per held-out CLAUDETTE sentence in the evaluation's order, its document, its tags and
both predictions ({type id: level}; the CLI's level is 2 where its severity is medium or high, else 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.metrics import TypeScore, document_bootstrap, macro_f1, no_clause_score, score_types

FORMAT = "clausewatch-cv-predictions/1"

# The four terms figures: which prediction they score ("model" alone or the "cli" path) and the lowest level they
# count (1: any level; 2: unfair, levels 2-3, where the CLI's severity is medium or high).
FIGURES = {
    "any_level": ("model", 1),
    "unfair": ("model", 2),
    "cli_any_level": ("cli", 1),
    "cli_unfair": ("cli", 2),
}
# LexGLUE's UNFAIR-ToS counts levels 2-3 of these eight types (no privacy_included).
UNFAIR_TOS_TYPES = tuple(t for t in TERMS_TYPE_IDS if t != "privacy_included")


@dataclass(frozen=True)
class HeldOutPredictions:
    """What a cross-validation predicted for every held-out sentence, pooled over its folds."""

    config: dict[str, Any]
    documents: tuple[str, ...]
    gold: tuple[dict[str, int], ...]
    model: tuple[dict[str, int | None], ...]
    cli: tuple[dict[str, int | None], ...]

    def __post_init__(self) -> None:
        if not len(self.documents) == len(self.gold) == len(self.model) == len(self.cli):
            raise ValueError("documents, gold and predictions differ in length")

    def source(self, name: str) -> tuple[dict[str, int | None], ...]:
        """The predictions of `name`: "model" (the classifier alone) or "cli" (the `--lines` path)."""
        if name not in {"model", "cli"}:
            raise ValueError(f"unknown prediction source {name!r}")
        return self.model if name == "model" else self.cli

    @cached_property
    def scores(self) -> dict[str, list[TypeScore]]:
        """Per-type scores of each figure of FIGURES."""
        return {
            name: score_types(self.gold, self.source(source), TERMS_TYPE_IDS, min_level=level)
            for name, (source, level) in FIGURES.items()
        }

    @cached_property
    def intervals(self) -> dict[str, tuple[float, float]]:
        """95 % intervals of each figure's macro-F1, documents resampled (metrics.document_bootstrap)."""
        return {
            name: document_bootstrap(
                self.gold, self.source(source), self.documents, TERMS_TYPE_IDS, min_level=level
            )
            for name, (source, level) in FIGURES.items()
        }

    @cached_property
    def lexglue(self) -> dict[str, float]:
        """Per source, macro-F1 as LexGLUE counts UNFAIR-ToS: the eight types at levels 2-3 and a ninth, "no
        clause", class (docs/decisions/0119). For comparison with published figures only; not the issue's measure."""
        figures = {}
        for source in ("model", "cli"):
            scores = score_types(self.gold, self.source(source), UNFAIR_TOS_TYPES, min_level=2)
            scores.append(no_clause_score(self.gold, self.source(source), UNFAIR_TOS_TYPES, min_level=2))
            figures[source] = macro_f1(scores)
        return figures


def save(run: HeldOutPredictions, path: Path) -> None:
    """Write `run` to `path` as one JSON object (rows in the evaluation's order)."""
    rows = [
        {"document": d, "gold": g, "model": m, "cli": c}
        for d, g, m, c in zip(run.documents, run.gold, run.model, run.cli, strict=True)
    ]
    path.write_text(
        json.dumps({"format": FORMAT, "config": run.config, "rows": rows}) + "\n", encoding="utf-8"
    )


def load(path: Path) -> HeldOutPredictions:
    """Read a file `save` wrote; anything else is refused with the reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a predictions file of format {FORMAT}")
    rows = data["rows"]
    return HeldOutPredictions(
        config=data["config"],
        documents=tuple(row["document"] for row in rows),
        gold=tuple(row["gold"] for row in rows),
        model=tuple(row["model"] for row in rows),
        cli=tuple(row["cli"] for row in rows),
    )
