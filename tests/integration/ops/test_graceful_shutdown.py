"""Graceful shutdown of a real service process: SIGTERM drains the message in flight before resources close."""

from __future__ import annotations

import asyncio
import contextlib
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
    code, stdout, stderr = await sigterm_drain_app(settings, journal, ["2"], started=1)
    assert code == 0, stderr
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


async def sigterm_drain_app(
    settings: CommonSettings, journal: Path, args: list[str], *, started: int
) -> tuple[int, str, str]:
    """Run drain_app with `args`, SIGTERM it once `started` handlers began; return its code, stdout and stderr."""
    journal.write_text("")  # noqa: ASYNC240  # an empty file, before the process starts
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.ops.drain_app",
        settings.nats_url,
        settings.database_url,
        str(journal),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_for(lambda: journal.read_text().count("started") >= started)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def unchanged_event(n: int) -> SnapshotUnchanged:
    """The n-th event of a burst, for one document each."""
    return SnapshotUnchanged(
        correlation_id=f"corr-{n}",
        document_id=f"acme/doc-{n}",
        platform_id="acme",
        sha256="b" * 64,
        captured_at="2026-11-22T06:00:00Z",  # type: ignore[arg-type]
    )


async def stop_mid_burst(
    settings: CommonSettings,
    journal: Path,
    *,
    delay: float,
    batch: int,
    concurrency: int,
    grace: float,
    started: int,
) -> tuple[int, str]:
    """Run drain_app on a burst of 12 events, SIGTERM it once `started` handlers began; return its code and stderr."""
    runtime = Runtime.create(settings, "publisher")
    await runtime.start()
    bus = runtime.bus("publisher")
    for n in range(BURST):
        await bus.publish(unchanged_event(n))
    await runtime.stop()
    await runtime.broker.stop()
    code, _, stderr = await sigterm_drain_app(
        settings, journal, [str(delay), str(batch), str(concurrency), str(grace)], started=started
    )
    return code, stderr


async def taken_by_another_replica(settings: CommonSettings, expected: int) -> list[tuple[str, int]]:
    """Pull what the consumer hands out now, as a second replica would: (document, delivery count) per message.

    Waits a few seconds at most, far below the consumer's ack_wait (600 s): a message the stopped service held
    without answering is not handed out again before that, so it is missing here.
    """
    nc = await nats.connect(settings.nats_url)
    subscription = await nc.jetstream().pull_subscribe_bind(SPEC.durable, SPEC.stream.name)
    taken: list[tuple[str, int]] = []
    deadline = asyncio.get_running_loop().time() + 5
    while len(taken) < expected and asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(nats.errors.TimeoutError):
            for msg in await subscription.fetch(expected - len(taken), timeout=1):
                taken.append((json.loads(msg.data)["document_id"], msg.metadata.num_delivered))
                await msg.ack()
    await nc.close()
    return taken


BURST = 12


@pytest.mark.parametrize(
    ("batch", "concurrency"), [(4, 1), (1, 4)], ids=["pulled-in-batches", "handled-concurrently"]
)
async def test_a_stop_mid_burst_hands_back_everything_it_did_not_finish(
    settings: CommonSettings, tmp_path: Path, batch: int, concurrency: int
) -> None:
    """A service stopped while it holds more messages than it is handling finishes what it started and hands the rest back at once, rather than leaving them to the consumer's ack_wait (600 s here)."""
    journal = tmp_path / "journal.txt"
    code, stderr = await stop_mid_burst(
        settings, journal, delay=0.5, batch=batch, concurrency=concurrency, grace=30, started=2
    )
    assert code == 0, stderr
    lines = journal.read_text().split()
    finished = lines.count("finished")
    assert lines.count("started") == finished  # nothing cut short: the grace outlasts every handler
    assert 1 <= finished < BURST
    taken = await taken_by_another_replica(settings, BURST - finished)
    assert len(taken) == BURST - finished, stderr
    done = {line.split()[1] for line in journal.read_text().splitlines() if line.startswith("finished")}
    assert len(done) == finished  # each handled once, and none of them handed out again


@pytest.mark.parametrize(
    ("batch", "concurrency", "least"),
    # Four pulled at once and all started; or two workers started and at least one more pulled, waiting for them.
    [(4, 1, 4), (1, 2, 3)],
    ids=["pulled-in-batches", "queued-behind-workers"],
)
async def test_handlers_outlasting_the_grace_are_cut_short_and_what_they_held_handed_back(
    settings: CommonSettings, tmp_path: Path, batch: int, concurrency: int, least: int
) -> None:
    """Handlers still running when the stop's grace runs out are cancelled, messages waiting for a worker are not
    started, and each is handed back: another consumer takes every message at once, not after the ack_wait (600 s
    here)."""
    journal = tmp_path / "journal.txt"
    started = batch * concurrency
    code, stderr = await stop_mid_burst(
        settings, journal, delay=300, batch=batch, concurrency=concurrency, grace=1, started=started
    )
    assert code == 0, stderr
    lines = journal.read_text().split()
    assert (lines.count("started"), lines.count("finished")) == (started, 0)
    taken = await taken_by_another_replica(settings, BURST)
    assert len(taken) == BURST, stderr
    handed_back = stderr.count('"handed_back"')
    assert handed_back >= least, stderr
    # What it held comes back as second deliveries; what it never pulled as first ones.
    assert sorted(count for _, count in taken) == [1] * (BURST - handed_back) + [2] * handed_back
    assert "CancelledError" not in stderr, stderr  # a hand-back is not logged as the handler's error
