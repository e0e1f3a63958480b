"""Evidence: the citation record of a snapshot, and re-verification of its stored bytes against their SHA-256."""

from __future__ import annotations

from typing import Any

from clausewatch_api.present import iso
from clausewatch_shared.blobstore import BlobIntegrityError, BlobNotFoundError, BlobStore
from clausewatch_shared.clock import utcnow
from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.models import Snapshot


async def verify_snapshot(blobs: BlobStore, snap: Snapshot) -> dict[str, Any]:
    """Read every part of the snapshot from the blob store, hash it again, and say whether each still matches."""
    parts: list[dict[str, Any]] = []
    for part in snap.parts:
        key = str(part.get("sha256", ""))
        result: dict[str, Any] = {"url": part.get("url"), "sha256": key}
        try:
            data = await blobs.get(key)
        except BlobNotFoundError:
            result.update(status="missing", verified=False)
        except BlobIntegrityError as exc:
            result.update(status="mismatch", verified=False, detail=str(exc))
        except ValueError as exc:  # not a SHA-256 key at all
            result.update(status="invalid_key", verified=False, detail=str(exc))
        else:
            # The store checks on read already; hashing here too keeps the claim independent of the backend.
            result.update(status="verified", verified=sha256_hex(data) == key, size=len(data))
        parts.append(result)
    return {
        "snapshot_id": snap.id,
        "sha256": snap.sha256,
        "verified": bool(parts) and all(p["verified"] for p in parts),
        "parts": parts,
        "checked_at": iso(utcnow()),
    }


def citation_text(record: dict[str, Any]) -> str:
    """Return the citation record as plain text lines, ready to paste into a filing or a note."""
    lines = [
        f"Entity: {record['platform_name']}",
        f"Document: {record['document_title']}",
        f"Document ID: {record['document_id']}",
        f"Provision key: {record['provision_key']}",
        f"Record ID: {record['provision_id']}",
        f"Captured: {record['captured_at']}",
        f"SHA-256: {record['sha256']}",
        f"Source URL: {record['source_url']}",
    ]
    if record.get("archive_url"):
        lines.append(f"Archive: {record['archive_url']}")
    lines.append(f"URL: {record['permalink']}")
    lines.append(f"Accessed: {record['accessed']}")
    return "\n".join(lines)
