"""The differ's handler: a captured snapshot becomes a version, and a change set if its text changed."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_differ import store
from clausewatch_differ.extract import Spec, extractor_version
from clausewatch_differ.plan import Previous, VersionPlan, plan_version
from clausewatch_differ.rebuild import rebase
from clausewatch_differ.recent import Known, RecentVersions
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
    # The latest version recorded here per document: the next snapshot's comparison needs it (decision 0090).
    _recent: RecentVersions = field(default_factory=RecentVersions, repr=False)

    async def __call__(self, event: SnapshotCaptured) -> None:
        """Record a new version if the normalised text changed, and publish what happened."""
        lock = self._locks.get(event.document_id)
        if lock is None:
            lock = self._locks[event.document_id] = asyncio.Lock()
        async with lock:
            await self._handle(event)

    async def _handle(self, event: SnapshotCaptured) -> None:
        known = self._recent.get(event.document_id)
        if known is not None and await self._handle_known(event, known):
            return
        await self._handle_read_first(event)

    async def _handle_known(self, event: SnapshotCaptured, known: Known) -> bool:
        """Handle a snapshot of a document whose latest version this process recorded: one transaction.

        Extracts and plans against the kept version and spec first, then checks in the writing transaction that
        they are still the database's (no version of this snapshot yet, the same latest version, the same spec)
        before writing. Returns False, having written nothing, when they are not (or extraction failed, which the
        database's spec must then confirm): the caller handles the snapshot from the database, as before.
        """
        previous = known.previous
        if previous.version.extractor_version != extractor_version():
            return False
        try:
            text = await load_text(self.blobs, event.parts, Spec.from_json(known.spec), self.max_bytes)
        except PermanentError:
            return False
        if not text.strip():
            return False
        plan = plan_version(
            document_id=event.document_id,
            snapshot_id=event.snapshot_id,
            text=text,
            previous=previous,
            today=event.captured_at.date(),
        )
        async with self.db.engine.begin() as conn:  # Core: no ORM session to set up for five statements
            found = await store.situation(conn, event.document_id, event.snapshot_id, extractor_version())
            if (
                found is None
                or found.done_id is not None
                or found.latest_id != previous.version.id
                or found.spec != known.spec
            ):
                self._recent.forget(event.document_id)
                return False
            if plan is None:
                log.info("text_unchanged", previous_version_id=previous.version.id)
                return True
            saved = await store.save(conn, plan)
        await self._saved(event, plan, saved, known.spec)
        return True

    async def _handle_read_first(self, event: SnapshotCaptured) -> None:
        """Handle a snapshot reading the document's spec and latest version first (two transactions)."""
        async with self.db.session() as session:
            found = await store.situation(session, event.document_id, event.snapshot_id, extractor_version())
            if found is None:
                msg = f"document {event.document_id} is not in the catalogue"
                raise PermanentError(msg)
            if found.done_id is not None:
                # A rerun after a crash between commit and publish: publish again, JetStream drops duplicates.
                await self._republish(session, event, found.done_id)
                return
            # Read with the rest, before extracting: one transaction (and round trips) fewer per snapshot. It was
            # never read in the writing transaction, so a concurrent version could already slip in between.
            previous = None
            if found.latest_id is not None:
                kept = self._recent.get(event.document_id, found.latest_id)
                previous = kept.previous if kept else await store.previous_by_id(session, found.latest_id)
        spec = Spec.from_json(found.spec)
        text = await load_text(self.blobs, event.parts, spec, self.max_bytes)
        if not text.strip():
            msg = f"snapshot {event.snapshot_id} has no text once extracted"
            raise PermanentError(msg)
        if previous is not None and previous.version.extractor_version != extractor_version():
            # The extractor changed since the last version: compare with that snapshot re-extracted, so what
            # the fix changed is not reported as a change of the document.
            previous = await rebase(self.db, self.blobs, previous, spec)
        plan = plan_version(
            document_id=event.document_id,
            snapshot_id=event.snapshot_id,
            text=text,
            previous=previous,
            today=event.captured_at.date(),
        )
        if plan is None:
            log.info("text_unchanged", previous_version_id=previous.version.id if previous else None)
            if previous is not None:
                self._recent.put(previous, found.spec)
            return
        async with self.db.engine.begin() as conn:
            saved = await store.save(conn, plan)
        await self._saved(event, plan, saved, found.spec)

    async def _saved(
        self, event: SnapshotCaptured, plan: VersionPlan, saved: bool, spec: dict[str, Any]
    ) -> None:
        """Publish what a committed plan recorded, or, if its version was already stored, what is stored."""
        if not saved:
            # Another handler of this snapshot committed its version first: publish what is stored, as a rerun would.
            async with self.db.session() as session:
                await self._republish(session, event, plan.version.id)
            return
        self._recent.put(Previous(plan.version, plan.keys()), spec)
        await self._publish(event, plan.version, plan.change_set, [c["id"] for c in plan.changes])

    async def _republish(self, session: AsyncSession, event: SnapshotCaptured, version_id: str) -> None:
        done = await session.get_one(Version, version_id)
        change_set, change_ids = await store.change_set_for(session, version_id)
        await self._publish(event, done, change_set, change_ids)

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
                restores_version_id=change_set.restores_version_id,
                alternates=change_set.alternates,
                announces_effective_date=change_set.announces_effective_date,
                takes_effect_date=change_set.takes_effect_date,
            )
        )
        log.info("change_detected", change_set_id=change_set.id, substantive=change_set.substantive)
