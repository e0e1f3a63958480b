"""Two cross-validation runs compared on the same held-out sentences, with a paired interval per figure.

    cd services/analyzer && uv run python -m training.evaluate --terms-only --predictions /tmp/a.json
    cd services/analyzer && uv run python -m training.evaluate --terms-only --nb-c 1 --predictions /tmp/b.json
    cd services/analyzer && uv run python -m training.compare /tmp/a.json /tmp/b.json

Both runs must hold the same sentences in the same order with the same tags (the evaluation's folds are fixed by the
documents, so any two runs on the same data do). For each figure it prints A, B, the difference B − A and its 95 %
interval with the documents resampled together (metrics.paired_document_bootstrap), and the share of resamples in
which B is higher; then the per-type differences. A difference whose interval holds 0 is not evidence either way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.metrics import macro_f1, paired_document_bootstrap
from training.predictions import FIGURES, HeldOutPredictions, load


def check_comparable(a: HeldOutPredictions, b: HeldOutPredictions) -> None:
    """Refuse two runs that did not predict the same sentences, in the same order, against the same tags."""
    if a.documents != b.documents or a.gold != b.gold:
        raise ValueError("the two runs hold different held-out sentences (other data or another order)")


def compare(a: HeldOutPredictions, b: HeldOutPredictions, rounds: int = 1000) -> str:
    """A Markdown report of B against A: macro figures with paired intervals, then per-type F1 differences."""
    check_comparable(a, b)
    lines = [
        "| figure | A | B | B − A | 95 % interval | B higher in |",
        "|---|---|---|---|---|---|",
    ]
    per_type: dict[str, list[str]] = {t: [] for t in TERMS_TYPE_IDS}
    for name, (source, level) in FIGURES.items():
        scores_a, scores_b = a.scores[name], b.scores[name]
        paired = paired_document_bootstrap(
            a.gold, a.source(source), b.source(source), a.documents, TERMS_TYPE_IDS, level, rounds=rounds
        )
        lines.append(
            f"| {name} | {macro_f1(scores_a):.3f} | {macro_f1(scores_b):.3f} | {paired.difference:+.3f} "
            f"| {paired.low:+.3f} … {paired.high:+.3f} | {paired.share_better:.0%} |"
        )
        for score_a, score_b in zip(scores_a, scores_b, strict=True):
            per_type[score_a.type_id].append(f"{score_a.f1:.3f} → {score_b.f1:.3f}")
    lines += ["", "| type | " + " | ".join(FIGURES) + " |", "|---|" + "---|" * len(FIGURES)]
    lines += [f"| {type_id} | " + " | ".join(cells) + " |" for type_id, cells in per_type.items()]
    return "\n".join(lines)


def main() -> None:
    """Command line: print the comparison of two saved runs."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "a", type=Path, help="predictions of the reference run (training.evaluate --predictions)"
    )
    parser.add_argument("b", type=Path, help="predictions of the run compared with it")
    parser.add_argument("--rounds", type=int, default=1000, help="document resamples")
    args = parser.parse_args()
    a, b = load(args.a), load(args.b)
    print(f"A: {args.a} {a.config}\nB: {args.b} {b.config}\n{len(a.documents)} held-out sentences\n")
    try:
        print(compare(a, b, args.rounds))
    except ValueError as error:
        parser.exit(2, f"training.compare: {error}\n")


if __name__ == "__main__":
    main()
