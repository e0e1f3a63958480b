"""A fetcher SIGKILLed mid-capture: its redelivered request waits out the dead worker's lease, then captures once."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from sqlmodel import select

from clausewatch_fetcher.scheduler import capture_request
from clausewatch_shared.db import Database
from clausewatch_shared.events import SnapshotCaptured
from clausewatch_shared.models import FetchSlot
from clausewatch_shared.streams import FETCHER_CAPTURE, ensure_streams
from tests.integration.fetcher.conftest import dead_letters, stream_events, write_catalogue
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.processes import (
    START_BUDGET_SECONDS,
    fetcher_env,
    start_fetcher,
    stop_fetcher,
    wait_ready,
)
from tests.integration.fetcher.site import LocalSite, Route
from tests.support.nats import NatsServer
from tests.support.ports import wait_logged_ops_port

pytestmark = pytest.mark.integration

DOC = "acme/privacy-policy"
SLOT = "2026-12-01T06:00:00Z"
MAX_DELIVERIES = 3  # the old handler spent these on "slot busy" retries within a second and dead-lettered
ACK_WAIT_SECONDS = 2.0  # the dead process's delivery comes back this soon (production: 180 s)
LEASE_SECONDS = 15.0  # far longer than ACK_WAIT_SECONDS: the redelivery is sure to find the lease still held


async def _prepare_consumer(nats_url: str) -> None:
    """Create the streams and the capture consumer with a short ack_wait before any fetcher starts."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        config = dataclasses.replace(FETCHER_CAPTURE.config(MAX_DELIVERIES), ack_wait=ACK_WAIT_SECONDS)
        await js.add_consumer(FETCHER_CAPTURE.stream.name, config)
    finally:
        await nc.close()


async def _slot(db: Database) -> FetchSlot | None:
    async with db.session() as session:
        result = await session.exec(
            select(FetchSlot).where(FetchSlot.document_id == DOC, FetchSlot.slot == SLOT)
        )
        return result.first()


async def _wait_slot(db: Database, outcome: str, site: LocalSite | None = None) -> None:
    """Return once the slot has `outcome` (and, if a site is given, its page was hit); raise after the budget."""
    deadline = asyncio.get_running_loop().time() + START_BUDGET_SECONDS + 3 * LEASE_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        row = await _slot(db)
        if row is not None and row.outcome == outcome and (site is None or site.hits["/policy"]):
            return
        await asyncio.sleep(0.1)
    msg = f"slot never reached {outcome!r}: {await _slot(db)}"
    raise AssertionError(msg)


@dataclasses.dataclass
class TwoFetchers:
    """A fetcher whose capture hangs on the page, and a second one consuming beside it; the page now answers."""

    first: subprocess.Popen[bytes]
    second: subprocess.Popen[bytes]
    logs: list[Path]
    db: Database

    def output(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)


@contextlib.asynccontextmanager
async def a_capture_hanging_beside_a_second_fetcher(
    tmp_path: Path, site: LocalSite, nats_url: str, sqlite_url: str, **settings: str
) -> AsyncIterator[TwoFetchers]:
    """Start a fetcher, have it capture a page that hangs, start a second fetcher, then let the page answer."""
    site.set("/policy", Route(body=policy_html().encode(), delay=600.0))
    catalogue = write_catalogue(
        tmp_path / "catalogue.yaml",
        [{"type": "Privacy Policy", "urls": [site.url("/policy")], "javascript": False}],
    )
    env = fetcher_env(
        nats_url,
        sqlite_url,
        tmp_path,
        catalogue,
        schedule_enabled="false",
        http_timeout_seconds="300",  # the hanging capture must still be running when its process is stopped
        ops_port="0",  # the kernel picks a port no other process holds; read back from the log
        log_format="json",
        log_level="INFO",
        **settings,
    )
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = start_fetcher(env, tmp_path, logs[0])
    second = None
    db = Database(sqlite_url)
    try:
        await wait_ready(await wait_logged_ops_port(logs[0], first, START_BUDGET_SECONDS), first)
        nc = await nats.connect(nats_url)
        try:
            event, msg_id = capture_request(DOC, SLOT, reason="manual")
            await nc.jetstream().publish(
                event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id}
            )
        finally:
            await nc.close()
        await _wait_slot(db, "capturing", site)
        # The second is consuming before the first stops, so the request comes back to it while the lease is held.
        second = start_fetcher(env, tmp_path, logs[1])
        await wait_ready(await wait_logged_ops_port(logs[1], second, START_BUDGET_SECONDS), second)
        site.set("/policy", Route(body=policy_html().encode()))
        yield TwoFetchers(first, second, logs, db)
    finally:
        stop_fetcher(first)
        if second is not None:
            stop_fetcher(second)
        await db.dispose()


async def test_redelivered_request_waits_for_a_killed_fetchers_lease_and_captures_the_slot_once(
    tmp_path: Path, site: LocalSite, nats_server: NatsServer, sqlite_url: str
) -> None:
    """SIGKILL a fetcher mid-capture: the redelivered request is deferred until the lease ends, never dead-lettered."""
    await _prepare_consumer(nats_server.url)
    settings = {
        "max_deliveries": str(MAX_DELIVERIES),
        "retry_backoff_seconds": "0.05",
        "capture_lease_seconds": str(LEASE_SECONDS),
    }
    async with a_capture_hanging_beside_a_second_fetcher(
        tmp_path, site, nats_server.url, sqlite_url, **settings
    ) as fetchers:
        fetchers.first.send_signal(signal.SIGKILL)
        fetchers.first.wait(timeout=30)
        await _wait_slot(fetchers.db, "captured")
        row = await _slot(fetchers.db)
    output = fetchers.output()
    assert row is not None
    assert row.attempts == 2, row  # the killed capture and the one that finished
    assert site.hits["/policy"] == 2
    facts = [e for e in await stream_events(nats_server.url) if isinstance(e, SnapshotCaptured)]
    assert [(e.document_id, e.event_id) for e in facts] == [(DOC, facts[0].event_id)], output[-3000:]
    assert await dead_letters(nats_server.url) == [], output[-3000:]
    assert "handler_deferred" in fetchers.logs[1].read_text(errors="replace"), output[-3000:]


async def test_a_fetcher_stopped_mid_capture_hands_the_slot_over_at_once(
    tmp_path: Path, site: LocalSite, nats_server: NatsServer, sqlite_url: str
) -> None:
    """SIGTERM a fetcher whose capture outlasts its stop's grace: the capture is cut short, its slot's lease
    released and its request handed back, so the other replica captures at once: neither the consumer's ack_wait
    (180 s) nor the lease (300 s here) is waited out."""
    settings = {"capture_lease_seconds": "300", "shutdown_grace_seconds": "1"}
    async with a_capture_hanging_beside_a_second_fetcher(
        tmp_path, site, nats_server.url, sqlite_url, **settings
    ) as fetchers:
        fetchers.first.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(fetchers.first.wait, 30) == 0
        await _wait_slot(fetchers.db, "captured")
        row = await _slot(fetchers.db)
    output = fetchers.output()
    assert row is not None
    assert row.attempts == 2, row
    assert '"handed_back"' in fetchers.logs[0].read_text(errors="replace"), output[-3000:]
    assert "handler_deferred" not in fetchers.logs[1].read_text(errors="replace"), output[-3000:]
    facts = [e for e in await stream_events(nats_server.url) if isinstance(e, SnapshotCaptured)]
    assert len(facts) == 1, output[-3000:]
