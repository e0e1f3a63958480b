"""Development loop for a second ("context") stage over the stage-one scores `training.stage_cache` saved.

    cd services/analyzer && uv run python -m training.stage_cache      # once, ~10 min: five outer folds' stage one
    cd services/analyzer && uv run python -m training.context_quick [--learner lr|lr-plain|hgb] [--window K]
        [--c C] [--columns 0,12]

Per outer fold (the evaluation's document split): the second stage learns, per type, from the inner out-of-fold
stage-one scores of the training documents (each document one sequence); its threshold is the best-F1 cut of its
own out-of-fold predictions (inner folds by training document); it is scored on the held-out documents' stage-one
scores from the fold's full model. Model-only figures, pooled over folds, against stage one in the same run; the
CLI path is scored by `training.evaluate`. Columns are those of `training.context_features.feature_names`.
Measured variants and figures: docs/decisions/0087.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.context_features import context_features
from training.metrics import best_threshold
from training.stage_cache import CACHE


def sequence_features(
    margins: NDArray[np.float64],
    groups: NDArray[np.int64],
    lengths: NDArray[np.float64],
    window: int,
    floor: float,
    chunk: int = 0,
) -> NDArray[np.float64]:
    """Context features with each document (or each `chunk` consecutive lines of it) as one sequence."""
    parts = []
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        step = chunk or len(rows)
        for start in range(0, len(rows), step):
            piece = rows[start : start + step]
            parts.append((piece, context_features(margins[piece], lengths[piece], window, floor)))
    out = np.zeros((len(margins), margins.shape[1], parts[0][1].shape[2]))
    for piece, features in parts:
        out[piece] = features
    return out


def make_learner(name: str, c: float) -> Any:
    """The per-type second-stage model: logistic regression (balanced or plain) or gradient-boosted trees."""
    if name == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.05,
            max_leaf_nodes=8,
            min_samples_leaf=20,
            l2_regularization=1.0,
            class_weight="balanced",
            random_state=0,
        )
    weights = None if name == "lr-plain" else "balanced"
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight=weights, max_iter=2000))


def fit_score(
    learner: Any, x: NDArray[np.float64], y: NDArray[np.int8], x_test: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Fit and return decision scores on x_test (constant when the training labels are one class)."""
    if y.min() == y.max():
        return np.full(len(x_test), -1.0 if y.max() == 0 else 1.0)
    learner.fit(x, y)
    return np.asarray(learner.decision_function(x_test), dtype=np.float64)


