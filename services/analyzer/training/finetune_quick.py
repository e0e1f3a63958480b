"""Fine-tuning all-MiniLM-L6-v2 on the terms types, on the evaluation's folds (a measured experiment, docs/decisions/0102).

PyTorch is not a project dependency, so the experiment runs in three steps, two of them in the project's
environment and the training in a separate one (the machine's CPU wheel of torch 2.13.0, `transformers` and
`tokenizers`; the model folder as `training/embeddings.py` says):

    cd services/analyzer
    uv run python -m training.finetune_quick export /tmp/ft-data.json
    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install torch==2.13.0 transformers tokenizers numpy scipy
    /tmp/ft/bin/python -m training.finetune_quick train /tmp/ft-data.json /tmp/ft-run.json   # ~45 min, 2 cores
    uv run python -m training.finetune_quick compare /tmp/ft-data.json /tmp/ft-run.json       # + TF-IDF, ~12 min

Protocol, the same as `training.evaluate`'s outer loop: `GroupKFold(5)` over the 35 documents; per fold, a fifth of
the training documents (seeded) is set aside to pick each type's threshold and the best epoch, the encoder and a
linear head over mean-pooled tokens are trained on the rest (binary cross-entropy over 9 "any level" and 9 "level
≥ 2" outputs, all labelled sentences and a fresh 35 % of the unlabelled ones each epoch, word embeddings frozen),
and the held-out documents are scored once with the chosen epoch. `compare` fits the shipped TF-IDF configuration on
the same folds and prints both, their union and their intersection per type (model figures, pooled over folds).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.embeddings import DEFAULT_DIRECTORY

MINILM = DEFAULT_DIRECTORY  # the unzipped model wheel, as for embeddings.py


def export(out: Path) -> None:
    """Write the CLAUDETTE sentences, their labels, documents and outer folds as JSON (project environment)."""
    from sklearn.model_selection import GroupKFold

    from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
    from training.build import training_set

    data = training_set()
    documents = np.arange(len(data.document_names))
    fold_of = {}
    for fold, (_, test) in enumerate(GroupKFold(n_splits=5).split(documents, groups=documents)):
        fold_of.update(dict.fromkeys(test.tolist(), fold))
    out.write_text(
        json.dumps(
            {
                "types": list(TERMS_TYPE_IDS),
                "sentences": list(data.sentences),
                "labels": [dict(label) for label in data.labels],
                "groups": list(data.groups),
                "fold": [fold_of[g] for g in data.groups],
            }
        )
    )
    print(f"{len(data.sentences)} sentences, {len(documents)} documents -> {out}")


def targets(data: dict[str, Any]) -> NDArray[np.float32]:
    """Per sentence: 9 columns 'type at any level', then 9 columns 'type at level 2 or 3'."""
    types = data["types"]
    y = np.zeros((len(data["sentences"]), 2 * len(types)), dtype=np.float32)
    for i, label in enumerate(data["labels"]):
        for type_id, level in label.items():
            if type_id in types:
                y[i, types.index(type_id)] = 1
                if level is not None and level >= 2:
                    y[i, len(types) + types.index(type_id)] = 1
    return y


def f1(gold: NDArray[Any], predicted: NDArray[Any]) -> float:
    """F1 of one boolean column."""
    gold, predicted = gold.astype(bool), predicted.astype(bool)
    tp = int((gold & predicted).sum())
    wrong = int((gold ^ predicted).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + wrong)


def best_thresholds(gold: NDArray[np.float32], scores: NDArray[np.float32]) -> NDArray[np.float64]:
    """Each column's best-F1 cut among 0.05, 0.10, ..., 0.95."""
    cuts = np.linspace(0.05, 0.95, 19)
    return np.array(
        [
            cuts[int(np.argmax([f1(gold[:, j], scores[:, j] >= c) for c in cuts]))]
            for j in range(gold.shape[1])
        ]
    )


