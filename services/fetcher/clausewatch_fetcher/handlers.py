"""The CaptureRequested handler: take the slot, capture, keep the evidence, publish exactly one fact.

Thin by design: capturing is `capture.Capturer`, judging is `detect`, arithmetic is `evidence`/`schedule`, writes are
`records`. The fact for a slot is stored with the slot, so a redelivered request re-publishes it (same event id,
dropped by JetStream if it got through) instead of capturing again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import structlog

from clausewatch_fetcher import records
from clausewatch_fetcher.archive import Archiver
from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.detect import INCOMPLETE_PAGE, OLDER_COPY, Rejection, older_copy_rejection
from clausewatch_fetcher.evidence import (
    event_id,
    headers_record,
    snapshot_id,
    snapshot_parts,
    snapshot_sha256,
)
from clausewatch_fetcher.http_fetch import Conditional
from clausewatch_fetcher.records import CaptureDoc
from clausewatch_fetcher.schedule import lease_wait, retry_due
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import (
    BY_SUBJECT,
    CaptureRequested,
    DocumentInaccessible,
    Message,
    SnapshotCaptured,
    SnapshotUnchanged,
)
from clausewatch_shared.messaging import Bus, PermanentError, RetryLaterError

log = structlog.get_logger("clausewatch.fetcher")


class SlotBusyError(RetryLaterError):
    """Another worker holds the slot's lease: come back when the lease ends (it has finished, or it died)."""


def _validators(outcome: Captured) -> dict[str, str]:
    """Return the headers to use for the next conditional GET: only from a one-part, plain-HTTP capture.

    A browser capture's ETag belongs to the app shell, whose bytes may never change while the rendered text does;
    a 304 on it would hide every change.
    """
    if len(outcome.parts) == 1 and outcome.fetcher == "http":
        return outcome.parts[0].headers
    return {}


def _stored(event: Message) -> dict[str, object]:
    return {"subject": event.subject, "body": event.model_dump(mode="json")}


