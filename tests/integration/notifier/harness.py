"""Running the notifier for a test and reading what it published."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

import nats
from pydantic import BaseModel

from clausewatch_notifier.app import register
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.runtime import Runtime

M = TypeVar("M", bound=BaseModel)


@asynccontextmanager
async def running_notifier(
    settings: NotifierSettings, clock: Callable[[], datetime] = utcnow
) -> AsyncIterator[tuple[Runtime, DeliveryWorker]]:
    """Run the notifier (subscriber, delivery and digest loops) on a runtime for the block, then stop it."""
    runtime = Runtime.create(settings, "notifier")
    worker = register(runtime, settings, clock=clock)
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        await runtime.start_tasks()
        try:
            yield runtime, worker
        finally:
            await runtime.stop()


async def published(url: str, subject: str, model: type[M]) -> list[M]:
    """Return every event stored on a subject of the events stream."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    sub = await js.pull_subscribe(subject, durable=None, stream="CW_EVENTS")
    events: list[M] = []
    try:
        while True:
            for msg in await sub.fetch(50, timeout=0.5):
                events.append(model.model_validate_json(msg.data))
                await msg.ack()
    except (nats.errors.TimeoutError, TimeoutError):
        pass
    await nc.close()
    return events


async def consumer_idle(runtime: Runtime, handled_at_least: int) -> bool:
    """Return True once the notifier's consumer has acknowledged everything and seen that many messages."""
    js = (await runtime.broker.connect()).jetstream()
    info = await js.consumer_info("CW_EVENTS", "notifier-assessments")
    return (
        info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= handled_at_least
    )
