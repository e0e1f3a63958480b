"""Persistence: one async SQLAlchemy engine per process, SQLite by default and PostgreSQL by URL.

The schema is owned by Alembic (`clausewatch migrate`); `create_all` is never used outside throwaway tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, TextClause, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
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
            # The ping opened a transaction (the driver is not in autocommit): end it, or the connection could not
            # be switched to autocommit (`Database.connection()`, the notifier's loop) and a session would start
            # inside a transaction begun before its own.
            dbapi_conn.rollback()
        except Exception as exc:
            raise DisconnectionError(str(exc)) from exc


class Database:
    """An engine and a session factory: `async with db.session() as s:` commits on success, rolls back on error."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # The same pool, each checkout switched to autocommit (and back on return): see `connection`.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Yield a session inside a transaction."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """Yield a Core connection in autocommit mode: every statement is a transaction of its own.

        For code whose writes are one statement each and whose reads need no snapshot shared between statements
        (PostgreSQL's READ COMMITTED gives each statement its own anyway): no BEGIN and COMMIT round trips, and no
        ORM session to set up; statements are Core (columns in, parameters out, no mapped objects).
        """
        async with self._autocommit.connect() as conn:
            yield conn

    async def autocommit_connection(self) -> AsyncConnection:
        """Check out a connection in autocommit mode that the caller keeps and closes itself (a loop's own)."""
        return await self._autocommit.connect()

    async def ping(self) -> bool:
        """Return True if the database answers a trivial query."""
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


# Where the insert helpers run: an ORM session, or a Core connection (`Database.connection()`, `engine.begin()`).
Executor = AsyncSession | AsyncConnection


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


async def insert_values(session: Executor, model: type[SQLModel], values: Sequence[dict[str, Any]]) -> int:
    """Insert rows of `model` given as column values (every row the same columns), skipping any a unique key refuses.

    For callers that build the parameters themselves (no model instance per row); returns how many were new.
    """
    return await _insert_batch(session, table_of(model), values)


async def insert_json_rows(session: Executor, model: type[SQLModel], values: Sequence[dict[str, Any]]) -> int:
    """As `insert_values`, but on PostgreSQL the rows travel as one JSON parameter: one short statement per table.

    `INSERT … SELECT … FROM json_populate_recordset(NULL::table, :rows) ON CONFLICT DO NOTHING RETURNING key`.
    With the rows as separate parameters, SQLAlchemy renders a multi-row VALUES statement whose text changes with
    the row count and runs past psycopg's 4 kB query cache, so psycopg parsed it anew on every call, and each JSON
    column was encoded on its own; here the text never changes (psycopg caches and prepares it) and one C-encoder
    call encodes every row. PostgreSQL stores the same values: a `json` column keeps the text of its JSON value as
    written, numbers and strings convert as from a parameter, datetimes go as ISO 8601 (aware UTC only, as
    UTCDateTime demands). Every row must name every column (a missing key is NULL, not the column's default) and
    JSON columns must not be None (this stores SQL NULL where SQLAlchemy's JSON type stores JSON null). Elsewhere
    (SQLite) it is `insert_values`.
    """
    if not values:
        return 0
    table = table_of(model)
    if _dialect(session) != "postgresql":
        return await _insert_batch(session, table, values)
    rows = json.dumps(list(values), default=_json_default)
    return len((await execute(session, _json_insert(table), {"rows": rows})).all())


_JSON_INSERTS: dict[Table, TextClause] = {}


def _json_insert(table: Table) -> TextClause:
    statement = _JSON_INSERTS.get(table)
    if statement is None:
        quote = postgresql.dialect().identifier_preparer.quote  # type: ignore[no-untyped-call]
        name = quote(table.name)
        columns = ", ".join(quote(c.name) for c in table.columns)
        key = ", ".join(quote(c.name) for c in table.primary_key.columns)
        # Identifiers from the table's own definition, quoted by the dialect; the rows are a bound parameter.
        statement = text(
            f"INSERT INTO {name} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM json_populate_recordset(CAST(NULL AS {name}), CAST(:rows AS json)) "
            f"ON CONFLICT DO NOTHING RETURNING {key}"
        )
        _JSON_INSERTS[table] = statement
    return statement


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = "naive datetime: store aware UTC datetimes only"
            raise ValueError(msg)
        return value.astimezone(UTC).isoformat()
    msg = f"{type(value).__name__} is not JSON serialisable"
    raise TypeError(msg)


def _dialect(session: Executor) -> str:
    if isinstance(session, AsyncConnection):
        return session.dialect.name
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def execute(session: Executor, statement: Any, params: Any) -> Any:
    """Run a Core statement in a session's transaction or on a Core connection (no ORM session to set up)."""
    if isinstance(session, AsyncConnection):
        return await session.execute(statement, params)
    return await session.exec(statement, params=params)


async def connection_of(executor: Executor) -> AsyncConnection:
    """Return the connection a session works on (its transaction), or the connection itself."""
    return executor if isinstance(executor, AsyncConnection) else await executor.connection()


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements built once at import."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set on table models at class creation
    return table


async def _insert_batch(session: Executor, table: Table, values: Sequence[dict[str, Any]]) -> int:
    # One statement per table, executed with the rows as parameters: a statement built once is compiled once, where
    # a multi-row VALUES clause was compiled anew for every call. RETURNING, not rowcount: psycopg reports -1 for
    # INSERT … ON CONFLICT on some paths.
    if not values:
        return 0
    params = values[0] if len(values) == 1 else list(values)
    return len((await execute(session, _insert_ignoring(_dialect(session), table), params)).all())
