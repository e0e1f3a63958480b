"""Persistence: one async SQLAlchemy engine per process, SQLite by default and PostgreSQL by URL.

The schema is owned by Alembic (`clausewatch migrate`); `create_all` is never used outside throwaway tests.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def create_engine(database_url: str) -> AsyncEngine:
    """Return an async engine; SQLite gets WAL mode and a busy timeout so several services can share a file."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = create_async_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle for longer than this is pinged before it is handed out; one checked in more recently was
# working a moment ago. SQLAlchemy's pool_pre_ping pinged on every checkout: a round trip per transaction.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled PostgreSQL connection on checkout if it sat idle in the pool (a restart may have cut it).

    A failed ping raises DisconnectionError, which makes the pool discard that connection and hand out a fresh one
    (SQLAlchemy's documented pessimistic disconnect handling), as pool_pre_ping did.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connected(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as exc:
            raise DisconnectionError(str(exc)) from exc


class Database:
    """An engine and a session factory: `async with db.session() as s:` commits on success, rolls back on error."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Yield a session inside a transaction."""
        async with self._sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        """Return True if the database answers a trivial query."""
        from sqlalchemy import text

        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


_INSERT_IGNORING: dict[tuple[str, Table], Any] = {}


def _insert_ignoring(dialect: str, table: Table) -> Any:
    """Return the table's INSERT … ON CONFLICT DO NOTHING RETURNING <key>, built once (so compiled once, cached)."""
    statement = _INSERT_IGNORING.get((dialect, table))
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
        _INSERT_IGNORING[(dialect, table)] = statement
    return statement


async def insert_ignore(session: AsyncSession, rows: Sequence[SQLModel]) -> int:
    """Insert table rows, silently skipping any that a unique key refuses; return how many were new.

    INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite, inside the caller's transaction (no savepoint, no
    IntegrityError to catch): what makes a redelivered event's writes a no-op. Columns left None are not sent, so
    they take their database defaults.
    """
    batches: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}
    for row in rows:
        table = type(row).__table__  # type: ignore[attr-defined]
        values = {c.name: getattr(row, c.name) for c in table.columns if getattr(row, c.name) is not None}
        batches.setdefault((table, tuple(values)), []).append(values)
    count = 0
    for (table, _), batch in batches.items():
        count += await _insert_batch(session, table, batch)
    return count


async def insert_values(
    session: AsyncSession, model: type[SQLModel], values: Sequence[dict[str, Any]]
) -> int:
    """Insert rows of `model` given as column values (every row the same columns), skipping any a unique key refuses.

    For callers that build the parameters themselves (no model instance per row); returns how many were new.
    """
    return await _insert_batch(session, model.__table__, values)  # type: ignore[attr-defined]


async def _insert_batch(session: AsyncSession, table: Table, values: Sequence[dict[str, Any]]) -> int:
    # One statement per table, executed with the rows as parameters: a statement built once is compiled once, where
    # a multi-row VALUES clause was compiled anew for every call. RETURNING, not rowcount: psycopg reports -1 for
    # INSERT … ON CONFLICT on some paths.
    if not values:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    params = values[0] if len(values) == 1 else list(values)
    return len((await session.exec(_insert_ignoring(dialect, table), params=params)).all())
