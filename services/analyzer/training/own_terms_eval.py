"""Does our own labelled terms data help on modern terms of service? Leave one of our documents out at a time.

    cd services/analyzer && uv run python -m training.own_terms_eval [FILE.jsonl ...] [--always [FILE.jsonl ...]]
    (default FILEs: the real terms in data/own-terms; default --always: the invented ones in data/invented-terms,
    as the shipped model learns from them; `--always` with no file leaves them out)

For each of our documents: a model trained on CLAUDETTE-en plus the `--always` documents, and one trained on those
plus our other documents (by default what ships), both tag the held-out document through the CLI's path (rules +
model + severity, as `clausewatch classify --lines`); both are scored on all held-out sentences pooled, any level and
unfair only (levels 2-3 against severity medium or high), over the nine CLAUDETTE types. `--always` documents are
never held out; with a bare `--always` the first model is CLAUDETTE-en alone (the comparison of decision 0107).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.dataset import concat, from_documents
from training.evaluate import predict_like_cli
from training.fit import fit_classifier
from training.metrics import TypeScore, macro_f1, score_types
from training.own_terms import invented_terms_files, load_own_terms, own_terms_files


def leave_one_out(
    paths: list[Path], config: TrainingConfig, always: list[Path] | None = None
) -> dict[str, list[TypeScore]]:
    """Pooled scores of the CLAUDETTE-only model and of the model with our other documents added.

    Documents in `always` join both models' training sets (so "CLAUDETTE only" then means CLAUDETTE plus them).
    """
    claudette = training_set()
    if always:
        claudette = concat(claudette, from_documents(load_own_terms(always)))
    ours = load_own_terms(paths)
    baseline = Classifier(fit_classifier(claudette, config, version="claudette-only"))
    gold: list[dict[str, int]] = []
    alone: list[dict[str, int | None]] = []
    added: list[dict[str, int | None]] = []
    for held in ours:
        others = from_documents([d for d in ours if d is not held])
        model = Classifier(fit_classifier(concat(claudette, others), config, version=f"without-{held.name}"))
        gold += list(held.labels)
        alone += predict_like_cli(baseline, held.sentences)
        added += predict_like_cli(model, held.sentences)
    return {
        "claudette_any": score_types(gold, alone, TERMS_TYPE_IDS, min_level=1),
        "claudette_unfair": score_types(gold, alone, TERMS_TYPE_IDS, min_level=2),
        "with_ours_any": score_types(gold, added, TERMS_TYPE_IDS, min_level=1),
        "with_ours_unfair": score_types(gold, added, TERMS_TYPE_IDS, min_level=2),
    }


def main() -> None:
    """Command line: print per-type F1 of both models, any level and unfair only."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="*")
    parser.add_argument(
        "--always", type=Path, nargs="*", default=None, help="in every training set, never held out"
    )
    parser.add_argument(
        "--average-inner",
        action="store_true",
        help="detectors as the mean of the inner folds' (to compare; decision 0122)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    always = invented_terms_files() if args.always is None else args.always
    config = TrainingConfig(average_inner=args.average_inner)
    result = leave_one_out(args.files or own_terms_files(), config, always)
    columns = ("claudette_any", "with_ours_any", "claudette_unfair", "with_ours_unfair")
    base = "CLAUDETTE + always" if always else "CLAUDETTE only"
    print(f"| type | {base}, any | + ours, any | {base}, unfair | + ours, unfair |")
    print("|---|---|---|---|---|")
    for index, type_id in enumerate(TERMS_TYPE_IDS):
        cells = " | ".join(f"{result[c][index].f1:.3f}" for c in columns)
        print(f"| {type_id} | {cells} |")
    macros = " | ".join(f"**{macro_f1(result[c]):.3f}**" for c in columns)
    print(f"| **macro, 9 types** | {macros} |")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
