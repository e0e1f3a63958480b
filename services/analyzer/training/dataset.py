"""The training set as flat lists: sentences, their labels and the index of the document each came from."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from training.corpus import Document


@dataclass(frozen=True)
class Dataset:
    """Sentences with {type id: level} labels and a document index per sentence (for folds by document)."""

    sentences: tuple[str, ...]
    labels: tuple[dict[str, int], ...]
    groups: tuple[int, ...]
    document_names: tuple[str, ...]

    def subset(self, documents: Sequence[int]) -> Dataset:
        """Only the sentences of the given document indexes (group numbers are kept)."""
        keep = set(documents)
        rows = [i for i, g in enumerate(self.groups) if g in keep]
        return Dataset(
            sentences=tuple(self.sentences[i] for i in rows),
            labels=tuple(self.labels[i] for i in rows),
            groups=tuple(self.groups[i] for i in rows),
            document_names=self.document_names,
        )

    def fingerprint(self) -> str:
        """SHA-256 of the sentences and labels, so a model version names the data it was trained on."""
        digest = hashlib.sha256()
        for sentence, label, group in zip(self.sentences, self.labels, self.groups, strict=True):
            digest.update(f"{group}\t{sentence}\t{sorted(label.items())}\n".encode())
        return digest.hexdigest()


def from_documents(documents: Sequence[Document]) -> Dataset:
    """Flatten documents into one dataset, numbering documents in the given order."""
    return Dataset(
        sentences=tuple(s for d in documents for s in d.sentences),
        labels=tuple(label for d in documents for label in d.labels),
        groups=tuple(i for i, d in enumerate(documents) for _ in d.sentences),
        document_names=tuple(d.name for d in documents),
    )


def concat(first: Dataset, second: Dataset) -> Dataset:
    """Both datasets' sentences; the second's documents are renumbered after the first's so groups stay distinct."""
    offset = max(first.groups, default=-1) + 1
    return Dataset(
        sentences=first.sentences + second.sentences,
        labels=first.labels + second.labels,
        groups=first.groups + tuple(offset + g for g in second.groups),
        document_names=first.document_names + second.document_names,
    )
