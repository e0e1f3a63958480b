"""The latest version this process recorded for each document, so the next snapshot need not read it back.

A version and its provisions are never updated or deleted once written, so a cached one is exact for as long as it
is still the document's latest: the handler checks that (and that the document's extraction spec is still the one
kept here) against the database, in the transaction that writes the next version, so a version written meanwhile
by another replica or a rebuild, or a new spec, is read as before.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from clausewatch_differ.plan import Previous


@dataclass(frozen=True)
class Known:
    """A document's latest version as recorded here, and the spec its text was extracted with."""

    previous: Previous
    spec: dict[str, Any]


# Bound on the texts held (characters): a few hundred typical policies; the least recently used go first.
MAX_CHARS = 20_000_000


class RecentVersions:
    """A bounded, least-recently-used map of document id to the latest version recorded here and its keys."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._items: OrderedDict[str, Known] = OrderedDict()
        self._chars = 0

    def get(self, document_id: str, version_id: str | None = None) -> Known | None:
        """Return what is kept for a document (if `version_id` is given: only if it is that version)."""
        item = self._items.get(document_id)
        if item is None or (version_id is not None and item.previous.version.id != version_id):
            return None
        self._items.move_to_end(document_id)
        return item

    def put(self, previous: Previous, spec: dict[str, Any]) -> None:
        """Remember a version read or just committed as its document's latest."""
        document_id = previous.version.document_id
        self.forget(document_id)
        self._items[document_id] = Known(previous, spec)
        self._chars += len(previous.version.text)
        while self._chars > self.max_chars and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._chars -= len(dropped.previous.version.text)

    def forget(self, document_id: str) -> None:
        """Drop what is kept for a document (it proved stale)."""
        old = self._items.pop(document_id, None)
        if old is not None:
            self._chars -= len(old.previous.version.text)

    def __len__(self) -> int:
        return len(self._items)