def f1(predicted: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    """F1 of one type."""
    tp = int((predicted & truth).sum())
    denominator = int(predicted.sum() + truth.sum())
    return 2 * tp / denominator if denominator else 1.0


@dataclass(frozen=True)
class Candidate:
    """One second-stage configuration; `learner=None` is stage one itself (its own threshold)."""

    learner: str | None = "lr"
    window: int = 3
    floor: float = -1.0
    c: float = 0.1
    columns: tuple[int, ...] = ()


# What decision 0087 measured one by one (the tree model left out: 50x slower, never best on inner folds).
GRID = (
    Candidate(None),
    Candidate("lr", 3, -1.0, 0.1),
    Candidate("lr", 1, -1.0, 0.1),
    Candidate("lr-plain", 1, -1.0, 0.1),
    Candidate("lr-plain", 3, -1.0, 1.0),
    Candidate("lr", 3, -1.0, 0.1, (0, 1, 2)),
    Candidate("lr-plain", 3, -1.0, 0.1, (0, 1, 2)),
    Candidate("lr-plain", 3, -1.0, 1.0, (0, 9, 10)),
    Candidate("lr-plain", 3, -1.0, 1.0, (0, 7, 8)),
    Candidate("lr", 3, -1.0, 0.1, (0,)),
    Candidate("lr-plain", 3, -1.0, 0.1, (0, 12)),
    Candidate("lr-plain", 3, -1.0, 1.0, (0, 12)),
    Candidate("lr-plain", 3, -1.0, 10.0, (0, 12)),
    Candidate("lr", 3, -1.0, 1.0, (0, 12)),
)


def fold_stage_two(
    data: dict[str, Any], candidate: Candidate
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """One outer fold: held-out predictions (n_test, n_types) and the inner out-of-fold F1 per type."""
    theta = data["thresholds"]
    train_margins, test_margins = data["train_oof"] - theta, data["test_scores"] - theta
    groups, y_train = data["train_groups"], data["train_truth"]
    types = train_margins.shape[1]
    if candidate.learner is None:
        own = np.array([f1(train_margins[:, t] >= 0, y_train[:, t] == 1) for t in range(types)])
        return test_margins >= 0, own
    train_lengths = np.array([len(s) for s in data["train_sentences"]], dtype=np.float64)
    test_lengths = np.array([len(s) for s in data["test_sentences"]], dtype=np.float64)
    x_train = sequence_features(train_margins, groups, train_lengths, candidate.window, candidate.floor)
    x_test = sequence_features(
        test_margins, data["test_groups"], test_lengths, candidate.window, candidate.floor
    )
    if candidate.columns:
        keep = list(candidate.columns)
        x_train, x_test = x_train[:, :, keep], x_test[:, :, keep]
    inner = list(GroupKFold(n_splits=5).split(x_train, groups=groups))
    predicted = np.zeros((len(test_margins), types), dtype=bool)
    inner_f1 = np.zeros(types)
    for t in range(types):
        oof = np.zeros(len(x_train))
        for fit_rows, held in inner:
            learner = make_learner(candidate.learner, candidate.c)
            oof[held] = fit_score(learner, x_train[fit_rows, t], y_train[fit_rows, t], x_train[held, t])
        cut = best_threshold(list(oof), [bool(v) for v in y_train[:, t]])
        inner_f1[t] = f1(oof >= cut, y_train[:, t] == 1)
        learner = make_learner(candidate.learner, candidate.c)
        predicted[:, t] = fit_score(learner, x_train[:, t], y_train[:, t], x_test[:, t]) >= cut
    return predicted, inner_f1


def main() -> None:
    """Run every outer fold and print per-type F1, stage one against stage two.

    With `--select`, stage two is, per outer fold and type, whichever of GRID scored best on that fold's inner
    out-of-fold F1 (stage one included), so the figure is a nested estimate of the whole search.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learner", default="lr", choices=("lr", "lr-plain", "hgb"))
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--floor", type=float, default=-1.0, help="margin above which a line is in a run")
    parser.add_argument("--c", type=float, default=0.1)
    parser.add_argument("--columns", default="", help="comma-separated feature columns to keep (default all)")
    parser.add_argument("--select", action="store_true", help="pick from GRID per fold and type by inner F1")
    args = parser.parse_args()
    started = time.process_time()
    columns = tuple(int(c) for c in args.columns.split(",")) if args.columns else ()
    candidates = (
        GRID
        if args.select
        else (Candidate(None), Candidate(args.learner, args.window, args.floor, args.c, columns))
    )
    first, second, truths, levels, gold_levels = [], [], [], [], []
    inner_first: list[float] = []
    inner_second: list[float] = []
    for fold in range(5):
        data = joblib.load(CACHE / f"fold{fold}.joblib")
        runs = [fold_stage_two(data, candidate) for candidate in candidates]
        inner_by_candidate = np.stack([inner for _, inner in runs])  # (candidates, types)
        # Without --select, candidates are (stage one, the one asked for): always report the one asked for.
        pick = np.argmax(inner_by_candidate, axis=0) if args.select else np.ones(len(TERMS_TYPE_IDS), int)
        if args.select:
            print(f"fold {fold} picks: {[candidates[i] for i in pick]}")
        first.append(runs[0][0])
        second.append(np.stack([runs[i][0][:, t] for t, i in enumerate(pick)], axis=1))
        inner_first.append(float(runs[0][1].mean()))
        inner_second.append(float(np.mean([runs[i][1][t] for t, i in enumerate(pick)])))
        truths.append(data["test_truth"].astype(bool))
        levels.append(data["test_levels"])
        gold_levels.append(np.array([[lab.get(t, 0) for t in TERMS_TYPE_IDS] for lab in data["test_labels"]]))
        print(f"fold {fold} done ({time.process_time() - started:.0f} s CPU)", flush=True)
    p1, p2, truth = np.concatenate(first), np.concatenate(second), np.concatenate(truths)
    level, unfair_truth = np.concatenate(levels), np.concatenate(gold_levels) >= 2
    rows = []
    for t, name in enumerate(TERMS_TYPE_IDS):
        row = (
            f1(p1[:, t], truth[:, t]),
            f1(p2[:, t], truth[:, t]),
            f1(p1[:, t] & (level[:, t] >= 2), unfair_truth[:, t]),
            f1(p2[:, t] & (level[:, t] >= 2), unfair_truth[:, t]),
        )
        rows.append(row)
        print(f"  {name:26s} any {row[0]:.3f} -> {row[1]:.3f}   unfair {row[2]:.3f} -> {row[3]:.3f}")
    means = np.mean(rows, axis=0)
    print(
        f"inner out-of-fold F1 on the training folds: stage one {np.mean(inner_first):.3f}, "
        f"stage two {np.mean(inner_second):.3f}"
    )
    print(vars(args))
    print(
        f"macro any {means[0]:.3f} -> {means[1]:.3f}   unfair {means[2]:.3f} -> {means[3]:.3f}"
        f"   ({time.process_time() - started:.0f} s CPU)"
    )


if __name__ == "__main__":
    main()
