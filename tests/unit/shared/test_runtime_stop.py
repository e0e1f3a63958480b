"""Stopping the runtime's background tasks: a lost cancel() does not hang the stop, a deliberate drain is not cut."""

from __future__ import annotations

import asyncio
import sys

import pytest

from clausewatch_shared import runtime
from clausewatch_shared.runtime import finish_within, stop_requested, stop_task


@pytest.fixture(autouse=True)
def quick_recancel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel again every 10 ms instead of every 2 s, so the tests are quick."""
    monkeypatch.setattr(runtime, "_RECANCEL_SECONDS", 0.01)


async def test_a_loop_whose_cancel_wait_for_swallowed_is_still_stopped() -> None:
    """A loop that misses its cancel (asyncio.wait_for on Python 3.11 returns the result when its future completes in the same turn) is cancelled again until it ends."""
    loop = asyncio.get_running_loop()
    waiting: asyncio.Queue[asyncio.Future[None]] = asyncio.Queue()
    rounds = 0

    async def poller() -> None:
        nonlocal rounds
        while True:  # no stop_requested() check: the runtime alone must stop it
            reply: asyncio.Future[None] = loop.create_future()
            await waiting.put(reply)
            await asyncio.wait_for(reply, timeout=10)
            rounds += 1

    task = asyncio.create_task(poller())
    reply = await waiting.get()
    reply.set_result(None)  # the reply and the stop arrive in the same loop turn
    async with asyncio.timeout(30):  # a hang fails the test instead of stalling the suite
        await stop_task(task)

    assert task.cancelled()
    if sys.version_info < (3, 12):
        assert (
            rounds == 1
        )  # the first cancel was swallowed and the loop went round again: the bug this covers


async def test_a_loop_that_checks_stop_requested_ends_after_a_swallowed_cancel() -> None:
    """stop_requested() is True once cancel() was called, even if the CancelledError never reached the loop."""
    seen: list[bool] = []
    swallowed = asyncio.Event()

    async def loop_body() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            swallowed.set()  # as a library might
        for _ in range(100):  # a loop doing its rounds, checking for a stop each time
            if stop_requested():
                seen.append(True)
                return
            await asyncio.sleep(0)

    task = asyncio.create_task(loop_body())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task})
    assert swallowed.is_set()
    assert seen == [True]
    assert not task.cancelled()


async def test_finish_within_lets_work_in_flight_complete_through_repeated_cancels() -> None:
    """A drain started on stop lets its work finish even while stop_task keeps cancelling the draining task."""
    release = asyncio.Event()
    finished: list[str] = []

    async def send() -> None:
        await release.wait()
        finished.append("recorded")

    async def worker() -> None:
        current = asyncio.ensure_future(send())
        try:
            await asyncio.shield(current)
        except asyncio.CancelledError:
            await finish_within(current, seconds=30)
            raise

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(stop_task(task))
    for _ in range(5):  # several re-cancels land during the drain
        await asyncio.sleep(0.02)
    assert not task.done()
    release.set()
    await stopping

    assert finished == ["recorded"]
    assert task.cancelled()


async def test_finish_within_cancels_work_that_outlives_its_bound() -> None:
    """Work still running when the drain's bound passes is cancelled, so a stop cannot wait forever."""
    never = asyncio.ensure_future(asyncio.Event().wait())
    await finish_within(never, seconds=0.01)
    assert never.cancelled()
