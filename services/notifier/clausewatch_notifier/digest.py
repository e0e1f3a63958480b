"""The digest loop: at each weekly-tier subscriber's local slot, gather their queued items into one e-mail; a
same-day subscriber gets one too in a week that kept a change from their alerts (decision 0162).

Once: a DigestRun row unique per (subscriber, ISO week) is inserted in the same transaction that marks the items
`digested` and creates the digest delivery, so two replicas or a restart cannot send a week twice. Nothing missed:
items wait as `queued` until a digest takes them, whenever that is, and a slot that passed while the notifier was
down is run as soon as it is back (the latest passed slot is always checked).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from sqlmodel import col, or_, select

from clausewatch_notifier import store
from clausewatch_notifier.plan import email_delivery
from clausewatch_notifier.schedule import ScheduleError, due_digest
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.tiers import TIERS
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery, DigestRun, Subscriber
from clausewatch_shared.runtime import stop_requested

log = structlog.get_logger("clausewatch.notifier.digest")
MAX_BACKLOG_WAITS = 10
DIGEST_TIERS = tuple(name for name, tier in TIERS.items() if not tier.same_day)
# Same-day subscribers get a digest too in a week that kept a change from their alerts: a page going back and forth
# between texts (decision 0162).
_HOLDING_ITEMS = select(Delivery.subscriber_id).where(
    Delivery.kind == "digest_item",
    Delivery.status == "queued",
)


class DigestWorker:
    """Runs due weekly digests; `run()` loops, `run_once()` does one pass and returns the digests created."""

    def __init__(
        self,
        db: Database,
        settings: NotifierSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_planned: Callable[[], None] | None = None,
        backlog: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.db, self.settings, self.clock, self.on_planned = db, settings, clock, on_planned
        self.backlog = backlog

    async def run(self) -> None:
        """Check for due digests every tick until stopped; after a restart, first let the event backlog drain."""
        waited = 0
        # The backlog check is a JetStream request, which can swallow the stop's cancel: hence the explicit check.
        while not stop_requested():
            # Assessments published while the notifier was down must become digest items before a missed digest
            # is caught up, or they would slip to next week. Bounded, so constant traffic cannot starve digests.
            if self.backlog is not None and waited < MAX_BACKLOG_WAITS and await self._backlog() > 0:
                waited += 1
            else:
                waited = 0
                await self.run_once()
            await asyncio.sleep(self.settings.digest_tick_seconds)

    async def _backlog(self) -> int:
        assert self.backlog is not None
        try:
            return await self.backlog()
        except Exception:
            log.warning("backlog_unknown", exc_info=True)
            return 0

    async def run_once(self) -> list[str]:
        """Create every digest due now; return the periods created as 'subscriber:period'."""
        now = self.clock()
        async with self.db.session() as session:
            subscribers = (
                await session.exec(
                    select(Subscriber).where(
                        Subscriber.active == True,  # noqa: E712
                        or_(col(Subscriber.tier).in_(DIGEST_TIERS), col(Subscriber.id).in_(_HOLDING_ITEMS)),
                    )
                )
            ).all()
        created: list[str] = []
        for subscriber in subscribers:
            try:
                period = await self._one(subscriber.id, now)
            except ScheduleError as exc:
                log.warning("digest_schedule_invalid", subscriber_id=subscriber.id, error=str(exc))
                continue
            if period:
                created.append(f"{subscriber.id}:{period}")
        if created and self.on_planned is not None:
            self.on_planned()
        return created

    async def _one(self, subscriber_id: str, now: datetime) -> str | None:
        async with self.db.session() as session:
            subscriber = await session.get(Subscriber, subscriber_id)
            if subscriber is None:
                return None
            done = set(
                (
                    await session.exec(
                        select(DigestRun.period).where(DigestRun.subscriber_id == subscriber_id)
                    )
                ).all()
            )
            due = due_digest(
                now,
                tz_name=subscriber.timezone,
                weekday=subscriber.digest_weekday,
                hour=subscriber.digest_hour,
                subscribed_since=subscriber.created_at,
                done=done,
            )
            if due is None:
                return None
            period, slot = due
            items = (
                await session.exec(
                    select(Delivery)
                    .where(
                        Delivery.subscriber_id == subscriber_id,
                        Delivery.kind == "digest_item",
                        Delivery.status == "queued",
                    )
                    .order_by(col(Delivery.created_at))
                )
            ).all()
            if not items and subscriber.tier not in DIGEST_TIERS:
                return None  # a same-day subscriber's digest holds only what was kept from the day's alerts
            previous = (
                await session.exec(
                    select(DigestRun.window_end)
                    .where(DigestRun.subscriber_id == subscriber_id)
                    .order_by(col(DigestRun.window_end).desc())
                    .limit(1)
                )
            ).first()
            run = DigestRun(
                subscriber_id=subscriber_id,
                period=period,
                status="sent" if items else "empty",
                change_count=len(items),
                window_start=previous or subscriber.created_at,
                window_end=now,
                scheduled_for=slot,
            )
            if not await store.insert_ignore(session, [run]):
                return None  # another replica took this week
            if items:
                key = f"digest:{period}"
                payload = {"period": period, "alerts": [i.payload for i in items]}
                session.add(email_delivery(subscriber_id, subscriber.email, key, "digest", payload, now))
                for item in items:
                    item.status = "digested"
                    item.delivered_at = now
                    item.last_error = None
                    item.payload = {**item.payload, "digest_period": period}
                    session.add(item)
        log.info("digest_planned", subscriber_id=subscriber_id, period=period, items=len(items))
        return period
