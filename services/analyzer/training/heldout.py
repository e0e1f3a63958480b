"""The shipped clause classifier on held-out terms documents: the cross-validation's table, for documents it never saw.

    cd services/analyzer && uv run python -m training.heldout PATH [PATH ...] [--artefact FILE] [--predictions OUT]

Issue #5 asks for the cross-validated figures to be "measured on held-out documents" too. A PATH is a folder in
CLAUDETTE's layout (`sentences/NAME.txt` and `tags/NAME.txt`, a sentence and its tags on the same line, as
data/claudette-en; the fifteen CLAUDETTE-en documents kept aside come that way) or one of our labelled JSONL files
(a file a document, as data/own-terms). Nothing is trained. Every sentence is read twice: by the artefact alone, and
through the path `clausewatch classify --lines` takes (the same engine: rules, the clause model, the privacy model,
severity; a type counts as unfair where the line's severity is medium or high). Then comes the table
`training.evaluate` prints: per type any level and unfair, macro-F1, 95 % intervals by resampling documents, and
LexGLUE's counting. `--predictions OUT` saves every row for `training.compare` (two artefacts on the same documents).
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.model import load_classifier
from training.corpus import Document, load_claudette
from training.evaluate import engine_levels, predict_levels, terms_table
from training.own_terms import load_own_terms
from training.predictions import HeldOutPredictions, save


def load_documents(paths: Sequence[Path]) -> list[Document]:
    """The labelled documents of each path, in the order given. A path that holds none, or holds something
    unreadable, is an error naming it; so is a document name given twice (the intervals resample by name)."""
    documents: list[Document] = []
    for path in paths:
        try:
            documents += _documents_at(path)
        except FileNotFoundError as error:
            raise ValueError(f"{path}: {error.filename} is missing") from error
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: a line is not JSON ({error})") from error
        except KeyError as error:
            raise ValueError(f"{path}: a row without {error}") from error
    counts = Counter(document.name for document in documents)
    if twice := sorted(name for name, count in counts.items() if count > 1):
        raise ValueError(f"documents named twice: {', '.join(twice)}")
    return documents


def _documents_at(path: Path) -> list[Document]:
    if path.is_dir():
        if not (path / "sentences").is_dir() or not (path / "tags").is_dir():
            raise ValueError(f"{path}: expected CLAUDETTE's layout, sentences/NAME.txt and tags/NAME.txt")
        found = load_claudette(path)
        if not found:
            raise ValueError(f"{path}: no sentences/*.txt")
        return found
    if path.is_file() and path.suffix == ".jsonl":
        return load_own_terms([path])
    raise ValueError(f"{path}: neither a folder in CLAUDETTE's layout nor a .jsonl file")


def score_documents(documents: Sequence[Document], artefact: Path | None = None) -> HeldOutPredictions:
    """What the artefact (`artefact`, default the shipped one) predicts for every sentence, alone and through the
    CLI's engine, beside the gold tags."""
    model = load_classifier(artefact)
    engine = build_engine(artefact)
    names: list[str] = []
    gold: list[dict[str, int]] = []
    alone: list[dict[str, int | None]] = []
    cli: list[dict[str, int | None]] = []
    for document in documents:
        names += [document.name] * len(document.sentences)
        gold += document.labels
        alone += predict_levels(model, document.sentences)
        cli += engine_levels(engine, document.sentences)
    return HeldOutPredictions(
        config={"artefact": str(artefact or "shipped"), "model_version": model.version},
        documents=tuple(names),
        gold=tuple(gold),
        model=tuple(alone),
        cli=tuple(cli),
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: load the documents and the artefact, print the table, optionally save the rows."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", type=Path, nargs="+", help="CLAUDETTE-layout folders or our JSONL files")
    parser.add_argument(
        "--artefact",
        type=Path,
        default=None,
        help="another artefact training.build wrote (it is unpickled: only your own)",
    )
    parser.add_argument(
        "--predictions", type=Path, default=None, help="save the rows here, for training.compare"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        documents = load_documents(args.paths)
    except ValueError as error:
        parser.error(str(error))
    # Loaded here so that a missing or broken artefact stops the command; the engine would fall back to its rules.
    try:
        model = load_classifier(args.artefact)
    except (OSError, EOFError, pickle.UnpicklingError) as error:
        parser.error(f"cannot load the artefact: {error}")
    held = score_documents(documents, args.artefact)
    print(
        f"{len(documents)} held-out documents, {len(held.documents)} sentences, model {model.version}, "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print("\n".join(terms_table(held)))
    if args.predictions is not None:
        save(held, args.predictions)


if __name__ == "__main__":
    main()
