"""The ops endpoint of a real runtime: liveness, readiness (broker and database) and metrics that move."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from clausewatch_shared import subjects
from clausewatch_shared.events import SnapshotUnchanged
from clausewatch_shared.messaging import jetstream
from clausewatch_shared.ops import main as probe_main
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import DIFFER_SNAPSHOTS, EVENTS, ConsumerSpec, ensure_consumer
from tests.support.nats import NatsServer

pytestmark = pytest.mark.integration

SPEC = ConsumerSpec("opstest-unchanged", EVENTS, subjects.SNAPSHOT_UNCHANGED, ack_wait_seconds=5)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


async def get(runtime: Runtime, path: str) -> tuple[int, str]:
    """GET a path of the runtime's ops endpoint (in a thread, so the server keeps running on this loop)."""
    assert runtime.ops is not None
    return await asyncio.to_thread(_get, f"http://127.0.0.1:{runtime.ops.port}{path}")


def sample(text: str, name: str, **labels: str) -> float:
    """Return the value of one sample in Prometheus text, 0.0 if absent."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def _unchanged(n: int) -> SnapshotUnchanged:
    return SnapshotUnchanged(
        correlation_id=f"corr-{n}",
        document_id="acme/privacy-policy",
        platform_id="acme",
        sha256=f"{n:064x}",
        captured_at="2026-11-22T06:00:00Z",  # type: ignore[arg-type]
    )


@pytest.fixture
def ops_settings(settings: CommonSettings) -> CommonSettings:
    """The test's settings with the ops endpoint on a free port."""
    return settings.model_copy(update={"ops_port": 0})


async def test_health_readiness_and_metrics_answer(ops_settings: CommonSettings) -> None:
    """A runtime answers /healthz, is ready on /readyz only once started with broker and database up, and serves /metrics."""
    runtime = Runtime.create(ops_settings, "ops-test")
    await runtime.start()
    try:
        assert await get(runtime, "/healthz") == (200, "ok\n")
        status, body = await get(runtime, "/readyz")
        assert status == 503  # connected, but not consuming yet
        assert json.loads(body)["checks"] == {"started": False, "broker": True, "database": True}
        await runtime.start_tasks()
        status, body = await get(runtime, "/readyz")
        assert status == 200
        assert json.loads(body) == {
            "status": "ready",
            "checks": {"started": True, "broker": True, "database": True},
        }
        status, body = await get(runtime, "/metrics")
        assert status == 200
        assert "clausewatch_events_handled_total" in body
        assert (await get(runtime, "/nope"))[0] == 404
        port = runtime.ops.port if runtime.ops else 0
        assert await asyncio.to_thread(probe_main, [f"http://127.0.0.1:{port}/readyz"]) == 0
    finally:
        await runtime.stop()
        await runtime.broker.stop()


async def test_handled_counter_moves_when_an_event_is_handled(ops_settings: CommonSettings) -> None:
    """The events-handled counter served on /metrics goes up by one for each event a subscriber handles."""
    runtime = Runtime.create(ops_settings, "ops-test")
    bus = runtime.bus("opstest")
    handled = asyncio.Event()

    async def handler(event: SnapshotUnchanged) -> None:
        handled.set()

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    labels = {"service": "opstest", "subject": subjects.SNAPSHOT_UNCHANGED, "outcome": "ok"}
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        before = sample((await get(runtime, "/metrics"))[1], "clausewatch_events_handled_total", **labels)
        await bus.publish(_unchanged(1))
        await asyncio.wait_for(handled.wait(), timeout=15)
        after = before
        for _ in range(100):  # the counter moves just after the handler returns, once the ack is confirmed
            after = sample((await get(runtime, "/metrics"))[1], "clausewatch_events_handled_total", **labels)
            if after > before:
                break
            await asyncio.sleep(0.05)
        await runtime.stop()
    assert after == before + 1


async def test_consumer_lag_is_sampled_on_scrape(ops_settings: CommonSettings) -> None:
    """Events waiting for a service's durable consumer show as its pending gauge when /metrics is scraped."""
    runtime = Runtime.create(ops_settings, "differ")
    bus = runtime.bus("differ")
    await runtime.start()
    try:
        await ensure_consumer(await jetstream(runtime.broker), DIFFER_SNAPSHOTS, 3)
        for n in range(3):
            await runtime.broker.publish(
                b"{}", subjects.SNAPSHOT_CAPTURED, stream="CW_EVENTS", headers={"Nats-Msg-Id": f"lag-{n}"}
            )
        text = (await get(runtime, "/metrics"))[1]
        assert sample(text, "clausewatch_consumer_pending", consumer="differ-snapshots") == 3
        assert bus.service == "differ"
    finally:
        await runtime.stop()
        await runtime.broker.stop()


async def test_readiness_fails_when_the_broker_goes_away(
    ops_settings: CommonSettings, nats_server: NatsServer
) -> None:
    """With the nats-server stopped /readyz answers 503 naming the broker (/healthz stays 200), then 200 again."""
    runtime = Runtime.create(ops_settings, "ops-test")
    await runtime.start()
    await runtime.start_tasks()
    try:
        nats_server.stop()
        status, body = 200, ""
        for _ in range(50):
            status, body = await get(runtime, "/readyz")
            if status == 503:
                break
            await asyncio.sleep(0.1)
        assert status == 503
        assert json.loads(body)["checks"] == {"started": True, "broker": False, "database": True}
        assert (await get(runtime, "/healthz"))[0] == 200
        nats_server.start()
        for _ in range(100):  # the client reconnects on its own and readiness comes back
            status, body = await get(runtime, "/readyz")
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
    finally:
        await runtime.stop()
        await runtime.broker.stop()


async def test_readiness_fails_when_the_database_is_unreachable(ops_settings: CommonSettings) -> None:
    """A database URL nobody answers on makes /readyz answer 503 naming the database."""
    unreachable = ops_settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/none"}
    )
    runtime = Runtime.create(unreachable, "ops-test")
    await runtime.start()
    await runtime.start_tasks()
    try:
        status, body = await get(runtime, "/readyz")
        assert status == 503
        assert json.loads(body)["checks"] == {"started": True, "broker": True, "database": False}
    finally:
        await runtime.stop()
        await runtime.broker.stop()


async def test_readiness_turns_off_when_shutdown_begins(ops_settings: CommonSettings) -> None:
    """Once shutdown begins, /readyz answers 503 so no new traffic is routed to the draining process."""
    runtime = Runtime.create(ops_settings, "ops-test")
    await runtime.start()
    await runtime.start_tasks()
    try:
        assert (await get(runtime, "/readyz"))[0] == 200
        await runtime.begin_shutdown()
        status, body = await get(runtime, "/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["not_shutting_down"] is False
    finally:
        await runtime.stop()
        await runtime.broker.stop()


def test_probe_fails_when_nothing_listens(tmp_path: Path) -> None:
    """The container health-check probe exits 1 when no endpoint answers."""
    from tests.support.ports import closed_port

    with closed_port() as port:  # held bound, never listening: no other test's server can answer there
        assert probe_main([f"http://127.0.0.1:{port}/healthz"]) == 1
