"""The filesystem blob store: content addressing and verification on read."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_shared.blobstore import BlobIntegrityError, BlobNotFoundError, FilesystemBlobStore
from clausewatch_shared.ids import sha256_hex


async def test_put_returns_the_sha256_and_get_returns_the_bytes(tmp_path: Path) -> None:
    """Storing bytes keys them by their SHA-256 and reading gives them back."""
    store = FilesystemBlobStore(tmp_path)
    key = await store.put(b"<html>policy</html>")
    assert key == sha256_hex(b"<html>policy</html>")
    assert await store.get(key) == b"<html>policy</html>"
    assert await store.exists(key)


async def test_a_tampered_blob_is_refused(tmp_path: Path) -> None:
    """A blob whose bytes changed on disk fails its hash check on read."""
    store = FilesystemBlobStore(tmp_path)
    key = await store.put(b"original")
    store.path_for(key).write_bytes(b"tampered")
    with pytest.raises(BlobIntegrityError):
        await store.get(key)


async def test_missing_and_malformed_keys_are_clear_errors(tmp_path: Path) -> None:
    """An absent key raises BlobNotFoundError; a key that is not a SHA-256 raises ValueError."""
    store = FilesystemBlobStore(tmp_path)
    with pytest.raises(BlobNotFoundError):
        await store.get("0" * 64)
    with pytest.raises(ValueError, match="not a SHA-256"):
        await store.get("../../etc/passwd")


async def test_storing_the_same_bytes_again_repairs_a_corrupted_blob(tmp_path: Path) -> None:
    """A corrupted file is rewritten when the same content is put again, so the blob reads back intact."""
    store = FilesystemBlobStore(tmp_path)
    key = await store.put(b"original")
    store.path_for(key).write_bytes(b"tampered")
    assert await store.put(b"original") == key
    assert await store.get(key) == b"original"
