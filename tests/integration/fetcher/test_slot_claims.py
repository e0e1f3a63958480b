"""Taking a capture slot in one statement (decision 0090), on SQLite and PostgreSQL: go, busy, taken over, done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from clausewatch_fetcher import records
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document, FetchSlot, Platform

DOC = "acme/privacy-policy"
T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _catalogue(db: Database) -> None:
    async with db.session() as session:
        session.add(Platform(id="acme", name="Acme"))
        await session.flush()
        session.add(
            Document(
                id=DOC, platform_id="acme", doc_type="privacy-policy", title="Privacy", urls=["http://x/p"],
                spec={"select": ["main"]}, last_sha256="a" * 64, last_etag='"e1"', consecutive_failures=2,
            )
        )  # fmt: skip


async def _slot(db: Database, slot: str) -> FetchSlot:
    async with db.session() as session:
        return (await session.exec(select(FetchSlot).where(FetchSlot.slot == slot))).one()


async def test_a_slot_is_taken_once_until_its_lease_ends_then_taken_over_and_done_once(
    database_url: str,
) -> None:
    """First call takes a new slot; a second is told busy until the lease; then it takes over; done gives the event."""
    db = Database(database_url)
    await _catalogue(db)
    first = await records.begin_capture(db, DOC, "s1", worker="w1", now=T0, lease=LEASE)
    assert first.kind == "go"
    assert first.document == records.CaptureDoc(
        id=DOC, platform_id="acme", urls=["http://x/p"], spec={"select": ["main"]}, language="en",
        last_sha256="a" * 64, last_etag='"e1"', last_modified=None, last_stated_date=None, consecutive_failures=2,
        interval_seconds=86400,
    )  # fmt: skip
    row = await _slot(db, "s1")
    assert (row.outcome, row.attempts, row.worker, row.claimed_at, row.lease_until, row.event) == (
        "capturing", 1, "w1", T0, T0 + LEASE, {},
    )  # fmt: skip
    busy = await records.begin_capture(db, DOC, "s1", worker="w2", now=T0 + LEASE / 2, lease=LEASE)
    assert (busy.kind, busy.lease_until) == ("busy", T0 + LEASE)
    later = T0 + LEASE + timedelta(seconds=1)
    again = await records.begin_capture(db, DOC, "s1", worker="w2", now=later, lease=LEASE)
    assert again.kind == "go"
    row = await _slot(db, "s1")
    assert (row.attempts, row.worker, row.claimed_at, row.lease_until) == (2, "w2", T0, later + LEASE)
    event = {"subject": "x", "body": {"n": 1}}
    await records.record_unchanged(
        db, document_id=DOC, slot="s1", etag=None, last_modified=None, event=event, now=later
    )
    done = await records.begin_capture(db, DOC, "s1", worker="w3", now=later + LEASE * 3, lease=LEASE)
    assert (done.kind, done.event) == ("done", event)
    assert (await _slot(db, "s1")).attempts == 2
    await db.dispose()


async def test_a_slot_claimed_by_the_scheduler_is_taken_and_a_missing_document_is_said(
    database_url: str,
) -> None:
    """A scheduler's claimed row is taken (its claim time kept); an unknown document writes no slot."""
    db = Database(database_url)
    await _catalogue(db)
    assert await records.claim_slot(db, DOC, "s2", outcome="claimed", worker="scheduler")
    claimed_at = (await _slot(db, "s2")).claimed_at
    taken = await records.begin_capture(db, DOC, "s2", worker="w1", now=T0, lease=LEASE)
    assert taken.kind == "go"
    row = await _slot(db, "s2")
    assert (row.outcome, row.attempts, row.claimed_at, row.worker) == ("capturing", 1, claimed_at, "w1")
    missing = await records.begin_capture(db, "acme/nothing", "s3", worker="w1", now=T0, lease=LEASE)
    assert missing.kind == "missing"
    async with db.session() as session:
        assert len((await session.exec(select(FetchSlot))).all()) == 1
    await db.dispose()
