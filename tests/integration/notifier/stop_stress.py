"""Start and stop the notifier many times with a busy digest loop and count the stops that hang (not a test).

`uv run python -m tests.integration.notifier.stop_stress N [both|runtime-only|single-cancel]`

With a 1 ms digest tick nearly every stop meets a JetStream request in flight, the case where Python 3.11's
`asyncio.wait_for` loses a cancel. `single-cancel` puts back the runtime's old stop (one cancel, then await) and
takes out the loops' `stop_requested()` checks, to show the hang; `runtime-only` keeps the runtime's re-cancel but
not the loop checks; `both` is the code as it is. A stop that takes over 15 s counts as hung and ends the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import structlog

import clausewatch_notifier.delivery
import clausewatch_notifier.digest
from clausewatch_shared.migrations import upgrade
from clausewatch_shared.runtime import Runtime
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.harness import running_notifier
from tests.support.nats import running_nats

HUNG_AFTER_S = 15.0


async def _single_cancel(self: Runtime) -> None:
    """The runtime's stop before the fix: one cancel() per task, then wait for it however long it takes."""
    for task in self._running:
        task.cancel()
    for task in self._running:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    self._running.clear()


async def stress(tmp: Path, database_url: str, stops: int, mode: str) -> list[float]:
    """Return each stop's seconds; on a hung stop, print it and leave the process at once."""
    with running_nats(tmp / "jetstream") as nats:
        settings = make_settings(tmp, nats.url, database_url, 1, digest_tick_seconds=0.001)
        seconds: list[float] = []
        for i in range(1, stops + 1):
            running = running_notifier(settings)
            await running.__aenter__()
            await asyncio.sleep(random.uniform(0.05, 0.3))
            started = time.monotonic()
            stopping = asyncio.ensure_future(running.__aexit__(None, None, None))
            done, _ = await asyncio.wait({stopping}, timeout=HUNG_AFTER_S)
            if not done:
                print(f"RESULT mode={mode} hung_at_stop={i}", flush=True)
                os._exit(1)  # the hung stop's task is still pending: asyncio.run would wait for it too
            seconds.append(time.monotonic() - started)
        return seconds


def main() -> None:
    """Run the stress loop and print one RESULT line."""
    stops, mode = int(sys.argv[1]), (sys.argv[2] if len(sys.argv) > 2 else "both")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if mode == "single-cancel":
        Runtime._cancel_tasks = _single_cancel
    if mode in ("single-cancel", "runtime-only"):
        clausewatch_notifier.digest.stop_requested = lambda: False
        clausewatch_notifier.delivery.stop_requested = lambda: False
    tmp = Path(tempfile.mkdtemp())
    database_url = f"sqlite+aiosqlite:///{tmp / 'clausewatch.db'}"
    upgrade(database_url)
    result = sorted(asyncio.run(stress(tmp, database_url, stops, mode)))
    print(
        f"RESULT mode={mode} stops={stops} hangs=0 "
        f"median_s={result[len(result) // 2]:.3f} max_s={result[-1]:.3f}"
    )


if __name__ == "__main__":
    main()
