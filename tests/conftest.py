"""Fixtures shared by every layer: real nats-server, migrated databases, settings pointing at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from clausewatch_shared.db import Database
from clausewatch_shared.migrations import upgrade
from clausewatch_shared.settings import CommonSettings
from tests.support.databases import create_postgres_database, drop_postgres_database, postgres_available
from tests.support.nats import NatsServer, running_nats


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A real nats-server with JetStream on a free port and a temporary store."""
    with running_nats(tmp_path / "jetstream") as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite database migrated to head."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'clausewatch.db'}"
    upgrade(url)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database migrated to head; dropped after the test."""
    if not postgres_available():
        pytest.fail(
            "PostgreSQL is not reachable: start it (see docs/development.md) or set CLAUSEWATCH_TEST_POSTGRES_URL"
        )
    name, url = create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database of each kind in turn (the test runs once on SQLite and once on PostgreSQL)."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    """A Database on a migrated SQLite file."""
    db = Database(sqlite_url)
    yield db
    await db.dispose()


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, sqlite_url: str) -> CommonSettings:
    """Common settings wired to this test's nats-server, SQLite database and blob directory."""
    return CommonSettings(
        environment="test",
        nats_url=nats_server.url,
        database_url=sqlite_url,
        blob_dir=tmp_path / "blobs",
        retry_backoff_seconds=0.05,
        max_deliveries=3,
    )


_LAYERS = {"unit", "integration", "e2e"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its layer (unit / integration / e2e) from the folder it lives in."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for layer in _LAYERS:
            if layer in parts:
                item.add_marker(getattr(pytest.mark, layer))
