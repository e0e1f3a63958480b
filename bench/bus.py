"""The event bus's own cost per message: publish, then consume with a handler that does nothing.

Every change crosses the bus five times (capture requested, snapshot captured, version recorded, change detected,
change assessed), so this is the floor each hop adds to the pipeline's CPU per change, before any service work.

    uv run python -m bench.bus --messages 2000

Prints CPU milliseconds (user + system of this process, which both publishes and consumes) per message published
and per message consumed, and the nats-server's CPU per message, with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import psutil

from clausewatch_shared import subjects
from clausewatch_shared.events import SnapshotUnchanged
from clausewatch_shared.logging import configure_logging
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import EVENTS, ConsumerSpec
from tests.support.nats import running_nats

SPEC = ConsumerSpec("bench-bus", EVENTS, subjects.SNAPSHOT_UNCHANGED)


def _event(n: int) -> SnapshotUnchanged:
    return SnapshotUnchanged(
        correlation_id=f"bench-{n}",
        document_id="bench/privacy-policy",
        platform_id="bench",
        sha256=f"{n:064x}",
        captured_at="2026-12-02T06:00:00Z",
    )


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def run(messages: int, concurrency: int) -> dict[str, float]:
    """Publish `messages` events, then consume them all; return CPU ms per message for each half."""
    me = psutil.Process()
    with tempfile.TemporaryDirectory() as tmp, running_nats(Path(tmp) / "js") as server:
        nats = psutil.Process(server.process.pid) if server.process else None
        settings = CommonSettings(
            nats_url=server.url,
            database_url=f"sqlite+aiosqlite:///{tmp}/unused.db",
            handler_concurrency=concurrency,
        )
        runtime = Runtime.create(settings, "bench")
        bus = runtime.bus("bench")
        seen = 0
        done = asyncio.Event()

        async def handler(event: SnapshotUnchanged) -> None:
            nonlocal seen
            seen += 1
            if seen >= messages:
                done.set()

        bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
        async with runtime.broker:
            await runtime.start()
            events = [_event(n) for n in range(messages)]
            nats_start = _cpu(nats) if nats else 0.0
            start = _cpu(me)
            for event in events:
                await bus.publish(event)
            published = _cpu(me)
            wall = time.perf_counter()
            await runtime.broker.start()
            await asyncio.wait_for(done.wait(), timeout=600)
            consumed = _cpu(me)
            wall = time.perf_counter() - wall
            nats_end = _cpu(nats) if nats else 0.0
            await runtime.stop()
    return {
        "publish_cpu_ms": 1000 * (published - start) / messages,
        "consume_cpu_ms": 1000 * (consumed - published) / messages,
        "consume_per_s": messages / wall,
        "nats_cpu_ms": 1000 * (nats_end - nats_start) / (2 * messages),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--concurrency", type=int, default=8, help="handlers in flight (the services' default)"
    )
    parser.add_argument("--log-level", default="WARNING", help="as the services' CLAUSEWATCH_LOG_LEVEL")
    args = parser.parse_args()
    configure_logging(args.log_level, "json", service="bench")
    figures = asyncio.run(run(args.messages, args.concurrency))
    print(
        f"bus: {args.messages} messages, concurrency {args.concurrency}: publish {figures['publish_cpu_ms']:.2f} "
        f"CPU-ms/message, consume {figures['consume_cpu_ms']:.2f} CPU-ms/message "
        f"({figures['consume_per_s']:.0f} messages/s), nats-server {figures['nats_cpu_ms']:.2f} CPU-ms per "
        f"publish or consume; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
