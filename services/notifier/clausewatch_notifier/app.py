"""Wiring: the ChangeAssessed subscriber, the delivery loop, the digest loop and the sign-up upkeep, on a runtime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from faststream import FastStream

from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.digest import DigestWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.upkeep import SignupUpkeep
from clausewatch_shared import streams
from clausewatch_shared.clock import utcnow
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.messaging import jetstream
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import load_settings


def register(
    runtime: Runtime, settings: NotifierSettings, *, clock: Callable[[], datetime] = utcnow
) -> DeliveryWorker:
    """Attach the notifier to a runtime (connects nothing); returns the delivery worker for callers who drive it.

    `clock` is the scheduling clock (due times, digest slots); tests freeze it. Webhook signatures always use the
    wall clock.
    """
    bus = runtime.bus("notifier")
    worker = DeliveryWorker(runtime.db, settings, bus, clock=clock)
    digests = DigestWorker(
        runtime.db,
        settings,
        clock=clock,
        on_planned=worker.wake.set,
        backlog=lambda: assessments_backlog(runtime),
    )
    handler = AssessmentHandler(runtime.db, settings, clock=clock, on_planned=worker.wake.set)
    bus.subscribe(runtime.broker, streams.NOTIFIER_ASSESSMENTS, ChangeAssessed, handler)
    runtime.add_task("notifier-deliveries", worker.run)
    runtime.add_task("notifier-digests", digests.run)

    upkeep = SignupUpkeep(runtime.db, settings, clock=clock, on_queued=worker.wake.set)
    runtime.add_task("notifier-signups", upkeep.run)
    runtime.on_shutdown(worker.aclose)
    return worker


async def assessments_backlog(runtime: Runtime) -> int:
    """Return how many ChangeAssessed messages wait for (or are being handled by) the notifier's consumer."""
    js = await jetstream(runtime.broker)
    spec = streams.NOTIFIER_ASSESSMENTS
    info = await js.consumer_info(spec.stream.name, spec.durable)
    return int(info.num_pending or 0) + int(info.num_ack_pending or 0)


def create_app(settings: NotifierSettings | None = None) -> FastStream:
    """Return the notifier as a FastStream app (one service per process)."""
    settings = settings or load_settings(NotifierSettings)
    runtime = Runtime.create(settings, "notifier")
    register(runtime, settings)
    return runtime.app()
