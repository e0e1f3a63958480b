"""Classifying many units at once (the CLI's `--lines` and whole documents): sentences batched through the model.

A unit (a line, a provision) is split into sentences, every sentence of every unit goes through the classifier in
one batch (the model is much faster per sentence in batches), and each unit's labels are merged back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clausewatch_analyzer.assess import Context, ProvisionResult, result_from_labels
from clausewatch_analyzer.classify import apply_yields, merge_labels
from clausewatch_analyzer.engine import Engine
from clausewatch_analyzer.segment import split_sentences

_BATCH = 2048


def assess_units(units: Sequence[str], engine: Engine, context: Context) -> list[ProvisionResult]:
    """Assess each unit of text; an empty unit gets no labels and severity none."""
    sentences: list[str] = []
    owners: list[int] = []
    for index, unit in enumerate(units):
        for sentence in split_sentences(unit):
            sentences.append(sentence)
            owners.append(index)
    labels_per_sentence = []
    for start in range(0, len(sentences), _BATCH):
        labels_per_sentence.extend(engine.classifier.classify_sentences(sentences[start : start + _BATCH]))
    grouped: list[list[Any]] = [[] for _ in units]
    for owner, labels in zip(owners, labels_per_sentence, strict=True):
        grouped[owner].append(labels)
    return [
        result_from_labels(
            unit,
            apply_yields(merge_labels(grouped[i]), engine.taxonomy),
            engine.classifier,
            engine.catalogue,
            context,
        )
        for i, unit in enumerate(units)
    ]


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
        }
    return record
