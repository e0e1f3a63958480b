"""`clausewatch up --demo --for N` ends on SIGTERM through its shutdown, as `clausewatch up` does."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from clausewatch.demo import _sleep_unless_terminated


def test_sigterm_ends_the_demos_wait_instead_of_the_process() -> None:
    """`app.start` installs no signal handler, so SIGTERM during `--for` killed the demo before its `finally` stopped
    nats-server and the receivers (session 17). The wait now ends early and the shutdown runs."""

    async def wait_and_get_terminated() -> float:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, os.kill, os.getpid(), signal.SIGTERM)  # while the handler is installed
        started = time.monotonic()
        await _sleep_unless_terminated(30)
        return time.monotonic() - started

    before = signal.getsignal(signal.SIGTERM)
    try:
        assert asyncio.run(wait_and_get_terminated()) < 10
    finally:
        signal.signal(
            signal.SIGTERM, before
        )  # asyncio leaves SIG_DFL behind; the test runner may have its own


def test_without_a_signal_the_wait_lasts_its_duration() -> None:
    started = time.monotonic()
    asyncio.run(_sleep_unless_terminated(0.3))
    assert time.monotonic() - started >= 0.3
