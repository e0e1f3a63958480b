"""Load the CLAUDETTE-en corpus copied into training/data (CC BY 4.0, credit in data/claudette-en/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clausewatch_analyzer.model.labels import parse_tags

CLAUDETTE_DIR = Path(__file__).parent / "data" / "claudette-en"


@dataclass(frozen=True)
class Document:
    """One terms-of-service document: its sentences and, per sentence, {clause type id: level}.

    `ignored` (empty, or one set per sentence) names the types a sentence neither teaches nor counts against
    (training.key_sentences); CLAUDETTE's documents ignore nothing.
    """

    name: str
    sentences: tuple[str, ...]
    labels: tuple[dict[str, int], ...]
    ignored: tuple[frozenset[str], ...] = ()


def load_claudette(root: Path = CLAUDETTE_DIR) -> list[Document]:
    """Read every document of the corpus, sorted by name so folds are reproducible."""
    documents = []
    for sentence_file in sorted((root / "sentences").glob("*.txt")):
        sentences = sentence_file.read_text(encoding="utf-8").splitlines()
        tags = (root / "tags" / sentence_file.name).read_text(encoding="utf-8").splitlines()
        if len(tags) != len(sentences):
            raise ValueError(f"{sentence_file.name}: {len(sentences)} sentences but {len(tags)} tag lines")
        documents.append(
            Document(
                name=sentence_file.stem,
                sentences=tuple(sentences),
                labels=tuple(parse_tags(line) for line in tags),
            )
        )
    return documents
