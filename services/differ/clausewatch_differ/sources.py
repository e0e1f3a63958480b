"""Loading a snapshot's text: each part's bytes from the blob store (hash-verified), extracted and joined."""

from __future__ import annotations

from clausewatch_differ.extract import ExtractionError, Spec, extract
from clausewatch_differ.normalize import clean_text
from clausewatch_shared.blobstore import BlobIntegrityError, BlobStore
from clausewatch_shared.events import SnapshotPart
from clausewatch_shared.messaging import PermanentError


async def load_text(
    blobs: BlobStore,
    parts: list[SnapshotPart] | list[dict[str, object]],
    spec: Spec,
    max_bytes: int | None = None,
) -> str:
    """Return the clean text of a snapshot: each part fetched (hash-verified) and extracted, joined in order."""
    texts: list[str] = []
    for raw in parts:
        part = raw if isinstance(raw, SnapshotPart) else SnapshotPart.model_validate(raw)
        if max_bytes is not None and part.size > max_bytes:
            msg = f"part {part.url} is {part.size} bytes, more than max_document_bytes={max_bytes}"
            raise PermanentError(msg)
        try:
            data = await blobs.get(part.sha256)
        except BlobIntegrityError as exc:
            raise PermanentError(str(exc)) from exc
        try:
            texts.append(extract(data, part.content_type, spec, name=part.final_url))
        except ExtractionError as exc:
            msg = f"part {part.url}: {exc}"
            raise PermanentError(msg) from exc
    return clean_text("\n\n".join(texts))
