"""Load clausewatch's own labelled terms-of-service sentences (JSONL, one sentence a line, in document order).

Each row is {"id", "source", "text", "labels": [type ids], "levels": {CLAUDETTE type id: 1|2|3}}; only the nine
CLAUDETTE types (with their levels) are read, the other types in `labels` are for the rules' evaluation. One file
is one document, so cross-validation can keep it whole on one side of a split.
"""

from __future__ import annotations

import json
from pathlib import Path

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from training.corpus import Document
from training.key_sentences import continuation_types

OWN_TERMS_DIR = Path(__file__).parent / "data" / "own-terms"
INVENTED_TERMS_DIR = Path(__file__).parent / "data" / "invented-terms"
HELD_OUT_INVENTED_DIR = Path(__file__).parent / "data" / "invented-terms-held-out"


def own_terms_files(root: Path = OWN_TERMS_DIR) -> list[Path]:
    """Real terms of service we labelled (data/own-terms), sorted so the model version is reproducible."""
    return sorted(root.glob("*.jsonl"))


def invented_terms_files(root: Path = INVENTED_TERMS_DIR) -> list[Path]:
    """Terms of service we wrote and labelled (data/invented-terms; docs/decisions/0110), sorted."""
    return sorted(root.glob("*.jsonl"))


def held_out_invented_files(root: Path = HELD_OUT_INVENTED_DIR) -> list[Path]:
    """Terms we wrote that no model learns from (data/invented-terms-held-out; docs/decisions/0113), sorted: the
    shipped model and rules are checked on them, never trained or tuned on them."""
    return invented_terms_files(root)


def training_terms_files() -> list[Path]:
    """Every labelled terms file the shipped model learns from besides CLAUDETTE-en: real ones, then invented."""
    return own_terms_files() + invented_terms_files()


def is_invented(path: Path) -> bool:
    """Whether a file holds terms we wrote (named `terms_invented_<company>.jsonl`, as in data/invented-terms)."""
    return path.name.startswith("terms_invented_")


def load_own_terms(paths: list[Path], key_sentences: bool = False) -> list[Document]:
    """Read each file as one document; a CLAUDETTE type labelled without a level is an error.

    With `key_sentences` (measured in docs/decisions/0111, not shipped), a sentence of an invented file that
    continues the sentence before it in a type is ignored for that type (training.key_sentences); real documents
    we labelled always keep every tag as a training example.
    """
    documents = []
    for path in sorted(paths):
        sentences: list[str] = []
        labels: list[dict[str, int]] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            levels = row.get("levels", {})
            found = {}
            for type_id in row["labels"]:
                if type_id not in TERMS_TYPE_IDS:
                    continue
                if type_id not in levels:
                    raise ValueError(f"{path.name}:{number}: {type_id} has no level")
                found[type_id] = int(levels[type_id])
            sentences.append(row["text"])
            labels.append(found)
        documents.append(
            Document(
                name=f"own-{path.stem}",
                sentences=tuple(sentences),
                labels=tuple(labels),
                ignored=continuation_types(labels) if key_sentences and is_invented(path) else (),
            )
        )
    return documents
