"""The JetStream Object Store blob backend against a real nats-server."""

from __future__ import annotations

import nats
import pytest

from clausewatch_shared.blobstore import BlobIntegrityError, BlobNotFoundError, NatsObjectBlobStore
from clausewatch_shared.ids import sha256_hex
from tests.support.nats import NatsServer


async def test_object_store_round_trip_and_tamper_detection(nats_server: NatsServer) -> None:
    """Blobs are stored under their SHA-256 in a bucket, read back verified, and a replaced object is refused."""
    nc = await nats.connect(nats_server.url)
    try:
        store = NatsObjectBlobStore(nc.jetstream(), "test-blobs")
        key = await store.put(b"snapshot bytes")
        assert key == sha256_hex(b"snapshot bytes")
        assert await store.get(key) == b"snapshot bytes"
        assert await store.put(b"snapshot bytes") == key
        with pytest.raises(BlobNotFoundError):
            await store.get("f" * 64)
        bucket = await nc.jetstream().object_store("test-blobs")
        await bucket.put(key, b"tampered bytes")
        with pytest.raises(BlobIntegrityError):
            await store.get(key)
    finally:
        await nc.close()
