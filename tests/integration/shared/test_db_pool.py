"""The PostgreSQL pool's liveness check: a connection cut while idle in the pool is never handed to a transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy import text

from clausewatch_shared import db as db_module
from clausewatch_shared.db import Database


async def _backend_pid(db: Database) -> int:
    async with db.session() as s:
        return int((await s.exec(text("SELECT pg_backend_pid()"))).one()[0])  # type: ignore[call-overload]


@pytest.fixture
async def pinging_db(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    """A database whose every checkout counts as one after an idle spell, so every checkout pings."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    db = Database(postgres_url)
    try:
        yield db
    finally:
        await db.dispose()


async def test_a_pooled_connection_cut_while_idle_is_replaced_on_checkout(
    pinging_db: Database, postgres_url: str
) -> None:
    """A server-side kill of an idle pooled connection costs no transaction: the checkout ping replaces it."""
    first = await _backend_pid(pinging_db)
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    assert await _backend_pid(pinging_db) != first


async def test_a_connection_pinged_after_idling_can_run_in_autocommit(pinging_db: Database) -> None:
    """The checkout ping leaves no transaction open: the autocommit connection works and commits each statement."""
    await _backend_pid(pinging_db)  # a pooled connection, pinged on its next checkout
    async with pinging_db.connection() as conn:
        status = (await conn.execute(text("SELECT now() = statement_timestamp()"))).scalar_one()
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    # now() is the transaction's start: equal to the statement's only if no earlier BEGIN (the ping's) is open.
    assert status is True
