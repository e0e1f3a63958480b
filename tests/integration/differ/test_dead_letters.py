"""Snapshots the differ cannot use are dead-lettered at once with the reason, and nothing is recorded."""

from __future__ import annotations

import asyncio

import nats
from sqlmodel import select

from clausewatch_differ.settings import DifferSettings
from clausewatch_shared import subjects
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import DeadLetter
from clausewatch_shared.models import Version
from tests.integration.differ.conftest import add_catalogue, capture, running_differ


async def test_a_corrupted_blob_and_a_binary_part_are_dead_lettered(differ_settings: DifferSettings) -> None:
    """A blob failing its SHA-256 check and a binary part each go to the differ's dead letters, tried once."""
    url = differ_settings.database_url
    await add_catalogue(url)
    corrupted = await capture(
        url, differ_settings.blob_dir, 1, b"<html><body><p>Fine text.</p></body></html>"
    )
    path = FilesystemBlobStore(differ_settings.blob_dir).path_for(corrupted.parts[0].sha256)
    path.write_bytes(b"<html><body><p>Tampered text.</p></body></html>")
    binary = await capture(
        url, differ_settings.blob_dir, 2, bytes(range(256)) * 40, content_type="text/plain"
    )
    letters: list[DeadLetter] = []
    async with running_differ(differ_settings) as (runtime, _listener):
        nc = await nats.connect(differ_settings.nats_url)
        js = nc.jetstream()

        async def on_letter(msg: nats.aio.msg.Msg) -> None:
            letters.append(DeadLetter.model_validate_json(msg.data))

        await js.subscribe(subjects.deadletter("differ"), cb=on_letter, ordered_consumer=True)
        bus = runtime.bus("test")
        await bus.publish(corrupted)
        await bus.publish(binary)
        for _ in range(400):
            if len(letters) == 2:
                break
            await asyncio.sleep(0.05)
        await nc.close()
    assert len(letters) == 2
    reasons = " | ".join(letter.reason for letter in letters)
    assert "fails its hash check" in reasons
    assert "binary" in reasons
    assert all(letter.deliveries == 1 for letter in letters)
    db = Database(url)
    async with db.session() as session:
        assert (await session.exec(select(Version))).all() == []
    await db.dispose()
