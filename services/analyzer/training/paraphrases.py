"""Paraphrases of CLAUDETTE-en's tagged sentences, learnt with the document they come from (docs/decisions/0193).

Each row of data/claudette-paraphrases/*.jsonl is {"doc", "line", "text"}: a rewording of line `line` (0-based) of
CLAUDETTE document `doc`, with the same meaning, so it takes that line's tags. A paraphrase joins its source
document: cross-validation holds the two out together (a paraphrase of a held-out sentence never trains the model
that scores it), and only CLAUDETTE's own sentences are ever scored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from training.corpus import Document

PARAPHRASES_DIR = Path(__file__).parent / "data" / "claudette-paraphrases"


@dataclass(frozen=True)
class Paraphrase:
    """A rewording of one CLAUDETTE line."""

    doc: str
    line: int
    text: str


def paraphrase_files(root: Path = PARAPHRASES_DIR) -> list[Path]:
    """The paraphrase files, sorted so the model version is reproducible."""
    return sorted(root.glob("*.jsonl"))


def load_paraphrases(paths: Sequence[Path]) -> list[Paraphrase]:
    """Every row of the files, in order; a row that is not {"doc", "line", "text"} with a text is an error."""
    found = []
    for path in paths:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            row = json.loads(raw)
            text = str(row.get("text", "")).strip()
            if not isinstance(row.get("doc"), str) or not isinstance(row.get("line"), int) or not text:
                raise ValueError(f"{path.name}:{number}: expected {{doc, line, text}} with a text")
            found.append(Paraphrase(row["doc"], row["line"], text))
    return found


def with_paraphrases(documents: Sequence[Document], paraphrases: Sequence[Paraphrase]) -> list[Document]:
    """The documents with each one's paraphrases appended, each labelled as its source line.

    A paraphrase of a document that is not there, of a line beyond its end, or of a line without a tag is refused:
    it would teach something its source does not say.
    """
    by_name = {document.name: document for document in documents}
    extra: dict[str, list[Paraphrase]] = {}
    for paraphrase in paraphrases:
        source = by_name.get(paraphrase.doc)
        if source is None:
            raise ValueError(f"a paraphrase of {paraphrase.doc!r}, which is not among the documents")
        if not 0 <= paraphrase.line < len(source.sentences):
            raise ValueError(f"{paraphrase.doc}: no line {paraphrase.line}")
        if not source.labels[paraphrase.line]:
            raise ValueError(f"{paraphrase.doc}: line {paraphrase.line} has no tag to paraphrase")
        extra.setdefault(paraphrase.doc, []).append(paraphrase)
    out = []
    for document in documents:
        rows = extra.get(document.name, [])
        if not rows:
            out.append(document)
            continue
        if document.ignored:
            raise ValueError(
                f"{document.name}: paraphrases are for CLAUDETTE's documents, which ignore nothing"
            )
        out.append(
            replace(
                document,
                sentences=document.sentences + tuple(p.text for p in rows),
                labels=document.labels + tuple(dict(document.labels[p.line]) for p in rows),
            )
        )
    return out
