"""Evidence arithmetic: snapshot fingerprints, part records, the headers kept, and the events' derived ids. Pure."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from clausewatch_fetcher.http_fetch import PageFetch
from clausewatch_shared.events import SnapshotPart
from clausewatch_shared.ids import derived_id


def snapshot_sha256(part_hashes: list[str]) -> str:
    """Return the snapshot's fingerprint: SHA-256 over its parts' SHA-256 hex digests joined in order, no separator.

    Fixed-length hex needs no separator; a one-part snapshot still gets its own fingerprint, distinct from the
    part's, so the two are never confused when cited.
    """
    return hashlib.sha256("".join(part_hashes).encode("ascii")).hexdigest()


def snapshot_parts(pages: list[PageFetch], hashes: list[str]) -> list[SnapshotPart]:
    """Return the event's part records, one per captured page."""
    return [
        SnapshotPart(
            url=page.url,
            final_url=page.final_url,
            sha256=digest,
            content_type=page.content_type or "application/octet-stream",
            size=len(page.body),
            status=page.status,
        )
        for page, digest in zip(pages, hashes, strict=True)
    ]


def headers_record(pages: list[PageFetch]) -> dict[str, Any]:
    """Return the per-part evidence kept beside the parts: selected headers, redirect chain, fetcher used, for a
    page read after steps what the browser did first, and the names of the declared cookies sent (not values)."""
    return {
        "parts": [
            {
                "url": page.url,
                "fetcher": page.fetcher,
                "headers": dict(page.headers),
                "redirects": [
                    {"status": r.status, "url": r.url, "location": r.location} for r in page.redirects
                ],
                **({"steps": list(page.steps)} if page.steps else {}),
                **({"cookies_sent": list(page.cookies)} if page.cookies else {}),
            }
            for page in pages
        ]
    }


def snapshot_id(document_id: str, slot: str, sha256: str) -> str:
    """Return the id of the snapshot a (document, slot) capture with these bytes produces."""
    return derived_id("snapshot", document_id, slot, sha256)


def event_id(kind: str, document_id: str, slot: str) -> str:
    """Return the id of the one fact a (document, slot) capture publishes."""
    return derived_id(kind, document_id, slot)


def isoformat(moment: datetime) -> str:
    """Return an aware datetime as ISO 8601 with a Z."""
    return moment.isoformat().replace("+00:00", "Z")
