"""Helpers for differ integration tests: catalogue rows, stored blobs, and a running differ on a real broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext

from clausewatch_differ.app import register
from clausewatch_differ.settings import DifferSettings
from clausewatch_shared import subjects
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeDetected, SnapshotCaptured, SnapshotPart, VersionRecorded
from clausewatch_shared.ids import derived_id, sha256_hex
from clausewatch_shared.models import Document, Platform, Snapshot
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import DIFFER_SNAPSHOTS

DOC = "acme/privacy-policy"
T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def differ_settings(settings: CommonSettings, database_url: str) -> DifferSettings:
    """Differ settings on this test's broker, blob directory and database (SQLite, then PostgreSQL)."""
    return DifferSettings(**(settings.model_dump() | {"database_url": database_url}))


async def add_catalogue(database_url: str, spec: dict[str, object] | None = None) -> None:
    """Insert the test platform and document."""
    db = Database(database_url)
    async with db.session() as session:
        session.add(Platform(id="acme", name="Acme"))
        await session.flush()
        session.add(
            Document(
                id=DOC, platform_id="acme", doc_type="privacy-policy", title="Privacy", urls=["http://x"],
                spec=spec or {},
            )
        )  # fmt: skip
    await db.dispose()


async def capture(
    database_url: str, blob_dir: Path, n: int, body: bytes, content_type: str = "text/html"
) -> SnapshotCaptured:
    """Store a snapshot's bytes and row as the fetcher would, and return the event it would publish."""
    key = await FilesystemBlobStore(blob_dir).put(body)
    part = SnapshotPart(
        url="http://127.0.0.1/p", final_url="http://127.0.0.1/p", sha256=key, content_type=content_type,
        size=len(body), status=200,
    )  # fmt: skip
    snapshot_id = derived_id("snapshot", DOC, n)
    at = T0 + timedelta(days=n)
    db = Database(database_url)
    async with db.session() as session:
        session.add(
            Snapshot(
                id=snapshot_id, document_id=DOC, sha256=sha256_hex(key.encode()), parts=[part.model_dump()],
                fetcher="http", captured_at=at,
            )
        )  # fmt: skip
    await db.dispose()
    return SnapshotCaptured(
        correlation_id=f"corr-{n}", document_id=DOC, platform_id="acme", snapshot_id=snapshot_id,
        sha256=sha256_hex(key.encode()), parts=[part], fetcher="http", captured_at=at,
    )  # fmt: skip


class Listener:
    """Collects VersionRecorded and ChangeDetected events from the real server."""

    def __init__(self) -> None:
        self.versions: list[VersionRecorded] = []
        self.changes: list[ChangeDetected] = []
        self.js: JetStreamContext | None = None

    async def wait_consumed(self, delivered: int, timeout: float = 20.0) -> None:
        """Wait until the differ has acknowledged `delivered` snapshot messages."""
        assert self.js is not None
        js = self.js

        async def done() -> bool:
            info = await js.consumer_info("CW_EVENTS", DIFFER_SNAPSHOTS.durable)
            return info.ack_floor.consumer_seq >= delivered and not info.num_ack_pending

        deadline = asyncio.get_running_loop().time() + timeout
        while not await done():
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail("the differ did not consume its messages in time")
            await asyncio.sleep(0.05)

    async def wait(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until predicate holds (or fail)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"timed out: {len(self.versions)} versions, {len(self.changes)} changes")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running_differ(settings: DifferSettings) -> AsyncIterator[tuple[Runtime, Listener]]:
    """Run the differ on a real nats-server and listen to what it publishes."""
    runtime = Runtime.create(settings, "differ")
    register(runtime, settings)
    listener = Listener()
    nc = await nats.connect(settings.nats_url)

    async def on_msg(msg: nats.aio.msg.Msg) -> None:
        if msg.subject == subjects.VERSION_RECORDED:
            listener.versions.append(VersionRecorded.model_validate_json(msg.data))
        else:
            listener.changes.append(ChangeDetected.model_validate_json(msg.data))

    async with runtime.broker:
        await runtime.start()
        # Read from the stream, not the bare subject: a duplicate publish reaches core subscribers but is not stored.
        js = nc.jetstream()
        await js.subscribe(subjects.VERSION_RECORDED, cb=on_msg, ordered_consumer=True)
        await js.subscribe(subjects.CHANGE_DETECTED, cb=on_msg, ordered_consumer=True)
        listener.js = js
        await runtime.broker.start()
        try:
            yield runtime, listener
        finally:
            await nc.close()
    await runtime.stop()
