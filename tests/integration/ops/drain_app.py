"""A one-subscriber service for the graceful-shutdown tests, run as its own process.

`python -m tests.integration.ops.drain_app NATS_URL DATABASE_URL JOURNAL DELAY [BATCH CONCURRENCY GRACE]` handles
SnapshotUnchanged events slowly (DELAY seconds each), writing `started`/`finished` lines to JOURNAL, and `closed`
from a shutdown hook. BATCH > 1 pulls that many messages at once (the fetcher's shape), CONCURRENCY handles that
many at once one by one (the other services' shape), GRACE is how long a stop waits for handlers in flight.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from clausewatch_shared import subjects
from clausewatch_shared.events import SnapshotUnchanged
from clausewatch_shared.logging import configure_logging
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import EVENTS, ConsumerSpec

SPEC = ConsumerSpec("drain-unchanged", EVENTS, subjects.SNAPSHOT_UNCHANGED, ack_wait_seconds=600)


def main() -> None:
    """Run the service until SIGTERM."""
    nats_url, database_url, journal, delay = sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
    batch, concurrency, grace = (1, 1, 30.0)
    if len(sys.argv) > 5:
        batch, concurrency, grace = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
    configure_logging("INFO", "json", service="drain")
    settings = CommonSettings(
        environment="test",
        nats_url=nats_url,
        database_url=database_url,
        shutdown_grace_seconds=grace,
    )
    runtime = Runtime.create(settings, "drain")
    bus = runtime.bus("drain")
    bus.concurrency = concurrency  # as on PostgreSQL; the test's SQLite database would force 1

    def note(line: str) -> None:
        with journal.open("a") as handle:
            handle.write(line + "\n")

    async def handler(event: SnapshotUnchanged) -> None:
        note(f"started {event.event_id}")
        await asyncio.sleep(delay)
        note(f"finished {event.event_id}")

    async def closed() -> None:
        note("closed")

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler, batch_size=batch)
    runtime.on_shutdown(closed)
    asyncio.run(runtime.app().run())


if __name__ == "__main__":
    main()
