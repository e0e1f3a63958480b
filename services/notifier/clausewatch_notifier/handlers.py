"""The notifier's event handler: an assessed, substantive change set becomes once-only Delivery rows."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import management, store
from clausewatch_notifier.alerts import AlertView
from clausewatch_notifier.plan import Recipient, plan
from clausewatch_notifier.planning import delivery_rows
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.watches import carries
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.messaging import PermanentError

log = structlog.get_logger("clausewatch.notifier")


class AssessmentHandler:
    """Plans deliveries for ChangeAssessed events; `on_planned` wakes the delivery loop so alerts go out now."""

    def __init__(
        self,
        db: Database,
        settings: NotifierSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_planned: Callable[[], None] | None = None,
    ) -> None:
        self.db, self.settings, self.clock, self.on_planned = db, settings, clock, on_planned

    async def __call__(self, event: ChangeAssessed) -> None:
        """Create the deliveries a change set calls for; a redelivered event creates none (unique keys)."""
        if not event.substantive:
            log.info("not_substantive_no_alert", change_set_id=event.change_set_id)
            return
        async with self._session() as session:
            alert = await store.load_alert(
                session,
                event.change_set_id,
                self.settings.public_base_url,
                summary=event.summary,
                escalations=event.escalations,
            )
            if alert is None:
                msg = f"change set {event.change_set_id} (or its document or platform) is not in the database"
                raise PermanentError(msg)
            recipients = await store.load_recipients(session, event.platform_id)
            planned = plan(
                recipients,
                change_set_id=event.change_set_id,
                platform_id=event.platform_id,
                severity=event.max_severity,
                clause_types=event.clause_types,
                regulations=event.regulations,
                provisions=[c.provision_key for c in alert.changes if c.provision_key],
                alternates=alert.alternates,
            )
            rows = delivery_rows(planned, alert, now=self.clock(), correlation_id=event.correlation_id)
            created = await store.insert_ignore(session, rows)
        log.info(
            "deliveries_planned", change_set_id=event.change_set_id, planned=len(planned), created=created
        )
        # After the rows are in (their own transaction: a second writer inside the planning one would make SQLite's
        # upgrade to a write fail), so a redelivered event plans against the same watch, which keeps the old key.
        await self._carry_watches(recipients, alert)
        if created and self.on_planned is not None:
            self.on_planned()

    async def _carry_watches(self, recipients: list[Recipient], alert: AlertView) -> None:
        """Carry each watch on a provision this change set removed to what took its place (decision 0174)."""
        for recipient in recipients:
            watched = recipient.filters.get("provisions")
            if not isinstance(watched, list) or not watched:
                continue
            keys = [key for carry in carries(alert.changes, watched) for key in carry.keys]
            if keys:
                added = await management.carry_watch(self.db, recipient.subscriber_id, keys)
                log.info("watch_carried", subscriber_id=recipient.subscriber_id, added=len(added))

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """A session for planning: on PostgreSQL in autocommit, since the reads share no snapshot anyway (READ
        COMMITTED gives each statement its own) and the rows go in with one atomic INSERT: no BEGIN and COMMIT round
        trips. Elsewhere (SQLite) a transaction, as before."""
        if self.db.engine.dialect.name != "postgresql":
            async with self.db.session() as session:
                yield session
            return
        async with self.db.connection() as conn, AsyncSession(bind=conn) as session:
            yield session
