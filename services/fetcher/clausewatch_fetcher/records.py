"""The fetcher's database writes: slot claims and leases, snapshots, failures and document health.

Each function is one transaction. Claims use the unique (document, slot) key and conditional UPDATEs, so several
fetcher replicas on one database never capture the same slot twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.db import Database, insert_ignore
from clausewatch_shared.ids import new_id
from clausewatch_shared.models import CaptureFailure, Document, FetchSlot, Snapshot

DONE = ("captured", "unchanged", "inaccessible")


async def claim_slot(db: Database, document_id: str, slot: str, *, outcome: str, worker: str) -> bool:
    """Insert the (document, slot) row; return False if another replica or an earlier try already has it."""
    try:
        async with db.session() as session:
            session.add(FetchSlot(document_id=document_id, slot=slot, outcome=outcome, worker=worker))
    except IntegrityError:
        return False
    return True


def _update_slot(document_id: str, slot: str, *conditions: Any) -> Any:
    """Return an UPDATE of one (document, slot) row, applied only if every extra condition holds.

    No session synchronisation: no FetchSlot object is held in a session these UPDATEs run in, and evaluating the
    criteria against the session's objects cost CPU on every capture.
    """
    return (
        update(FetchSlot)
        .where(col(FetchSlot.document_id) == document_id, col(FetchSlot.slot) == slot, *conditions)
        .execution_options(synchronize_session=False)
    )


async def set_slot_outcome(db: Database, document_id: str, slot: str, *, outcome: str, expect: str) -> None:
    """Move a slot from `expect` to `outcome` (no-op if it already moved on)."""
    async with db.session() as session:
        await session.exec(
            _update_slot(document_id, slot, col(FetchSlot.outcome) == expect).values(outcome=outcome)
        )


@dataclass(frozen=True)
class Begin:
    """What a capture handler found when it tried to take a slot."""

    kind: Literal["go", "done", "busy", "missing"]
    document: Document | None = None
    event: dict[str, Any] | None = None
    lease_until: datetime | None = None  # when "busy": when the holder's lease ends unless it renews it


async def begin_capture(
    db: Database, document_id: str, slot: str, *, worker: str, now: datetime, lease: timedelta
) -> Begin:
    """Take the slot for a capture under a lease, or say it is done (with its event), busy, or the document missing.

    One transaction: read the document, insert the slot row unless it exists (ON CONFLICT DO NOTHING: on
    PostgreSQL a second replica's insert waits for the first's commit, then does nothing), then take it with a
    conditional UPDATE that only one replica can win.
    """
    async with db.session() as session:
        document = await session.get(Document, document_id)
        if document is None:
            return Begin("missing")
        await insert_ignore(
            session, [FetchSlot(document_id=document_id, slot=slot, outcome="requested", worker=worker)]
        )
        result = await session.exec(
            _update_slot(
                document_id,
                slot,
                or_(
                    col(FetchSlot.outcome).in_(("claimed", "requested")),
                    col(FetchSlot.outcome).is_(None),
                    and_(col(FetchSlot.outcome) == "capturing", col(FetchSlot.lease_until) < now),
                ),
            ).values(
                outcome="capturing",
                lease_until=now + lease,
                worker=worker,
                attempts=col(FetchSlot.attempts) + 1,
            )
        )
        taken = result.rowcount == 1
        if not taken:
            row = (
                await session.exec(
                    select(FetchSlot).where(FetchSlot.document_id == document_id, FetchSlot.slot == slot)
                )
            ).one()
            if row.outcome in DONE:
                return Begin("done", document, row.event or None)
            return Begin("busy", document, lease_until=row.lease_until)
    return Begin("go", document)


async def renew_lease(db: Database, document_id: str, slot: str, *, worker: str, until: datetime) -> bool:
    """Extend this worker's lease on a slot it is capturing; return False if it no longer holds it."""
    async with db.session() as session:
        result = await session.exec(
            _update_slot(
                document_id, slot, col(FetchSlot.outcome) == "capturing", col(FetchSlot.worker) == worker
            ).values(lease_until=until)
        )
        return bool(result.rowcount == 1)


async def release_slot(db: Database, document_id: str, slot: str) -> None:
    """Give a slot back after an unexpected error, so a retry can take it at once."""
    await set_slot_outcome(db, document_id, slot, outcome="requested", expect="capturing")


def _finish_slot(row: FetchSlot | None, outcome: str, event: dict[str, Any], now: datetime) -> None:
    if row is not None:
        row.outcome = outcome
        row.event = event
        row.finished_at = now
        row.lease_until = None


async def _document_still_there(session: AsyncSession, document_id: str) -> Document:
    """Return the document a capture is recording for; raise LookupError if it was removed meanwhile."""
    document = await session.get(Document, document_id)
    if document is None:
        msg = f"document {document_id} vanished during capture"
        raise LookupError(msg)
    return document


async def _slot(session: AsyncSession, document_id: str, slot: str) -> FetchSlot | None:
    result = await session.exec(
        select(FetchSlot).where(FetchSlot.document_id == document_id, FetchSlot.slot == slot)
    )
    row: FetchSlot | None = result.first()
    return row


