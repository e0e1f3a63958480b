"""The sign-up upkeep loop: trials reminded and ended every few minutes, never-confirmed sign-ups purged hourly
(decisions 0169, 0171). Each pass is the `management.signup` functions; this module only times them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from clausewatch_notifier.management.signup import end_trials, purge_signups, remind_trials
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.runtime import stop_requested

log = structlog.get_logger("clausewatch.notifier.upkeep")
TRIAL_CHECK_SECONDS = 300.0
SIGNUP_PURGE_SECONDS = 3600.0


class SignupUpkeep:
    """Runs the sign-up upkeep; `run()` loops until stopped, `run_once()` does one pass."""

    def __init__(
        self,
        db: Database,
        settings: NotifierSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.db, self.settings, self.clock, self.on_queued = db, settings, clock, on_queued
        self._purged_at: datetime | None = None

    async def run(self) -> None:
        """Pass every TRIAL_CHECK_SECONDS until stopped; a failed pass is logged and the next one tries again."""
        while not stop_requested():
            try:
                await self.run_once()
            except Exception:  # a database blip: nothing is lost by waiting for the next pass
                log.warning("signup_upkeep_failed", exc_info=True)
            await asyncio.sleep(TRIAL_CHECK_SECONDS)

    async def run_once(self) -> None:
        """Remind trials ending within three days, end those whose time is up, and purge when an hour has passed."""
        now = self.clock()
        reminded = await remind_trials(self.db, self.settings, now)
        ended = await end_trials(self.db, self.settings, now)
        if reminded or ended:
            log.info("trials_kept", reminded=len(reminded), ended=len(ended))
            if self.on_queued is not None:
                self.on_queued()  # their e-mails are in the outbox: the delivery loop need not wait for its tick
        if self._purged_at is None or (now - self._purged_at).total_seconds() >= SIGNUP_PURGE_SECONDS:
            purged = await purge_signups(self.db, self.settings, now)
            self._purged_at = now
            if purged.subscribers or purged.confirmations:
                log.info("signups_purged", subscribers=purged.subscribers, confirmations=purged.confirmations)
