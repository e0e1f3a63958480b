"""CPU cost of the taxonomy's rules: the `--lines` engine over every CLAUDETTE-en sentence, two taxonomies alternated.

    git show ce07423:services/analyzer/clausewatch_analyzer/data/taxonomy.yaml > /tmp/old-taxonomy.yaml
    uv run python -m bench.taxonomy_speed --against /tmp/old-taxonomy.yaml [--rounds 3]

Prints, per round, sentences per CPU-second of one process with the other taxonomy and with the shipped one (same
model, a new engine per pass so no pass reuses another's memoised sentences). CPU time, not wall time, so a busy
machine blurs the pair less; alternating puts both under the same conditions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.classify import corpus_sentences
from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.taxonomy import TAXONOMY_PATH


def sentences_per_cpu_second(sentences: list[str], taxonomy: Path, batch: int) -> float:
    """One pass of the `--lines` engine built on `taxonomy` over `sentences`."""
    engine = build_engine(taxonomy_path=taxonomy)
    context = Context(document_title="bench")
    started = time.process_time()
    for start in range(0, len(sentences), batch):
        assess_units(sentences[start : start + batch], engine, context)
    return len(sentences) / (time.process_time() - started)


def main() -> None:
    """Command line: alternate the two taxonomies and print each pass."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", type=Path, required=True, help="the taxonomy file to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    sentences = corpus_sentences()
    for round_ in range(args.rounds):
        for name, path in (("other", args.against), ("shipped", TAXONOMY_PATH)):
            rate = sentences_per_cpu_second(sentences, path, args.batch)
            print(f"round {round_} {name}: {rate:.0f} sentences per CPU-second", flush=True)


if __name__ == "__main__":
    main()
