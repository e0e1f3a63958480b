"""How the terms figures grow with the number of CLAUDETTE-en documents the model learns from (a learning curve).

    cd services/analyzer && uv run python -m training.learning_curve [--sizes 7 14 21 28] [--draws 3] \
        [--extra-terms [FILE ...]]

The outer folds are `training.evaluate`'s (GroupKFold(5) by document, 7 held-out documents each). In each fold the
model is fitted on n of the fold's 28 training documents, drawn at random (seeded by fold, n and draw), and scores
the fold's held-out documents. Our own labelled terms join every fit as they join the shipped one; `--extra-terms`
with no file leaves them out, the cleaner question and far cheaper (their 23,000 lines weigh on every fit). A draw's
predictions are pooled over the five folds, as the evaluation pools them, so each point is a macro-F1 over the same
12,580 held-out sentences; at n = 28 it is the evaluation's model figure (`training.evaluate --terms-only` with the
same `--extra-terms`; decision 0205). The model alone is scored (the `--lines` path adds rules and severity, within
0.01 of it on every run so far): the curve asks what more annotated documents of this kind would buy, not how the
path reads them.

The table gives each size's mean over its draws and their range, then the gain per doubling of the documents
(least squares of macro-F1 on log2 n) and, at that rate, how many documents the issue's targets would take; and the
level a saturating curve through the same points approaches. `--report FILE` prints them from a saved `--json`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import curve_fit

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.dataset import Dataset, concat
from training.evaluate import add_extra_terms_option, extra_terms, outer_folds, predict_levels
from training.fit import fit_classifier
from training.metrics import macro_f1, score_types

TARGETS = {"any_level": 0.85, "unfair": 0.82}
_SEED = 20261207


@dataclass(frozen=True)
class Task:
    """One fit: outer `fold`, `size` training documents, `draw` of that size."""

    fold: int
    size: int
    draw: int


@dataclass(frozen=True)
class Point:
    """One draw of one size, its predictions pooled over the folds: macro-F1 any level and unfair."""

    size: int
    draw: int
    any_level: float
    unfair: float


def drawn(train: list[int], task: Task) -> list[int]:
    """`task.size` of the fold's training documents, the same for the same task on every run; all of them (in order)
    when the size is the fold's."""
    if task.size >= len(train):
        return list(train)
    rng = np.random.default_rng([_SEED, task.fold, task.size, task.draw])
    return sorted(rng.choice(train, size=task.size, replace=False).tolist())


def run_task(
    task: Task,
    dataset: Dataset,
    split: tuple[list[int], list[int]],
    extra: Dataset | None,
    config: TrainingConfig,
) -> tuple[Task, list[dict[str, int]], list[dict[str, int | None]]]:
    """Fit on the task's documents of its fold's `split` (training, held-out document indices), predict the held-out
    documents; return their gold tags and predictions."""
    train_docs, test_docs = split
    train = dataset.subset(drawn(train_docs, task))
    if extra is not None:
        train = concat(train, extra)
    test = dataset.subset(test_docs)
    classifier = Classifier(fit_classifier(train, config, version="curve"))
    return task, list(test.labels), predict_levels(classifier, test.sentences)


