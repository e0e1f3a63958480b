"""Graceful shutdown of a real service process: SIGTERM drains the message in flight before resources close."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import nats
import pytest

from clausewatch_shared.events import SnapshotUnchanged
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from tests.integration.ops.drain_app import SPEC

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


async def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll until predicate() is true (the deadline only bounds a failing test)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_sigterm_drains_the_message_in_flight(settings: CommonSettings, tmp_path: Path) -> None:
    """A service told to stop mid-message finishes and acks it, then closes its resources, and nothing is redelivered."""
    runtime = Runtime.create(settings, "publisher")
    await runtime.start()
    event = SnapshotUnchanged(
        correlation_id="corr-drain",
        document_id="acme/privacy-policy",
        platform_id="acme",
        sha256="a" * 64,
        captured_at="2026-11-22T06:00:00Z",  # type: ignore[arg-type]
    )
    await runtime.bus("publisher").publish(event)
    journal = tmp_path / "journal.txt"
    journal.touch()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.ops.drain_app",
        settings.nats_url,
        settings.database_url,
        str(journal),
        "2",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_for(lambda: "started" in journal.read_text())
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        stdout, stderr = out.decode(), err.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr
    assert journal.read_text().split("\n") == [
        f"started {event.event_id}",
        f"finished {event.event_id}",
        "closed",
        "",
    ]
    nc = await nats.connect(settings.nats_url)
    info = await nc.jetstream().consumer_info(SPEC.stream.name, SPEC.durable)
    await nc.close()
    assert (info.num_ack_pending, info.num_pending, info.num_redelivered) == (0, 0, 0)
    handled = [
        json.loads(line) for line in stderr.splitlines() if line.startswith("{") and '"handled"' in line
    ]
    assert [(h["correlation_id"], h["event_id"], h["service"]) for h in handled] == [
        ("corr-drain", event.event_id, "drain")
    ]
    # JSON logging means every line, the libraries' too: log shippers parse each line of a container's output.
    assert stdout == ""
    assert all(isinstance(json.loads(line), dict) for line in stderr.splitlines()), stderr
    await runtime.stop()
    await runtime.broker.stop()
