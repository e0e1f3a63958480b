"""The fetcher's database writes: slot claims and leases, snapshots, failures and document health.

Each function is one transaction. Claims use the unique (document, slot) key and conditional UPDATEs, so several
fetcher replicas on one database never capture the same slot twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.db import Database, insert_values, table_of
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


@dataclass(frozen=True, slots=True)
class CaptureDoc:
    """What a capture needs of its Document row, read as plain columns (no ORM entity loaded per capture)."""

    id: str
    platform_id: str
    urls: list[str]
    spec: dict[str, Any]
    language: str
    last_sha256: str | None
    last_etag: str | None
    last_modified: str | None
    last_stated_date: date | None
    consecutive_failures: int
    interval_seconds: int


@dataclass(frozen=True)
class Begin:
    """What a capture handler found when it tried to take a slot."""

    kind: Literal["go", "done", "busy", "missing"]
    document: CaptureDoc | None = None
    event: dict[str, Any] | None = None
    lease_until: datetime | None = None  # when "busy": when the holder's lease ends unless it renews it


_DOCUMENTS = table_of(Document)
_SLOTS = table_of(FetchSlot)

# Built once (compiled once): Core statements on the tables, run on a Core connection. The ORM's versions (an entity
# loaded by Session.get, UPDATEs through the ORM's bulk path, a FetchSlot instance per insert) cost more CPU than
# the database's work did (decision 0090).
_CAPTURE_DOC = core_select(*(_DOCUMENTS.c[f.name] for f in fields(CaptureDoc))).where(
    _DOCUMENTS.c.id == bindparam("p_document_id")
)
_SLOT_STATE = core_select(_SLOTS.c.outcome, _SLOTS.c.event, _SLOTS.c.lease_until).where(
    _SLOTS.c.document_id == bindparam("p_document_id"), _SLOTS.c.slot == bindparam("p_slot")
)
_TAKE_SLOT: dict[str, Any] = {}


def _take_slot(dialect: str) -> Any:
    """Return the slot's INSERT … ON CONFLICT DO UPDATE … WHERE <free> RETURNING id for a dialect, built once.

    One statement for what was an INSERT … ON CONFLICT DO NOTHING of the row as "requested" and a conditional UPDATE
    to "capturing": a new row is inserted taken (attempts 1); an existing one is updated only if free (requested,
    claimed by the scheduler, or its capture's lease ran out). On PostgreSQL a second replica's statement waits on
    the first's uncommitted row, then evaluates the condition against it (taken: no row returned, as the UPDATE
    found none). A row comes back if and only if this call took the slot.
    """
    statement = _TAKE_SLOT.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        new = insert(_SLOTS).values(
            document_id=bindparam("p_document_id"),
            slot=bindparam("p_slot"),
            outcome="capturing",
            claimed_at=bindparam("p_now"),
            lease_until=bindparam("p_until"),
            worker=bindparam("p_worker"),
            attempts=1,
            event=bindparam("p_no_event", type_=_SLOTS.c.event.type),
        )
        statement = new.on_conflict_do_update(
            index_elements=[_SLOTS.c.document_id, _SLOTS.c.slot],
            set_={
                "outcome": "capturing",
                "lease_until": new.excluded.lease_until,
                "worker": new.excluded.worker,
                "attempts": _SLOTS.c.attempts + 1,
            },
            where=or_(
                _SLOTS.c.outcome.in_(("claimed", "requested")),
                _SLOTS.c.outcome.is_(None),
                and_(_SLOTS.c.outcome == "capturing", _SLOTS.c.lease_until < new.excluded.claimed_at),
            ),
        ).returning(_SLOTS.c.id)
        _TAKE_SLOT[dialect] = statement
    return statement


async def begin_capture(
    db: Database, document_id: str, slot: str, *, worker: str, now: datetime, lease: timedelta
) -> Begin:
    """Take the slot for a capture under a lease, or say it is done (with its event), busy, or the document missing.

    Read the document's capture columns, then insert the slot taken or take the existing one if it is free, in one
    statement that only one replica can win; only when it is not free, read why.
    """
    key = {"p_document_id": document_id, "p_slot": slot}
    # Autocommit: each statement is its own transaction (no BEGIN/COMMIT round trips). The upsert alone decides who
    # takes the slot; the document read before it needs no shared snapshot (documents are deactivated, never deleted).
    async with db.connection() as conn:
        found = (await conn.execute(_CAPTURE_DOC, key)).first()
        if found is None:
            return Begin("missing")
        document = CaptureDoc(*found)
        params = {**key, "p_now": now, "p_until": now + lease, "p_worker": worker, "p_no_event": {}}
        taken = (await conn.execute(_take_slot(conn.dialect.name), params)).first() is not None
        if not taken:
            outcome, event, lease_until = (await conn.execute(_SLOT_STATE, key)).one()
            if outcome in DONE:
                return Begin("done", document, event or None)
            return Begin("busy", document, lease_until=lease_until)
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


# The UPDATEs of a finished capture, built once with bound parameters (compiled once).
_DOCUMENT_HEALTHY = (
    update(_DOCUMENTS)
    .where(_DOCUMENTS.c.id == bindparam("p_document_id"))
    .values(
        **_HEALTHY,
        last_captured_at=bindparam("p_now"),
        last_etag=bindparam("p_etag"),
        last_modified=bindparam("p_modified"),
    )
)
_DOCUMENT_NEW_HASH = _DOCUMENT_HEALTHY.values(
    last_sha256=bindparam("p_sha256"), last_stated_date=bindparam("p_stated_date")
)
_SLOT_FINISHED = (
    update(_SLOTS)
    .where(_SLOTS.c.document_id == bindparam("p_document_id"), _SLOTS.c.slot == bindparam("p_slot"))
    .values(
        outcome=bindparam("p_outcome"),
        event=bindparam("p_event"),
        finished_at=bindparam("p_now"),
        lease_until=None,
    )
)


async def record_snapshot(
    db: Database,
    *,
    snapshot: dict[str, Any],
    slot: str,
    etag: str | None,
    last_modified: str | None,
    event: dict[str, Any],
    now: datetime,
) -> None:
    """Store a new snapshot (its Snapshot row's columns), mark the document healthy with its new hash, and close the
    slot with its event.

    Three statements in one transaction on a Core connection, none a read: the document's UPDATE (no row: it was
    removed meanwhile, LookupError), the snapshot's INSERT unless a rerun stored it already, the slot's UPDATE.
    """
    document_id = snapshot["document_id"]
    async with db.engine.begin() as conn:
        updated = await conn.execute(
            _DOCUMENT_NEW_HASH,
            {
                "p_document_id": document_id,
                "p_now": now,
                "p_etag": etag,
                "p_modified": last_modified,
                "p_sha256": snapshot["sha256"],
                "p_stated_date": snapshot.get("stated_date"),
            },
        )
        if updated.rowcount != 1:
            msg = f"document {document_id} vanished during capture"
            raise LookupError(msg)
        await insert_values(conn, Snapshot, [snapshot])
        await conn.execute(
            _SLOT_FINISHED,
            {
                "p_document_id": document_id,
                "p_slot": slot,
                "p_outcome": "captured",
                "p_event": event,
                "p_now": now,
            },
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
    async with db.engine.begin() as conn:
        updated = await conn.execute(
            _DOCUMENT_HEALTHY,
            {"p_document_id": document_id, "p_now": now, "p_etag": etag, "p_modified": last_modified},
        )
        if updated.rowcount != 1:
            return
        await conn.execute(
            _SLOT_FINISHED,
            {
                "p_document_id": document_id,
                "p_slot": slot,
                "p_outcome": "unchanged",
                "p_event": event,
                "p_now": now,
            },
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


_FAILURES = table_of(CaptureFailure)
# The first failure of a cause since the document's last good capture (captures that yield the document set
# last_captured_at; failures do not). Ordered and limited rather than MIN(): the column keeps its UTC type.
_LAST_GOOD = core_select(_DOCUMENTS.c.last_captured_at).where(_DOCUMENTS.c.id == bindparam("p_document_id"))
_HELD_SINCE = (
    core_select(_FAILURES.c.at)
    .where(
        _FAILURES.c.document_id == bindparam("p_document_id"),
        _FAILURES.c.cause == bindparam("p_cause"),
        or_(_LAST_GOOD.scalar_subquery().is_(None), _FAILURES.c.at > _LAST_GOOD.scalar_subquery()),
    )
    .order_by(_FAILURES.c.at)
    .limit(1)
)


async def held_since(db: Database, document_id: str, cause: str) -> datetime | None:
    """Return when the document's pages began to be rejected for `cause` (`incomplete_page`, `older_copy`), or
    None if they are not: the first such failure after the last capture that yielded the document."""
    async with db.connection() as conn:
        found: datetime | None = (
            await conn.execute(_HELD_SINCE, {"p_document_id": document_id, "p_cause": cause})
        ).scalar()
    return found


_SNAPSHOTS = table_of(Snapshot)
_STATED_BEFORE = (
    core_select(_SNAPSHOTS.c.id)
    .where(
        _SNAPSHOTS.c.document_id == bindparam("p_document_id"),
        _SNAPSHOTS.c.stated_date == bindparam("p_stated_date"),
    )
    .limit(1)
)


async def stated_before(db: Database, document_id: str, stated: date) -> bool:
    """Return True if an earlier snapshot of the document stated this date for itself."""
    async with db.connection() as conn:
        found = (
            await conn.execute(_STATED_BEFORE, {"p_document_id": document_id, "p_stated_date": stated})
        ).first()
    return found is not None


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
