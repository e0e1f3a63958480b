"""Scoring clause tagging against labelled units: per-type precision, recall, F1 and macro-F1 (pure).

`uv run python -m clausewatch_analyzer.evaluation FILE.jsonl [--split test] [--rules-only] [--taxonomy YAML]` scores the analyzer on a
JSONL file of {"text", "labels": [ids], "split"} objects, over the clause types that appear in the labels.
Terms files also carry "levels" ({type: 1|2|3}, CLAUDETTE's fair / potentially / clearly unfair): `--unfair` scores
as the issue's unfair-only figure does, a gold type counting at level 2-3 and a predicted one when the unit's
severity is medium or high. `--types a,b` restricts the types scored.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TypeScore:
    """Counts and scores of one clause type."""

    clause_type: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp), 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn), 0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(
    gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], types: Iterable[str]
) -> dict[str, TypeScore]:
    """Return the score of each type over paired gold and predicted label sets."""
    out: dict[str, TypeScore] = {}
    pairs = [(set(g), set(p)) for g, p in zip(gold, predicted, strict=True)]
    for clause_type in types:
        tp = sum(1 for g, p in pairs if clause_type in g and clause_type in p)
        fp = sum(1 for g, p in pairs if clause_type not in g and clause_type in p)
        fn = sum(1 for g, p in pairs if clause_type in g and clause_type not in p)
        out[clause_type] = TypeScore(clause_type, tp, fp, fn)
    return out


def read_units(*paths: Path) -> list[dict[str, Any]]:
    """The labelled units of JSONL files, in order (blank lines skipped)."""
    return [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


UNFAIR_LEVEL = 2
UNFAIR_SEVERITIES = frozenset({"medium", "high"})


def unfair_gold(labels: Iterable[str], levels: dict[str, int]) -> set[str]:
    """The gold types that count as unfair: those labelled at level 2 or 3 (types without a level never do)."""
    return {t for t in labels if levels.get(t, 0) >= UNFAIR_LEVEL}


def unfair_predicted(clause_types: Iterable[str], severity: str) -> set[str]:
    """The predicted types that count as unfair: all of a unit's types when its severity is medium or high."""
    return set(clause_types) if severity in UNFAIR_SEVERITIES else set()


def macro_f1(scores: dict[str, TypeScore]) -> float:
    """The unweighted mean of the types' F1."""
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    """Score the analyzer on a labelled JSONL file and print a table."""
    from clausewatch_analyzer.assess import Context
    from clausewatch_analyzer.batch import assess_units
    from clausewatch_analyzer.engine import build_engine

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--split", default=None)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--taxonomy", type=Path, default=None, help="score another taxonomy file's rules")
    parser.add_argument("--errors", action="store_true", help="print the units the analyzer got wrong")
    parser.add_argument("--unfair", action="store_true", help="levels 2-3 against severity medium/high")
    parser.add_argument(
        "--types", default=None, help="comma-separated types to score (default: all labelled)"
    )
    args = parser.parse_args(argv)
    rows = [r for r in read_units(args.file) if args.split is None or r.get("split") == args.split]
    engine = build_engine(use_model=not args.rules_only, taxonomy_path=args.taxonomy)
    results = assess_units([r["text"] for r in rows], engine, Context())
    if args.unfair:
        gold = [unfair_gold(r["labels"], r.get("levels", {})) for r in rows]
        found = [unfair_predicted(res.clause_types, res.severity.severity) for res in results]
    else:
        gold = [set(r["labels"]) for r in rows]
        found = [set(res.clause_types) for res in results]
    types = sorted(set(args.types.split(",")) if args.types else set().union(*gold))
    gold = [g & set(types) for g in gold]
    predicted = [f & set(types) for f in found]
    scores = score(gold, predicted, types)
    print(f"{'clause type':32} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}")
    for s in scores.values():
        print(f"{s.clause_type:32} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp + s.fn:4d}")
    print(f"{'macro-F1':32} {'':6} {'':6} {macro_f1(scores):6.3f} {len(rows):4d} units")
    if args.errors:
        for row, expected, pred in zip(rows, gold, predicted, strict=True):
            if expected != pred:
                missing, extra = expected - pred, pred - expected
                print(
                    f"\n{row['id']}: missing {sorted(missing)} extra {sorted(extra)}\n  {row['text'][:300]}"
                )


if __name__ == "__main__":
    main()
