"""Wiring: the ChangeAssessed subscriber, the delivery loop and the digest loop, on a runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog
from faststream import FastStream

from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.digest import DigestWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.management.signup import end_trials, purge_signups, remind_trials
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared import streams
from clausewatch_shared.clock import utcnow
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.messaging import jetstream
from clausewatch_shared.runtime import Runtime, stop_requested
from clausewatch_shared.settings import load_settings

log = structlog.get_logger("clausewatch.notifier")
SIGNUP_PURGE_SECONDS = 3600.0
TRIAL_CHECK_SECONDS = 300.0


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

    async def keep_signups() -> None:
        """Remind trials ending within three days and end those whose time is up, every few minutes, and delete
        sign-ups never confirmed once their links are long expired, hourly (decisions 0169, 0171)."""
        purged_at: datetime | None = None
        while not stop_requested():
            now = clock()
            try:
                reminded = await remind_trials(runtime.db, settings, now)
                ended = await end_trials(runtime.db, settings, now)
                if reminded or ended:
                    log.info("trials_kept", reminded=len(reminded), ended=len(ended))
                    worker.wake.set()
                if purged_at is None or (now - purged_at).total_seconds() >= SIGNUP_PURGE_SECONDS:
                    purged = await purge_signups(runtime.db, settings, now)
                    purged_at = now
                    if purged.subscribers or purged.confirmations:
                        log.info(
                            "signups_purged",
                            subscribers=purged.subscribers,
                            confirmations=purged.confirmations,
                        )
            except Exception:  # a database blip: the next pass tries again, nothing is lost by waiting
                log.warning("signup_upkeep_failed", exc_info=True)
            await asyncio.sleep(TRIAL_CHECK_SECONDS)

    runtime.add_task("notifier-signups", keep_signups)
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
