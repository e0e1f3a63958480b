"""The training set as flat lists: sentences, their labels and the index of the document each came from."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from training.corpus import Document


@dataclass(frozen=True)
class Dataset:
    """Sentences with {type id: level} labels and a document index per sentence (for folds by document).

    `ignored` is empty (nothing ignored) or holds, per sentence, the types that sentence is not a training example
    of (training.key_sentences).
    """

    sentences: tuple[str, ...]
    labels: tuple[dict[str, int], ...]
    groups: tuple[int, ...]
    document_names: tuple[str, ...]
    ignored: tuple[frozenset[str], ...] = ()

    def ignored_types(self) -> tuple[frozenset[str], ...]:
        """One set per sentence (empty sets when nothing is ignored)."""
        return self.ignored or tuple(frozenset() for _ in self.sentences)

    def subset(self, documents: Sequence[int]) -> Dataset:
        """Only the sentences of the given document indexes (group numbers are kept)."""
        keep = set(documents)
        rows = [i for i, g in enumerate(self.groups) if g in keep]
        return Dataset(
            sentences=tuple(self.sentences[i] for i in rows),
            labels=tuple(self.labels[i] for i in rows),
            groups=tuple(self.groups[i] for i in rows),
            document_names=self.document_names,
            ignored=tuple(self.ignored[i] for i in rows) if self.ignored else (),
        )

    def fingerprint(self) -> str:
        """SHA-256 of the sentences and labels, so a model version names the data it was trained on."""
        digest = hashlib.sha256()
        for sentence, label, group, ignored in zip(
            self.sentences, self.labels, self.groups, self.ignored_types(), strict=True
        ):
            # A sentence that ignores nothing hashes as it did before `ignored` existed.
            tail = f"\t{sorted(ignored)}" if ignored else ""
            digest.update(f"{group}\t{sentence}\t{sorted(label.items())}{tail}\n".encode())
        return digest.hexdigest()


def from_documents(documents: Sequence[Document]) -> Dataset:
    """Flatten documents into one dataset, numbering documents in the given order."""
    return Dataset(
        sentences=tuple(s for d in documents for s in d.sentences),
        labels=tuple(label for d in documents for label in d.labels),
        groups=tuple(i for i, d in enumerate(documents) for _ in d.sentences),
        document_names=tuple(d.name for d in documents),
        ignored=_ignored(documents),
    )


def _ignored(documents: Sequence[Document]) -> tuple[frozenset[str], ...]:
    """Every document's per-sentence ignored types, or () when no document ignores anything."""
    if not any(d.ignored for d in documents):
        return ()
    return tuple(s for d in documents for s in (d.ignored or tuple(frozenset() for _ in d.sentences)))


def concat(first: Dataset, second: Dataset) -> Dataset:
    """Both datasets' sentences; the second's documents are renumbered after the first's so groups stay distinct."""
    offset = max(first.groups, default=-1) + 1
    return Dataset(
        sentences=first.sentences + second.sentences,
        labels=first.labels + second.labels,
        groups=first.groups + tuple(offset + g for g in second.groups),
        document_names=first.document_names + second.document_names,
        ignored=first.ignored_types() + second.ignored_types() if first.ignored or second.ignored else (),
    )
