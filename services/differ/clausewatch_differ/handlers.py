"""The differ's handler: a captured snapshot becomes a version, and a change set if its text changed."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

import structlog

from clausewatch_differ import store
from clausewatch_differ.extract import Spec, extractor_version
from clausewatch_differ.plan import plan_version
from clausewatch_differ.rebuild import rebase
from clausewatch_differ.sources import load_text
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import (
    ChangeCounts,
    ChangeDetected,
    SnapshotCaptured,
    VersionRecorded,
)
from clausewatch_shared.ids import derived_id
from clausewatch_shared.messaging import Bus, PermanentError
from clausewatch_shared.models import ChangeSet, Version

log = structlog.get_logger("clausewatch.differ")


@dataclass
class SnapshotHandler:
    """Handles SnapshotCaptured: extract, compare with the latest version, record, publish."""

    db: Database
    blobs: BlobStore
    bus: Bus
    max_bytes: int | None = None
    # One snapshot of a document at a time in this process: two handled at once would both read the same latest
    # version and record two children of it (the bus runs several handlers at once; replicas: decision 0022).
    # Weak values: a document's lock lives only while a handler holds or awaits it.
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )

    async def __call__(self, event: SnapshotCaptured) -> None:
        """Record a new version if the normalised text changed, and publish what happened."""
        lock = self._locks.get(event.document_id)
        if lock is None:
            lock = self._locks[event.document_id] = asyncio.Lock()
        async with lock:
            await self._handle(event)

    async def _handle(self, event: SnapshotCaptured) -> None:
        async with self.db.session() as session:
            done = await store.version_for(session, event.snapshot_id, extractor_version())
            if done is not None:
                # A rerun after a crash between commit and publish: publish again, JetStream drops duplicates.
                change_set, change_ids = await store.change_set_for(session, done.id)
                await self._publish(event, done, change_set, change_ids)
                return
            document = await store.document(session, event.document_id)
            if document is None:
                msg = f"document {event.document_id} is not in the catalogue"
                raise PermanentError(msg)
            spec = Spec.from_json(document.spec)
            # Read with the rest, before extracting: one transaction (and round trips) fewer per snapshot. It was
            # never read in the writing transaction, so a concurrent version could already slip in between.
            previous = await store.latest(session, event.document_id, extractor_version())
        text = await load_text(self.blobs, event.parts, spec, self.max_bytes)
        if not text.strip():
            msg = f"snapshot {event.snapshot_id} has no text once extracted"
            raise PermanentError(msg)
        if previous is not None and previous.version.extractor_version != extractor_version():
            # The extractor changed since the last version: compare with that snapshot re-extracted, so what
            # the fix changed is not reported as a change of the document.
            previous = await rebase(self.db, self.blobs, previous, spec)
        async with self.db.session() as session:
            plan = plan_version(
                document_id=event.document_id, snapshot_id=event.snapshot_id, text=text, previous=previous
            )
            if plan is None:
                log.info("text_unchanged", previous_version_id=previous.version.id if previous else None)
                return
            await store.save(session, plan)
        await self._publish(event, plan.version, plan.change_set, [c.id for c in plan.changes])

    async def _publish(
        self, event: SnapshotCaptured, version: Version, change_set: ChangeSet | None, change_ids: list[str]
    ) -> None:
        await self.bus.publish(
            VersionRecorded(
                event_id=derived_id("version-recorded", version.id),
                correlation_id=event.correlation_id,
                document_id=version.document_id,
                platform_id=event.platform_id,
                version_id=version.id,
                snapshot_id=version.snapshot_id,
                text_sha256=version.text_sha256,
                previous_version_id=version.previous_version_id,
                provision_count=version.provision_count,
            )
        )
        if change_set is None:
            return
        await self.bus.publish(
            ChangeDetected(
                event_id=derived_id("change-detected", version.id),
                correlation_id=event.correlation_id,
                document_id=version.document_id,
                platform_id=event.platform_id,
                change_set_id=change_set.id,
                version_id=version.id,
                previous_version_id=change_set.previous_version_id,
                substantive=change_set.substantive,
                counts=ChangeCounts(**change_set.counts),
                change_ids=change_ids,
                summary=change_set.summary[:2000],
            )
        )
        log.info("change_detected", change_set_id=change_set.id, substantive=change_set.substantive)
