"""A one-subscriber service for the graceful-shutdown test, run as its own process.

`python -m tests.integration.ops.drain_app NATS_URL DATABASE_URL JOURNAL DELAY` handles SnapshotUnchanged events
slowly, writing `started`/`finished` lines to JOURNAL, and `closed` from a shutdown hook.
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

SPEC = ConsumerSpec("drain-unchanged", EVENTS, subjects.SNAPSHOT_UNCHANGED, ack_wait_seconds=60)


def main() -> None:
    """Run the service until SIGTERM."""
    nats_url, database_url, journal, delay = sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
    configure_logging("INFO", "json", service="drain")
    settings = CommonSettings(environment="test", nats_url=nats_url, database_url=database_url)
    runtime = Runtime.create(settings, "drain")
    bus = runtime.bus("drain")

    def note(line: str) -> None:
        with journal.open("a") as handle:
            handle.write(line + "\n")

    async def handler(event: SnapshotUnchanged) -> None:
        note(f"started {event.event_id}")
        await asyncio.sleep(delay)
        note(f"finished {event.event_id}")

    async def closed() -> None:
        note("closed")

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    runtime.on_shutdown(closed)
    asyncio.run(runtime.app().run())


if __name__ == "__main__":
    main()
