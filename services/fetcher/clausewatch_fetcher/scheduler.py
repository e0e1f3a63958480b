"""The schedule task: every tick, claim each due document's slot once and ask for its capture.

Safe with several replicas (docs/decisions/0010): the slot is named by the persisted due time, claimed through the
database's unique (document, slot) key, and the request is published with `Nats-Msg-Id = capture:<doc>:<slot>`, so
a second claim fails and a second publish is dropped; the work-queue stream then gives each request to one fetcher.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import structlog

from clausewatch_fetcher import records
from clausewatch_fetcher.schedule import next_due, slot_name
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.ids import derived_id
from clausewatch_shared.messaging import Bus

log = structlog.get_logger("clausewatch.fetcher.scheduler")
STALE_CLAIM = timedelta(seconds=60)


def capture_request(document_id: str, slot: str, reason: str = "schedule") -> tuple[CaptureRequested, str]:
    """Return the request for a (document, slot) and its JetStream message id (both derived from the pair)."""
    event = CaptureRequested(
        event_id=derived_id("capture-requested", document_id, slot),
        correlation_id=derived_id("capture", document_id, slot),
        document_id=document_id,
        slot=slot,
        reason=reason,
    )
    return event, f"capture:{document_id}:{slot}"


class Scheduler:
    """Publishes CaptureRequested for due documents."""

    def __init__(self, db: Database, bus: Bus, settings: FetcherSettings, worker: str) -> None:
        self.db = db
        self.bus = bus
        self.settings = settings
        self.worker = worker

    async def run(self) -> None:
        """Tick forever (cancelled when the app stops)."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("schedule_tick_failed")
            await asyncio.sleep(self.settings.schedule_tick_seconds)

    async def tick(self, now: datetime | None = None) -> int:
        """Request a capture for every due document whose slot this replica wins; return how many it requested."""
        now = now or utcnow()
        requested = 0
        for doc in await records.due_documents(self.db, now):
            assert doc.next_due_at is not None
            slot = slot_name(doc.next_due_at)
            if not await records.claim_slot(self.db, doc.id, slot, outcome="claimed", worker=self.worker):
                continue  # another replica has this slot
            await self._publish(doc.id, slot)
            new_due = next_due(
                doc.next_due_at,
                now,
                doc.interval_seconds,
                fraction=self.settings.jitter_fraction,
                cap=self.settings.max_jitter_seconds,
            )
            await records.advance_due(self.db, doc.id, expected=doc.next_due_at, new_due=new_due)
            requested += 1
        for stale in await records.stale_claims(self.db, now - STALE_CLAIM):
            # Claimed by a scheduler that died before publishing: publishing again is harmless (same msg id).
            await self._publish(stale.document_id, stale.slot)
        return requested

    async def _publish(self, document_id: str, slot: str) -> None:
        event, msg_id = capture_request(document_id, slot)
        await self.bus.publish(event, msg_id=msg_id)
        await records.set_slot_outcome(self.db, document_id, slot, outcome="requested", expect="claimed")
        log.info("capture_requested", document_id=document_id, slot=slot)