_HEALTHY: dict[str, Any] = {"consecutive_failures": 0, "needs_attention": False, "attention_reason": None}


async def record_snapshot(
    db: Database,
    *,
    snapshot: Snapshot,
    slot: str,
    etag: str | None,
    last_modified: str | None,
    event: dict[str, Any],
    now: datetime,
) -> None:
    """Store a new snapshot, mark the document healthy with its new hash, and close the slot with its event.

    Three statements in one transaction, none a read: the document's UPDATE (no row: it was removed meanwhile,
    LookupError), the snapshot's INSERT unless a rerun stored it already, the slot's UPDATE.
    """
    async with db.session() as session:
        updated = await session.exec(
            update(Document)
            .where(col(Document.id) == snapshot.document_id)
            .execution_options(synchronize_session=False)
            .values(
                **_HEALTHY,
                last_captured_at=now,
                last_sha256=snapshot.sha256,
                last_etag=etag,
                last_modified=last_modified,
            )
        )
        if updated.rowcount != 1:
            msg = f"document {snapshot.document_id} vanished during capture"
            raise LookupError(msg)
        await insert_ignore(session, [snapshot])
        await session.exec(
            _update_slot(snapshot.document_id, slot).values(
                outcome="captured", event=event, finished_at=now, lease_until=None
            )
        )


async def record_unchanged(
    db: Database,
    *,
    document_id: str,
    slot: str,
    etag: str | None,
    last_modified: str | None,
    event: dict[str, Any],
    now: datetime,
) -> None:
    """Mark the document healthy (same hash as before) and close the slot (nothing, if the document was removed).

    Two UPDATEs in one transaction, no read: the usual outcome of a scheduled capture.
    """
    async with db.session() as session:
        updated = await session.exec(
            update(Document)
            .where(col(Document.id) == document_id)
            .execution_options(synchronize_session=False)
            .values(**_HEALTHY, last_captured_at=now, last_etag=etag, last_modified=last_modified)
        )
        if updated.rowcount != 1:
            return
        await session.exec(
            _update_slot(document_id, slot).values(
                outcome="unchanged", event=event, finished_at=now, lease_until=None
            )
        )


async def record_failure(
    db: Database,
    *,
    failure: CaptureFailure,
    attention_after: int,
    retry_at: datetime | None,
    event_for: Any,
    now: datetime,
) -> Any:
    """Store a failure, count it on the document (flagging it after `attention_after` in a row), close the slot.

    `event_for(consecutive_failures, needs_attention)` builds the event inside the transaction, so the count it
    reports is the one stored.
    """
    async with db.session() as session:
        document = await _document_still_there(session, failure.document_id)
        session.add(failure)
        document.consecutive_failures += 1
        if document.consecutive_failures >= attention_after:
            document.needs_attention = True
            document.attention_reason = (
                f"{document.consecutive_failures} failed captures in a row; last: {failure.cause}: {failure.detail}"
            )[:2000]
        if retry_at is not None and (document.next_due_at is None or retry_at < document.next_due_at):
            document.next_due_at = retry_at
        session.add(document)
        event = event_for(document.consecutive_failures, document.needs_attention)
        _finish_slot(
            await _slot(session, failure.document_id, failure.slot or ""),
            "inaccessible",
            {"subject": event.subject, "body": event.model_dump(mode="json")},
            now,
        )
    return event


async def due_documents(db: Database, now: datetime, limit: int = 200) -> list[Document]:
    """Return active documents whose next check is due, earliest first."""
    async with db.session() as session:
        result = await session.exec(
            select(Document)
            .where(col(Document.active).is_(True), col(Document.next_due_at) <= now)
            .order_by(col(Document.next_due_at))
            .limit(limit)
        )
        return list(result.all())


async def advance_due(db: Database, document_id: str, *, expected: datetime, new_due: datetime) -> bool:
    """Move a document's due time from `expected` to `new_due`; False if someone moved it first."""
    async with db.session() as session:
        result = await session.exec(
            update(Document)
            .where(col(Document.id) == document_id, col(Document.next_due_at) == expected)
            .values(next_due_at=new_due)
        )
        return bool(result.rowcount == 1)


async def stale_claims(db: Database, older_than: datetime) -> list[FetchSlot]:
    """Return slots claimed by a scheduler that may have died before publishing their request."""
    async with db.session() as session:
        result = await session.exec(
            select(FetchSlot).where(
                col(FetchSlot.outcome) == "claimed", col(FetchSlot.claimed_at) < older_than
            )
        )
        return list(result.all())


def failure_row(
    document_id: str,
    slot: str,
    url: str,
    cause: str,
    retry_class: str,
    detail: str,
    status: int | None,
    fetcher: str,
) -> CaptureFailure:
    """Return a new CaptureFailure row."""
    return CaptureFailure(
        id=new_id(),
        document_id=document_id,
        url=url[:2000],
        cause=cause[:60],
        retry_class=retry_class,
        detail=detail[:4000],
        status_code=status,
        slot=slot,
        fetcher=fetcher,
    )
