"""Fixtures for the notifier's integration tests: settings wired to a real nats-server, SMTP server and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from tests.integration.notifier.servers import Inbox, smtp_server
from tests.support.nats import NatsServer


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on loopback: (inbox, port)."""
    with smtp_server() as server:
        yield server


def make_settings(
    tmp_path: Path, nats_url: str, database_url: str, smtp_port: int, **overrides: object
) -> NotifierSettings:
    """Notifier settings for a test: fast ticks, sub-second retries, private targets allowed, plain http."""
    base: dict[str, object] = {
        "environment": "test",
        "nats_url": nats_url,
        "database_url": database_url,
        "blob_dir": tmp_path / "blobs",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "allow_private_webhook_targets": True,
        "require_https": False,
        "delivery_tick_seconds": 0.1,
        "digest_tick_seconds": 0.2,
        "retry_schedule_seconds": (0.2, 0.3, 0.3),
        "retry_jitter": 0.1,
        "public_base_url": "https://clausewatch.test",
        "retry_backoff_seconds": 0.05,
        "max_deliveries": 3,
    }
    return NotifierSettings(**(base | overrides))  # type: ignore[arg-type]


@pytest.fixture
def notifier_settings(
    tmp_path: Path, nats_server: NatsServer, database_url: str, smtp: tuple[Inbox, int]
) -> NotifierSettings:
    """Notifier settings on this test's nats-server, database (SQLite, then PostgreSQL) and SMTP server."""
    return make_settings(tmp_path, nats_server.url, database_url, smtp[1])


@pytest.fixture
async def db(notifier_settings: NotifierSettings) -> AsyncIterator[Database]:
    """A Database on the test's migrated database."""
    database = Database(notifier_settings.database_url)
    yield database
    await database.dispose()


async def wait_for(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 15.0) -> None:
    """Poll until predicate holds; fail the test with a clear message if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
