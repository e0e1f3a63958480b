"""Which sentences of labelled JSONL files share a run of N consecutive words with a CLAUDETTE-en sentence.

The check behind data/invented-terms' "no copying" claim (its README): text we write must not copy CLAUDETTE-en
(CC BY 4.0), and a long shared word run also means the model would be scored on, or learn twice, a sentence it has
seen. Words are `\\w+` tokens of the lowercased text; runs never cross a sentence boundary.

    uv run python -m training.overlap FILE... [--n 9] [--fail]

prints one line per sentence that shares a run (its id, the longest shared run, the CLAUDETTE document and line),
then a count per file; with --fail the exit status is 1 when any sentence does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from training.corpus import Document, load_claudette

DEFAULT_N = 9
_WORD = re.compile(r"\w+")

Gram = tuple[str, ...]


def words(text: str) -> tuple[str, ...]:
    """The lowercased `\\w+` tokens of a text."""
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Place:
    """Where an n-gram starts in the corpus: document name, 1-based line of its sentence file, word position."""

    document: str
    line: int
    position: int


@dataclass
class Index:
    """Every n-gram of the corpus's sentences with where it occurs, and each sentence's words to extend a match."""

    n: int
    grams: dict[Gram, list[Place]] = field(default_factory=dict)
    sentences: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)


def build_index(documents: Iterable[Document], n: int) -> Index:
    """Index the n-grams of every sentence of the documents (line numbers count from 1, as in the files)."""
    if n < 1:
        msg = f"n must be at least 1, not {n}"
        raise ValueError(msg)
    index = Index(n)
    for document in documents:
        for line, sentence in enumerate(document.sentences, start=1):
            tokens = words(sentence)
            index.sentences[(document.name, line)] = tokens
            for position in range(len(tokens) - n + 1):
                index.grams.setdefault(tokens[position : position + n], []).append(
                    Place(document.name, line, position)
                )
    return index


@dataclass(frozen=True)
class Hit:
    """A sentence sharing a run of at least n words with a corpus sentence: the longest such run and where it is."""

    sentence_id: str
    run: tuple[str, ...]
    document: str
    line: int


def match(sentence_id: str, text: str, index: Index) -> Hit | None:
    """The sentence's longest run shared with one corpus sentence (the first found on a tie), or None if none
    reaches index.n words."""
    tokens = words(text)
    best: Hit | None = None
    for start in range(len(tokens) - index.n + 1):
        for place in index.grams.get(tokens[start : start + index.n], ()):
            # Extend the shared n-gram forwards as far as both sentences agree: the run to report.
            other = index.sentences[(place.document, place.line)]
            length = index.n
            while (
                start + length < len(tokens)
                and place.position + length < len(other)
                and tokens[start + length] == other[place.position + length]
            ):
                length += 1
            if best is None or length > len(best.run):
                best = Hit(sentence_id, tokens[start : start + length], place.document, place.line)
    return best


def read_sentences(path: Path) -> list[tuple[str, str]]:
    """The (id, text) of each row of a labelled JSONL file, in file order."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["id"]), str(row["text"])))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Print the hits and a count per file; 1 if --fail and any sentence shares a run of --n words."""
    parser = argparse.ArgumentParser(
        prog="python -m training.overlap", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSONL files (rows with id and text)")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"run length in words (default {DEFAULT_N})")
    parser.add_argument("--fail", action="store_true", help="exit with status 1 if any sentence shares a run")
    args = parser.parse_args(argv)
    index = build_index(load_claudette(), args.n)
    counts: list[tuple[Path, int, int]] = []
    for path in args.files:
        sentences = read_sentences(path)
        hits = [hit for sentence_id, text in sentences if (hit := match(sentence_id, text, index))]
        for hit in hits:
            print(
                f"{hit.sentence_id}\tclaudette-en {hit.document} line {hit.line}\t{len(hit.run)} words: {' '.join(hit.run)}"
            )
        counts.append((path, len(hits), len(sentences)))
    total = 0
    for path, hit_count, sentence_count in counts:
        print(f"{path.name}: {hit_count} of {sentence_count} sentences share a run of {args.n} words")
        total += hit_count
    print(f"total: {total} sentences in {len(counts)} files")
    return 1 if args.fail and total else 0


if __name__ == "__main__":
    sys.exit(main())