def train(data_path: Path, out: Path, folds: list[int], epochs: int, lr: float, negatives: float) -> None:
    """Fine-tune per outer fold and write each fold's held-out scores and thresholds (the torch environment)."""
    import torch
    from tokenizers import Tokenizer
    from transformers import BertModel, logging

    logging.set_verbosity_error()
    torch.set_num_threads(2)
    torch.manual_seed(7)
    data = json.loads(data_path.read_text())
    k = len(data["types"])
    y = targets(data)
    tokenizer = Tokenizer.from_file(str(MINILM / "tokenizer.json"))
    tokenizer.enable_truncation(128)
    tokenizer.no_padding()  # the model's tokenizer.json pads to 128, which would make every batch full length
    token_ids = [e.ids for e in tokenizer.encode_batch(data["sentences"])]

    class Net(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel.from_pretrained(str(MINILM), add_pooling_layer=False)
            self.head = torch.nn.Linear(384, 2 * k)

        def forward(self, ids: Any, mask: Any) -> Any:
            hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).float()
            return self.head((hidden * weights).sum(1) / weights.sum(1).clamp(min=1))

    def collate(rows: list[int]) -> tuple[Any, Any]:
        width = max(len(token_ids[r]) for r in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for n, r in enumerate(rows):
            ids[n, : len(token_ids[r])] = torch.tensor(token_ids[r])
            mask[n, : len(token_ids[r])] = 1
        return ids, mask

    def training_batches(rows: list[int], rng: random.Random) -> list[list[int]]:
        # Similar lengths in a batch (less padding), batches in random order.
        rng.shuffle(rows)
        chunks = [
            sorted(rows[i : i + 1600], key=lambda r: len(token_ids[r])) for i in range(0, len(rows), 1600)
        ]
        ordered = [r for chunk in chunks for r in chunk]
        batches = [ordered[i : i + 32] for i in range(0, len(ordered), 32)]
        rng.shuffle(batches)
        return batches

    @torch.no_grad()  # type: ignore[misc]
    def predict(net: Any, rows: list[int]) -> NDArray[np.float32]:
        net.eval()
        scores = np.zeros((len(y), 2 * k), dtype=np.float32)
        ordered = sorted(rows, key=lambda r: len(token_ids[r]))
        for i in range(0, len(ordered), 128):
            batch = ordered[i : i + 128]
            scores[batch] = torch.sigmoid(net(*collate(batch))).numpy()
        net.train()
        return scores

    fold_of, groups = np.array(data["fold"]), np.array(data["groups"])
    results: dict[str, Any] = {}
    for fold in folds:
        started = time.perf_counter()
        rng = random.Random(fold)
        test = [i for i in range(len(y)) if fold_of[i] == fold]
        documents = sorted({int(groups[i]) for i in range(len(y)) if fold_of[i] != fold})
        validation_docs = set(rng.sample(documents, len(documents) // 5))
        fit_rows = [i for i in range(len(y)) if fold_of[i] != fold and groups[i] not in validation_docs]
        validation = [i for i in range(len(y)) if fold_of[i] != fold and groups[i] in validation_docs]
        positives = [i for i in fit_rows if y[i, :k].any()]
        unlabelled = [i for i in fit_rows if not y[i, :k].any()]
        counts = y[fit_rows].sum(0)
        pos_weight = np.clip(np.sqrt((len(fit_rows) - counts) / np.maximum(counts, 1) * negatives), 1, 10)
        net = Net()
        net.bert.embeddings.word_embeddings.weight.requires_grad_(False)
        encoder = [p for p in net.bert.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(
            [{"params": encoder, "lr": lr}, {"params": net.head.parameters(), "lr": 1e-3}], weight_decay=0.01
        )
        total = math.ceil((len(positives) + negatives * len(unlabelled)) / 32) * epochs
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, warmup_then_linear_decay(total))
        loss = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
        best: tuple[float, Any, Any] = (-1.0, None, None)
        for epoch in range(epochs):
            rows = positives + rng.sample(unlabelled, int(negatives * len(unlabelled)))
            for batch in training_batches(rows, rng):
                loss(net(*collate(batch)), torch.tensor(y[batch])).backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
            scores = predict(net, validation)[validation]
            cuts = best_thresholds(y[validation], scores)
            macro = float(np.mean([f1(y[validation][:, j], scores[:, j] >= cuts[j]) for j in range(k)]))
            print(f"fold {fold} epoch {epoch}: validation macro-F1 {macro:.3f}", flush=True)
            if macro > best[0]:
                best = (macro, cuts, predict(net, test)[test])
        macro, cuts, scores = best
        results[str(fold)] = {"test": test, "scores": scores.tolist(), "thresholds": cuts.tolist()}
        held = float(np.mean([f1(y[test][:, j], scores[:, j] >= cuts[j]) for j in range(k)]))
        print(f"fold {fold}: held-out macro-F1 any level {held:.3f} ({time.perf_counter() - started:.0f} s)")
        out.write_text(json.dumps(results))


def warmup_then_linear_decay(total: int) -> Any:
    """The learning-rate factor per step: up over the first 6 % of the steps, then down to zero at the last."""
    return lambda step: min(1.0, step / max(1, 0.06 * total)) * max(0.0, (total - step) / total)


def fine_tuned_predictions(run: dict[str, Any]) -> tuple[list[int], NDArray[np.bool_]]:
    """Held-out rows of every fold in the run and their 18 predicted columns."""
    rows: list[int] = []
    predicted = []
    for fold in sorted(run, key=int):
        rows += run[fold]["test"]
        predicted.append(np.array(run[fold]["scores"]) >= np.array(run[fold]["thresholds"]))
    return rows, np.concatenate(predicted)


def compare(data_path: Path, run_path: Path) -> None:
    """Fit the shipped TF-IDF model on the run's folds and print both, their union and intersection (project env)."""
    from clausewatch_analyzer.model.classifier import Classifier
    from training.build import training_set
    from training.config import TrainingConfig
    from training.fit import fit_classifier

    data, run = json.loads(data_path.read_text()), json.loads(run_path.read_text())
    types, k = data["types"], len(data["types"])
    y = targets(data).astype(bool)
    rows, tuned = fine_tuned_predictions(run)
    tuned_any, tuned_unfair = tuned[:, :k], tuned[:, :k] & tuned[:, k:]
    dataset = training_set()
    tfidf_any = np.zeros((len(y), k), dtype=bool)
    tfidf_unfair = np.zeros((len(y), k), dtype=bool)
    for fold in sorted(run, key=int):
        held = set(run[fold]["test"])
        test_docs = sorted({g for i, g in enumerate(data["groups"]) if i in held})
        train_docs = sorted(set(data["groups"]) - set(test_docs))
        classifier = Classifier(fit_classifier(dataset.subset(train_docs), TrainingConfig(), version="cv"))
        test_rows = sorted(held)
        for row, found in zip(
            test_rows, classifier.predict([data["sentences"][i] for i in test_rows]), strict=True
        ):
            for p in found:
                if p.clause_type in types:
                    tfidf_any[row, types.index(p.clause_type)] = True
                    tfidf_unfair[row, types.index(p.clause_type)] = (p.level or 0) >= 2
    tfidf_any, tfidf_unfair = tfidf_any[rows], tfidf_unfair[rows]
    gold_any, gold_unfair = y[rows, :k], y[rows, k:]
    variants = {
        "fine-tuned": (tuned_any, tuned_unfair),
        "TF-IDF": (tfidf_any, tfidf_unfair),
        "union": (tuned_any | tfidf_any, tuned_unfair | tfidf_unfair),
        "intersection": (tuned_any & tfidf_any, tuned_unfair & tfidf_unfair),
    }
    print(f"{len(rows)} held-out sentences in {len(run)} folds; F1 any level / unfair (levels 2-3)")
    print("| type | " + " | ".join(variants) + " |")
    print("|---" * (len(variants) + 1) + "|")
    for j, type_id in enumerate(types):
        cells = [
            f"{f1(gold_any[:, j], a[:, j]):.3f} / {f1(gold_unfair[:, j], u[:, j]):.3f}"
            for a, u in variants.values()
        ]
        print(f"| {type_id} | " + " | ".join(cells) + " |")
    macros = [
        f"**{np.mean([f1(gold_any[:, j], a[:, j]) for j in range(k)]):.3f} / "
        f"{np.mean([f1(gold_unfair[:, j], u[:, j]) for j in range(k)]):.3f}**"
        for a, u in variants.values()
    ]
    print("| macro, 9 types | " + " | ".join(macros) + " |")


def main() -> None:
    """Command line: export, train or compare."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("export").add_argument("out", type=Path)
    step = steps.add_parser("train")
    step.add_argument("data", type=Path)
    step.add_argument("out", type=Path)
    step.add_argument("--folds", default="0,1,2,3,4")
    step.add_argument("--epochs", type=int, default=3)
    step.add_argument("--lr", type=float, default=6e-5)
    step.add_argument("--negatives", type=float, default=0.35, help="share of unlabelled sentences per epoch")
    step = steps.add_parser("compare")
    step.add_argument("data", type=Path)
    step.add_argument("run", type=Path)
    args = parser.parse_args()
    if args.step == "export":
        export(args.out)
    elif args.step == "train":
        folds = [int(f) for f in args.folds.split(",")]
        train(args.data, args.out, folds, args.epochs, args.lr, args.negatives)
    else:
        compare(args.data, args.run)


if __name__ == "__main__":
    main()
