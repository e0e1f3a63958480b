"""Fixtures for fetcher integration tests: a local site, a catalogue on it, and a running fetcher."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
import yaml

from clausewatch_fetcher.app import register
from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.http_fetch import HttpFetcher
from clausewatch_fetcher.scheduler import capture_request
from clausewatch_fetcher.settings import FetcherSettings, detect_chromium
from clausewatch_shared.db import Database
from clausewatch_shared.events import BY_SUBJECT, DeadLetter, Message
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.streams import DEADLETTER
from tests.integration.fetcher.site import LocalSite
from tests.support.nats import NatsServer


def loopback_pool(**kw: Any) -> BrowserPool:
    """A browser pool of two pages that resolves only loopback hosts and waits for nothing after load."""
    base: dict[str, Any] = {
        "executable": detect_chromium(),
        "concurrency": 2,
        "timeout": 10.0,
        "user_agent": "clausewatch-test",
        "loopback_only": True,
        "settle_ms": 0,
    }
    return BrowserPool(**(base | kw))


@pytest.fixture
async def http() -> AsyncIterator[HttpFetcher]:
    """An HTTP fetcher with test-sized limits and a cookie jar of its own."""
    fetcher = HttpFetcher(
        user_agent="clausewatch-test", timeout=5.0, max_bytes=1 << 20, max_ratio=100.0, max_redirects=5
    )
    yield fetcher
    await fetcher.aclose()


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """A local website on 127.0.0.1 (routes set by each test)."""
    server = LocalSite().start()
    yield server
    server.stop()


def write_catalogue(path: Path, documents: list[dict[str, Any]], platform: str = "acme") -> Path:
    """Write a one-platform catalogue with the given document declarations."""
    path.write_text(
        yaml.safe_dump(
            {
                "platforms": [
                    {
                        "id": platform,
                        "name": platform.title(),
                        "website": "https://example.com",
                        "documents": documents,
                    }
                ]
            }
        )
    )
    return path


def fetcher_settings(
    tmp_path: Path, nats_url: str, database_url: str, catalogue: Path, **kw: Any
) -> FetcherSettings:
    """Settings for a test fetcher: local-only browser, short timeouts, small size cap, no politeness delay."""
    base: dict[str, Any] = {
        "environment": "test",
        "nats_url": nats_url,
        "database_url": database_url,
        "blob_dir": tmp_path / "blobs",
        "retry_backoff_seconds": 0.05,
        "max_deliveries": 3,
        "catalogue_path": catalogue,
        "chromium_path": detect_chromium(),
        "browser_same_host_only": True,
        "browser_settle_ms": 100,
        "schedule_enabled": False,
        "initial_spread_seconds": 0,
        "http_timeout_seconds": 2.0,
        "browser_timeout_seconds": 10.0,
        "max_bytes": 1024 * 1024,
        "min_host_delay_seconds": 0.0,
        "browser_concurrency": 2,
    }
    base.update(kw)
    return FetcherSettings(**base)


async def stream_events(nats_url: str, stream: str = "CW_EVENTS") -> list[Message]:
    """Return every message stored in a stream, parsed as its event type."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        out: list[Message] = []
        if info.state.messages:
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(stream, seq)
                model = BY_SUBJECT.get(msg.subject or "")
                if model is not None:
                    out.append(model.model_validate(json.loads(msg.data or b"{}")))
        return out
    finally:
        await nc.close()


async def dead_letters(nats_url: str) -> list[DeadLetter]:
    """Return every dead letter stored (they are not events, so `stream_events` does not parse them)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(DEADLETTER.name)
        if not info.state.messages:
            return []
        return [
            DeadLetter.model_validate_json((await js.get_msg(DEADLETTER.name, seq)).data or b"{}")
            for seq in range(info.state.first_seq, info.state.last_seq + 1)
        ]
    finally:
        await nc.close()


@dataclass
class RunningFetcher:
    """A fetcher registered on a started runtime, with helpers to ask for captures and read the facts."""

    runtime: Runtime
    settings: FetcherSettings
    nats_url: str

    @property
    def db(self) -> Database:
        return self.runtime.db

    async def request(self, document_id: str, slot: str) -> None:
        event, msg_id = capture_request(document_id, slot, reason="manual")
        await self.runtime.bus("test").publish(event, msg_id=msg_id)

    async def events(self, document_id: str | None = None) -> list[Message]:
        found = await stream_events(self.nats_url)
        return [e for e in found if document_id is None or getattr(e, "document_id", None) == document_id]

    async def wait_events(self, document_id: str, count: int, timeout: float = 30.0) -> list[Message]:
        """Wait until `count` facts about the document are stored, then return them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = await self.events(document_id)
            if len(found) >= count or asyncio.get_running_loop().time() > deadline:
                return found
            await asyncio.sleep(0.05)

    async def capture(self, document_id: str, slot: str = "s1", count: int = 1) -> list[Message]:
        """Request a capture and return the document's facts once `count` of them are stored."""
        await self.request(document_id, slot)
        return await self.wait_events(document_id, count)

    async def dead_letters(self) -> list[DeadLetter]:
        return await dead_letters(self.nats_url)


@pytest.fixture
def make_fetcher(tmp_path: Path, nats_server: NatsServer, sqlite_url: str) -> Iterator[Any]:
    """Return an async context factory that starts a fetcher on a catalogue of the given documents."""

    def factory(documents: list[dict[str, Any]], database_url: str | None = None, **settings_kw: Any) -> Any:
        catalogue = write_catalogue(tmp_path / "catalogue.yaml", documents)
        settings = fetcher_settings(
            tmp_path, nats_server.url, database_url or sqlite_url, catalogue, **settings_kw
        )
        return _Running(settings, nats_server.url)

    return factory


class _Running:
    def __init__(self, settings: FetcherSettings, nats_url: str) -> None:
        self.settings = settings
        self.nats_url = nats_url
        self.runtime = Runtime.create(settings, "fetcher")

    async def __aenter__(self) -> RunningFetcher:
        register(self.runtime, self.settings)
        await self.runtime.broker.connect()
        await self.runtime.start()
        await self.runtime.broker.start()
        await self.runtime.start_tasks()
        return RunningFetcher(self.runtime, self.settings, self.nats_url)

    async def __aexit__(self, *exc: object) -> None:
        await self.runtime.broker.stop()
        await self.runtime.stop()
