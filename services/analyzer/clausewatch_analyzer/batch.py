"""Classifying many units at once (the CLI's `--lines` and whole documents): sentences batched through the model.

A unit (a line, a provision) is split into sentences, every new sentence of every unit goes through the classifier in
one batch (the model is much faster per sentence in batches), and each unit's labels are merged back (memo.py:
repeated lines and sentences are classified once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clausewatch_analyzer.assess import Context, ProvisionResult
from clausewatch_analyzer.engine import Engine


def assess_units(units: Sequence[str], engine: Engine, context: Context) -> list[ProvisionResult]:
    """Assess each unit of text; an empty unit gets no labels and severity none."""
    return engine.assess(units, context)


def unit_record(result: ProvisionResult, engine: Engine, *, detail: bool = True) -> dict[str, Any]:
    """The JSON object printed for one unit: clause_types and severity always, the rest when `detail`."""
    record: dict[str, Any] = {
        "clause_types": result.clause_types,
        "severity": result.severity.severity,
    }
    if detail:
        record |= {
            "confidence": result.severity.confidence,
            "reasons": list(result.severity.reasons),
            "labels": [
                {**label.as_dict(), "name": engine.taxonomy[label.clause_type].name}
                for label in result.labels
            ],
            "regulations": result.regulations,
            "opt_outs": [o.as_dict() for o in result.opt_outs],
            "carve_outs": list(result.carve_outs),
        }
    return record
