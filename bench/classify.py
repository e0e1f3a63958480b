"""Throughput of the analyzer's trained clause classifier on CLAUDETTE-en sentences.

    uv run python -m bench.classify [--path model|cli] [--repeat 5] [--batch 256] [--workers 2] [--json OUT]

Prints the artefact's load time and size, then sentences per second: one process, and `--workers` processes each
classifying its share (the analyzer on a 2-core machine). The median of `--repeat` runs is reported.
`--path model` (default) times the trained model alone; `--path cli` times what `clausewatch classify --lines` runs
per line (sentence split, every taxonomy rule, the model, merging, severity and regulations), with a new engine for
every pass so no pass reuses another's memoised sentences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.model import ARTEFACT_PATH, load_classifier, load_privacy_model

CORPUS = (
    Path(__file__).resolve().parent.parent / "services" / "analyzer" / "training" / "data" / "claudette-en"
)


def corpus_sentences(root: Path = CORPUS) -> list[str]:
    """Every sentence of the copied CLAUDETTE-en corpus, in file order."""
    return [
        line
        for path in sorted((root / "sentences").glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
    ]


def classify_all(sentences: list[str], batch: int) -> int:
    """Classify `sentences` in batches of `batch`; return how many types were found (so nothing is optimised out)."""
    classifier = load_classifier()
    found = 0
    for start in range(0, len(sentences), batch):
        found += sum(len(p) for p in classifier.predict(sentences[start : start + batch]))
    return found


def assess_all(sentences: list[str], batch: int) -> int:
    """Assess `sentences` as `--lines` units through a new engine; return how many types were found."""
    engine = build_engine()
    context = Context(document_title="bench")
    found = 0
    for start in range(0, len(sentences), batch):
        found += sum(
            len(r.clause_types) for r in assess_units(sentences[start : start + batch], engine, context)
        )
    return found


PATHS: dict[str, Callable[[list[str], int], int]] = {"model": classify_all, "cli": assess_all}


def timed_run(
    run: Callable[[list[str], int], int],
    sentences: list[str],
    batch: int,
    workers: int,
    pool: ProcessPoolExecutor | None,
) -> float:
    """Sentences per second of one pass over `sentences`, split over `workers` processes when a pool is given."""
    started = time.perf_counter()
    if pool is None:
        run(sentences, batch)
    else:
        shares = [sentences[i::workers] for i in range(workers)]
        list(pool.map(run, shares, [batch] * workers))
    return len(sentences) / (time.perf_counter() - started)


def main() -> None:
    """Command line: measure and print; optionally write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", choices=sorted(PATHS), default="model")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    sentences = corpus_sentences()
    started = time.perf_counter()
    classifier = load_classifier()
    load_seconds = time.perf_counter() - started
    run = PATHS[args.path]
    run(sentences[:512], args.batch)  # warm-up: first calls allocate

    single = statistics.median(timed_run(run, sentences, args.batch, 1, None) for _ in range(args.repeat))
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(run, [sentences[:64]] * args.workers, [args.batch] * args.workers))  # load + warm up
        parallel = statistics.median(
            timed_run(run, sentences, args.batch, args.workers, pool) for _ in range(args.repeat)
        )
    figures = {
        "path": args.path,
        "model_version": classifier.version,
        # the CLI's engine also reads every line with the privacy-category model (decision 0188)
        **({"privacy_model_version": load_privacy_model().version} if args.path == "cli" else {}),
        "artefact_mb": round(ARTEFACT_PATH.stat().st_size / 1e6, 2),
        "load_seconds": round(load_seconds, 2),
        "sentences": len(sentences),
        "batch": args.batch,
        "sentences_per_second_1_process": round(single),
        f"sentences_per_second_{args.workers}_processes": round(parallel),
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
