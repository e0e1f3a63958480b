"""A content-addressed store for raw captures: the key is the SHA-256 of the bytes, checked again on every read.

Two backends share one interface: a directory tree (embedded mode; `ab/cd/abcd…`) and a JetStream Object Store
bucket (distributed mode), so fetcher and differ replicas on different hosts need no shared volume.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol

from nats.js import JetStreamContext
from nats.js.api import ObjectStoreConfig, StorageType
from nats.js.errors import BucketNotFoundError, NotFoundError, ObjectNotFoundError
from nats.js.object_store import ObjectStore

from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.streams import until_leader


class BlobNotFoundError(KeyError):
    """No blob is stored under that key."""


class BlobIntegrityError(ValueError):
    """A stored blob's bytes no longer hash to its key: it was corrupted or tampered with, and is refused."""


class BlobStore(Protocol):
    """Content-addressed storage: put returns the SHA-256 key; get verifies it."""

    async def put(self, data: bytes) -> str: ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...


def verify(key: str, data: bytes) -> bytes:
    """Return data if it hashes to key, else raise BlobIntegrityError."""
    actual = sha256_hex(data)
    if actual != key:
        msg = f"blob {key} fails its hash check (content hashes to {actual})"
        raise BlobIntegrityError(msg)
    return data


def _check_key(key: str) -> str:
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        msg = f"not a SHA-256 key: {key!r}"
        raise ValueError(msg)
    return key


class FilesystemBlobStore:
    """Blobs as files under a root directory, written atomically (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        """Return where the blob with this key lives."""
        _check_key(key)
        return self.root / key[:2] / key[2:4] / key

    async def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        path = self.path_for(key)
        if not await asyncio.to_thread(self._intact, path, key):
            # Missing, or corrupted since it was written: a new capture of the same bytes repairs it.
            await asyncio.to_thread(self._write, path, data)
        return key

    @staticmethod
    def _intact(path: Path, key: str) -> bool:
        try:
            return sha256_hex(path.read_bytes()) == key
        except FileNotFoundError:
            return False

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFoundError(key) from None
        return verify(key, data)

    async def exists(self, key: str) -> bool:
        return self.path_for(key).exists()


class NatsObjectBlobStore:
    """Blobs as objects in a JetStream Object Store bucket, named by their SHA-256."""

    def __init__(self, js: JetStreamContext, bucket: str = "clausewatch-blobs", replicas: int = 1) -> None:
        self._js = js
        self._bucket_name = bucket
        self._replicas = replicas
        self._store: ObjectStore | None = None

    async def _bucket(self) -> ObjectStore:
        if self._store is None:
            try:
                self._store = await self._js.object_store(self._bucket_name)
            except (BucketNotFoundError, NotFoundError):
                self._store = await until_leader(
                    lambda: self._js.create_object_store(
                        self._bucket_name,
                        config=ObjectStoreConfig(storage=StorageType.FILE, replicas=self._replicas),
                    )
                )
        return self._store

    async def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        if not await self.exists(key):
            store = await self._bucket()
            # A replicated bucket just created has no stream leader for a moment: its first writes wait for one.
            await until_leader(lambda: store.put(key, data))
        return key

    async def get(self, key: str) -> bytes:
        _check_key(key)
        store = await self._bucket()
        try:
            result = await store.get(key)
        except (ObjectNotFoundError, NotFoundError):
            raise BlobNotFoundError(key) from None
        return verify(key, result.data or b"")

    async def exists(self, key: str) -> bool:
        _check_key(key)
        store = await self._bucket()
        try:
            info = await store.get_info(key)
        except (ObjectNotFoundError, NotFoundError):
            return False
        return not getattr(info, "deleted", False)