@dataclass
class CaptureHandler:
    """Handles CaptureRequested for one worker."""

    db: Database
    blobs: BlobStore
    bus: Bus
    capturer: Capturer
    settings: FetcherSettings
    worker: str
    archiver: Archiver | None = None

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.capture_lease_seconds)

    async def _keep_lease(self, document_id: str, slot: str) -> None:
        """Renew the slot's lease every third of it while the capture runs (cancelled when it ends).

        A short, renewed lease lets a crashed worker's slot be taken over soon, and never lets a slow but live
        capture be taken over.
        """
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                held = await records.renew_lease(
                    self.db, document_id, slot, worker=self.worker, until=utcnow() + self._lease
                )
            except Exception:  # a database blip: the lease still has two thirds to run, try again next time
                log.warning("lease_renewal_failed", slot=slot, exc_info=True)
                continue
            if not held:
                log.warning("lease_lost", slot=slot)
                return

    async def __call__(self, request: CaptureRequested) -> None:
        """Capture the requested document for its slot and publish the outcome."""
        begin = await records.begin_capture(
            self.db,
            request.document_id,
            request.slot,
            worker=self.worker,
            now=utcnow(),
            lease=self._lease,
        )
        if begin.kind == "missing":
            msg = f"no document {request.document_id!r} in the catalogue tables"
            raise PermanentError(msg)
        if begin.kind == "busy":
            msg = f"slot {request.slot} of {request.document_id} is being captured by another worker"
            raise SlotBusyError(msg, lease_wait(begin.lease_until, utcnow()))
        if begin.kind == "done":
            if begin.event:
                # A redelivery after a crash between commit and publish: publish the stored fact again.
                model = BY_SUBJECT[str(begin.event["subject"])]
                await self.bus.publish(model.model_validate(begin.event["body"]))
            return
        assert begin.document is not None
        renewing = asyncio.create_task(self._keep_lease(request.document_id, request.slot))
        try:
            event = await self._capture(begin.document, request)
        except BaseException:
            # Shielded: a capture cut short by a stop is cancelled, and the cancellation would cancel this write
            # too, leaving the slot leased for the lease's length to the replica its request is handed back to.
            with anyio.CancelScope(shield=True):
                await records.release_slot(self.db, request.document_id, request.slot)
            raise
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        await self.bus.publish(event)
        log.info("capture_done", outcome=type(event).__name__, slot=request.slot)

    async def _capture(self, doc: CaptureDoc, request: CaptureRequested) -> Message:
        target = Target.from_spec(doc.id, doc.platform_id, list(doc.urls), dict(doc.spec or {}), doc.language)
        if await self._held_long_enough(doc, INCOMPLETE_PAGE, self.settings.incomplete_confirm_seconds):
            target = dataclasses.replace(target, accept_incomplete=True)
        conditional = Conditional(doc.last_etag, doc.last_modified) if doc.last_sha256 else None
        outcome = await self.capturer.capture(target, conditional)
        now = utcnow()
        if isinstance(outcome, Failed):
            return await self._failed(doc, request, outcome, now)
        if outcome.not_modified and doc.last_sha256:
            return await self._unchanged(doc, request, doc.last_sha256, outcome, now)
        hashes = [await self.blobs.put(page.body) for page in outcome.parts]
        sha = snapshot_sha256(hashes)
        if sha == doc.last_sha256:
            return await self._unchanged(doc, request, sha, outcome, now)
        older = await self._older_copy(doc, outcome)
        if older is not None:
            return await self._failed(
                doc, request, Failed(outcome.parts[0].url, older, [outcome.fetcher]), now
            )
        archive_url = None
        if self.archiver is not None:
            archive_url = await self.archiver.archive(outcome.parts[0].final_url)
        snap_id = snapshot_id(doc.id, request.slot, sha)
        event = SnapshotCaptured(
            event_id=event_id("snapshot-captured", doc.id, request.slot),
            correlation_id=request.correlation_id,
            document_id=doc.id,
            platform_id=doc.platform_id,
            snapshot_id=snap_id,
            sha256=sha,
            parts=snapshot_parts(outcome.parts, hashes),
            fetcher=outcome.fetcher,
            captured_at=now,
            archive_url=archive_url,
        )
        # The Snapshot row's columns (no model instance: it would only be read back for the INSERT).
        snapshot = {
            "id": snap_id,
            "document_id": doc.id,
            "sha256": sha,
            "parts": [p.model_dump(mode="json") for p in event.parts],
            "fetcher": outcome.fetcher,
            "captured_at": now,
            "headers": headers_record(outcome.parts),
            "archive_url": archive_url,
            "stated_date": outcome.stated_date.value if outcome.stated_date else None,
        }
        first = _validators(outcome)
        await records.record_snapshot(
            self.db,
            snapshot=snapshot,
            slot=request.slot,
            etag=first.get("etag"),
            last_modified=first.get("last-modified"),
            event=_stored(event),
            now=now,
        )
        return event

    async def _older_copy(self, doc: CaptureDoc, outcome: Captured) -> Rejection | None:
        """Return why the new capture is an older copy of the document, or None (decision 0155).

        It is one if its first page states an earlier date than the version on record and a date an earlier capture
        of the document stated: a version already seen, served again. A date older than the record's that no capture
        stated is more likely a publisher's typo (Grammarly's "Effective as of March 28, 2024" on its March 2025
        policy) and is recorded at once. Held for the confirmation window, then recorded as a rollback.
        """
        rejection = older_copy_rejection(outcome.stated_date, doc.last_stated_date, outcome.parts[0].status)
        if rejection is None or outcome.stated_date is None:
            return None
        if not await records.stated_before(self.db, doc.id, outcome.stated_date.value):
            return None
        if await self._held_long_enough(doc, OLDER_COPY, self.settings.older_copy_confirm_seconds):
            return None
        return rejection

    async def _held_long_enough(self, doc: CaptureDoc, cause: str, window: float) -> bool:
        """Return True if the document's pages have been rejected for `cause` for the whole confirmation window.

        A page cut short for a few hours (Tinder's, 2025-04-17; decision 0151) or an older copy served for half a day
        (Grammarly's, 2026-01-16; 0155) is retried and never recorded; one that stays so is the document as its
        publisher left it, and is recorded once the window has passed. A window of 0 turns the check off.
        """
        if window <= 0:
            return True
        if not doc.consecutive_failures:
            return False
        since = await records.held_since(self.db, doc.id, cause)
        if since is None:
            return False
        confirmed = (utcnow() - since).total_seconds() >= window
        if confirmed:
            log.warning(f"{cause}_accepted", document_id=doc.id, held_since=since.isoformat())
        return confirmed

    async def _unchanged(
        self, doc: CaptureDoc, request: CaptureRequested, sha: str, outcome: Captured, now: datetime
    ) -> Message:
        event = SnapshotUnchanged(
            event_id=event_id("snapshot-unchanged", doc.id, request.slot),
            correlation_id=request.correlation_id,
            document_id=doc.id,
            platform_id=doc.platform_id,
            sha256=sha,
            captured_at=now,
        )
        first = _validators(outcome)
        await records.record_unchanged(
            self.db,
            document_id=doc.id,
            slot=request.slot,
            etag=first.get("etag") or (doc.last_etag if outcome.not_modified else None),
            last_modified=first.get("last-modified") or (doc.last_modified if outcome.not_modified else None),
            event=_stored(event),
            now=now,
        )
        return event

    async def _failed(
        self, doc: CaptureDoc, request: CaptureRequested, outcome: Failed, now: datetime
    ) -> Message:
        rejection = outcome.rejection
        retry_at = None
        if rejection.retry_class == "transient":
            retry_at = retry_due(
                now,
                doc.consecutive_failures + 1,
                self.settings.retry_base_seconds,
                doc.interval_seconds,
            )
        failure = records.failure_row(
            doc.id,
            request.slot,
            outcome.url,
            rejection.cause,
            rejection.retry_class,
            rejection.detail,
            rejection.status_code,
            "+".join(outcome.tried),
        )

        def event_for(failures: int, needs_attention: bool) -> DocumentInaccessible:
            return DocumentInaccessible(
                event_id=event_id("document-inaccessible", doc.id, request.slot),
                correlation_id=request.correlation_id,
                document_id=doc.id,
                platform_id=doc.platform_id,
                url=outcome.url,
                cause=rejection.cause,
                # Once a document needs a human, say so whatever this try's own class was.
                retry_class="needs_attention" if needs_attention else rejection.retry_class,
                detail=rejection.detail[:2000],
                status_code=rejection.status_code,
                consecutive_failures=failures,
            )

        event: DocumentInaccessible = await records.record_failure(
            self.db,
            failure=failure,
            attention_after=self.settings.attention_after_failures,
            retry_at=retry_at,
            event_for=event_for,
            now=now,
        )
        return event