def curve(
    sizes: list[int], draws: int, config: TrainingConfig, extra_files: list[Path] | None = None
) -> list[Point]:
    """Every (size, draw) point; sizes at or above a fold's training documents have one draw (all of them)."""
    dataset = training_set()
    extra = extra_terms(extra_files)
    splits = outer_folds(dataset)
    full = min(len(train) for train, _ in splits)
    tasks = [
        Task(fold, size, draw)
        for size in sizes
        for draw in range(1 if size >= full else draws)
        for fold in range(len(splits))
    ]
    pooled: dict[tuple[int, int], dict[int, tuple[list[dict[str, int]], list[dict[str, int | None]]]]] = {}
    for task in tasks:
        started = time.perf_counter()
        _, gold, predicted = run_task(task, dataset, splits[task.fold], extra, config)
        pooled.setdefault((task.size, task.draw), {})[task.fold] = (gold, predicted)
        print(
            f"fold {task.fold}, {task.size} documents, draw {task.draw}: {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    points = []
    for (size, draw), by_fold in sorted(pooled.items()):
        gold = [g for fold in sorted(by_fold) for g in by_fold[fold][0]]
        predicted = [p for fold in sorted(by_fold) for p in by_fold[fold][1]]
        points.append(
            Point(
                size,
                draw,
                macro_f1(score_types(gold, predicted, TERMS_TYPE_IDS, min_level=1)),
                macro_f1(score_types(gold, predicted, TERMS_TYPE_IDS, min_level=2)),
            )
        )
    return points


def doubling_gain(points: list[Point], figure: str) -> tuple[float, float]:
    """Least squares of the figure on log2(size) over every point: (gain per doubling, value at one document)."""
    x = np.log2([p.size for p in points])
    y = np.array([getattr(p, figure) for p in points])
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def documents_for(target: float, slope: float, intercept: float) -> float:
    """The size at which the fitted line reaches `target` (infinite when it does not rise)."""
    return math.inf if slope <= 0 else float(2 ** ((target - intercept) / slope))


def saturating_fit(points: list[Point], figure: str) -> tuple[float, float, float] | None:
    """Least squares of a − b·n^(−c) over every point: (a, b, c), `a` the level the curve approaches; None where it
    does not converge. Three parameters from a few sizes: a reading of the curve's bend, not a forecast."""
    x = np.array([p.size for p in points], dtype=float)
    y = np.array([getattr(p, figure) for p in points])
    try:
        found, _ = curve_fit(_saturating, x, y, p0=(0.8, 1.0, 0.5), maxfev=20000)
    except RuntimeError:
        return None
    a, b, c = (float(v) for v in found)
    return a, b, c


def _saturating(n: NDArray[np.float64], a: float, b: float, c: float) -> NDArray[np.float64]:
    return a - b * n ** (-c)


def report(points: list[Point]) -> str:
    """The curve as a Markdown table, then the fitted gain per doubling and the sizes the targets would take."""
    lines = [
        "| training documents | draws | macro-F1 any level (mean, range) | unfair (mean, range) |",
        "|---|---|---|---|",
    ]
    for size in sorted({p.size for p in points}):
        mine = [p for p in points if p.size == size]
        anyl = [p.any_level for p in mine]
        unfair = [p.unfair for p in mine]
        lines.append(
            f"| {size} | {len(mine)} | {np.mean(anyl):.3f} ({min(anyl):.3f}–{max(anyl):.3f}) "
            f"| {np.mean(unfair):.3f} ({min(unfair):.3f}–{max(unfair):.3f}) |"
        )
    lines.append("")
    for figure, target in TARGETS.items():
        slope, intercept = doubling_gain(points, figure)
        needed = documents_for(target, slope, intercept)
        lines.append(
            f"{figure}: +{slope:.3f} per doubling of the documents; the target {target} at about "
            f"{needed:,.0f} documents on that line"
        )
        fitted = saturating_fit(points, figure)
        if fitted is not None:
            lines.append(
                f"  a − b·n^(−c) through the same points levels off at {fitted[0]:.3f} (c = {fitted[2]:.2f})"
            )
    return "\n".join(lines)


def main() -> None:
    """Command line: fit every point, print the table, optionally save the points as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[7, 14, 21, 28])
    parser.add_argument("--draws", type=int, default=3, help="random draws of each size below the full fold")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--report", type=Path, default=None, help="print the tables of a saved --json file")
    add_extra_terms_option(parser)
    args = parser.parse_args()
    if args.report is not None:
        print(report([Point(**p) for p in json.loads(args.report.read_text())]))
        return
    started = time.perf_counter()
    points = curve(args.sizes, args.draws, TrainingConfig(), args.extra_terms)
    print(report(points))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.json is not None:
        args.json.write_text(json.dumps([dataclasses.asdict(p) for p in points], indent=2) + "\n")


if __name__ == "__main__":
    main()
