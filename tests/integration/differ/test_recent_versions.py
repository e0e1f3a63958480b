"""The differ's kept latest versions (decision 0090): used only while the database agrees, on SQLite and PostgreSQL.

Two handlers stand for two replicas sharing a database; each keeps the versions it recorded. A version one records
must be the other's previous, a spec changed in the catalogue must be the one extracted with, and a version of the
same snapshot committed by the other first must be published as stored, not written twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from clausewatch_differ import store
from clausewatch_differ.handlers import SnapshotHandler
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeDetected, Message, SnapshotCaptured, VersionRecorded
from clausewatch_shared.models import Change, ChangeSet, Document, Provision, Version
from tests.integration.differ.conftest import DOC, add_catalogue, capture

V1 = b"<html><body><main><h1>Terms</h1><h2>Fees</h2><p>You pay 10 euros a month.</p></main></body></html>"
V2 = V1.replace(b"10 euros", b"12 euros")
V3 = V2.replace(b"a month", b"a week")


class Recorder:
    """A bus that keeps what it is asked to publish."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def publish(self, event: Message, *, msg_id: str | None = None) -> bool:
        self.sent.append(event)
        return True


def _handler(db: Database, blob_dir: Path) -> tuple[SnapshotHandler, Recorder]:
    bus = Recorder()
    return SnapshotHandler(db, FilesystemBlobStore(blob_dir), bus), bus  # type: ignore[arg-type]  # publishes only


async def _two_replicas(
    database_url: str, blob_dir: Path, bodies: tuple[bytes, ...]
) -> tuple[Database, list[SnapshotCaptured], list[tuple[SnapshotHandler, Recorder]]]:
    """The catalogue, one snapshot per body, and two handlers on one database (two replicas)."""
    await add_catalogue(database_url)
    events = [await capture(database_url, blob_dir, n, body) for n, body in enumerate(bodies, 1)]
    db = Database(database_url)
    return db, events, [_handler(db, blob_dir), _handler(db, blob_dir)]


async def _versions(db: Database) -> list[Version]:
    async with db.session() as session:
        return list((await session.exec(select(Version).order_by(col(Version.created_at)))).all())


async def test_a_version_recorded_by_another_replica_is_the_next_previous(
    database_url: str, tmp_path: Path
) -> None:
    """A handler that recorded v1 compares v3 with the v2 another replica recorded meanwhile, not with its own v1."""
    db, events, [(first, first_bus), (second, _)] = await _two_replicas(database_url, tmp_path, (V1, V2, V3))
    await first(events[0])
    await second(events[1])
    await first(events[2])
    versions = await _versions(db)
    assert [v.previous_version_id for v in versions] == [None, versions[0].id, versions[1].id]
    change = [e for e in first_bus.sent if isinstance(e, ChangeDetected)]
    assert [c.previous_version_id for c in change] == [versions[1].id]
    async with db.session() as session:
        keys = (await session.exec(select(Provision.key).order_by(col(Provision.ordinal)))).all()
    # The fee paragraph keeps its key through both edits.
    assert len(set(keys)) == len(keys) // 3
    await db.dispose()


async def test_a_changed_spec_is_extracted_with_even_for_a_kept_version(
    database_url: str, tmp_path: Path
) -> None:
    """After the catalogue's selectors change, the next snapshot is extracted with the new ones."""
    await add_catalogue(database_url, {"select": ["main"]})
    page = b"<html><body><main><h1>Terms</h1><p>You pay 10 euros a month.</p></main><section><p>Extra clause here.</p></section></body></html>"
    events = [
        await capture(database_url, tmp_path, 1, page),
        await capture(database_url, tmp_path, 2, page.replace(b"10 euros", b"11 euros")),
    ]
    db = Database(database_url)
    handler, _ = _handler(db, tmp_path)
    await handler(events[0])
    async with db.session() as session:
        await session.exec(update(Document).where(col(Document.id) == DOC).values(spec={"select": ["body"]}))
    await handler(events[1])
    versions = await _versions(db)
    assert "Extra clause here." not in versions[0].text
    assert "Extra clause here." in versions[1].text
    await db.dispose()


async def test_a_version_committed_first_elsewhere_is_published_as_stored(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another replica commits this snapshot's version between our checks and our insert, ours writes nothing
    and publishes the stored version and change set (the ORM's insert failed there, and the retry republished)."""
    db, events, [(first, _), (second, second_bus)] = await _two_replicas(database_url, tmp_path, (V1, V2))
    await first(events[0])
    await second(events[0])
    await first(events[1])
    stored = await _versions(db)
    real = store.situation

    async def racing(*args: Any) -> store.Situation | None:
        # As seen just before the other replica's commit: no version of this snapshot, v1 the latest.
        found = await real(*args)
        assert found is not None
        return store.Situation(found.spec, None, stored[0].id)

    monkeypatch.setattr(store, "situation", racing)
    await second(events[1])
    async with db.session() as session:
        assert len((await session.exec(select(ChangeSet))).all()) == 1
        assert len((await session.exec(select(Version))).all()) == 2
        stored_ids = list((await session.exec(select(Change.id).order_by(col(Change.ordinal)))).all())
    detected = [e for e in second_bus.sent if isinstance(e, ChangeDetected)]
    assert [d.change_ids for d in detected] == [stored_ids]
    assert [e.version_id for e in second_bus.sent if isinstance(e, VersionRecorded)] == [v.id for v in stored]
    await db.dispose()
