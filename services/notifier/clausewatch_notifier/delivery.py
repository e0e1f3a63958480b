"""The delivery loop: claims due deliveries, sends each on its channel, logs the try and decides what comes next.

State lives in the Delivery row (status, attempts, next_attempt_at), so a crash at any point loses nothing: a
claimed row whose sender died becomes due again when its lease runs out, and a row is marked delivered only after
its channel accepted it. Events (AlertDelivered / AlertFailed) carry ids derived from the delivery and its try, so
publishing twice stores once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import render, store
from clausewatch_notifier.alerts import AlertView, preferences_link, unsubscribe_link
from clausewatch_notifier.metrics import ALERT_LATENCY
from clausewatch_notifier.outcomes import Verdict, judge
from clausewatch_notifier.plan import ACCOUNT_KINDS, CONFIRMATION, NOTICE, PING, email_delivery
from clausewatch_notifier.senders import AppriseSender, EmailSender, Outcome, WebhookSender, redact_url
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.signups import without_link_tokens
from clausewatch_notifier.webhook import (
    PING_MESSAGE,
    PING_TYPE,
    cloudevent_body,
    live_secrets,
    signed_headers,
)
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import AlertDelivered, AlertFailed
from clausewatch_shared.ids import derived_id
from clausewatch_shared.messaging import Bus
from clausewatch_shared.metrics import DELIVERIES
from clausewatch_shared.models import Delivery, Subscriber, WebhookEndpoint
from clausewatch_shared.runtime import finish_within, stop_requested

log = structlog.get_logger("clausewatch.notifier.delivery")
Clock = Callable[[], datetime]
CONCURRENCY = 8


class DeliveryWorker:
    """Sends due deliveries; `run()` loops until cancelled, `run_once()` does one pass (tests call it)."""

    def __init__(
        self,
        db: Database,
        settings: NotifierSettings,
        bus: Bus | None = None,
        *,
        clock: Clock = utcnow,
        email: EmailSender | None = None,
        webhooks: WebhookSender | None = None,
        chat: AppriseSender | None = None,
    ) -> None:
        self.db, self.settings, self.bus, self.clock = db, settings, bus, clock
        self.email = email or EmailSender(settings)
        self.webhooks = webhooks or WebhookSender(settings)
        self.chat = chat or AppriseSender(settings)
        self.wake = asyncio.Event()
        # The loop's own connection for claims (autocommit), kept between ticks: see `_claim`.
        self._claims_conn: AsyncConnection | None = None
        self._keep_claims_conn = False

    async def run(self) -> None:
        """Deliver until stopped: a pass, then sleep until woken (a new alert) or the tick."""
        self._keep_claims_conn = True
        try:
            await self._loop()
        finally:
            self._keep_claims_conn = False
            await self._drop_claims_conn()

    async def _loop(self) -> None:
        while not stop_requested():
            self.wake.clear()
            current = asyncio.ensure_future(self.run_once())
            try:
                sent = await asyncio.shield(current)
            except asyncio.CancelledError:
                # Stopping: let the pass in flight finish (bounded), so a message the channel already accepted
                # is recorded as delivered instead of being sent again when its lease runs out.
                await finish_within(current, self.settings.delivery_drain_seconds)
                raise
            if sent:
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancel that lands as `wake` is set.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.delivery_tick_seconds):
                    await self.wake.wait()

    async def run_once(self) -> int:
        """Claim and send the deliveries due now; return how many were tried."""
        claimed, subscribers, endpoints = await self._claim()
        if not claimed:
            return 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(delivery: Delivery) -> None:
            async with gate:
                try:
                    await self.deliver(
                        delivery, subscribers.get(delivery.subscriber_id), endpoints.get(delivery.target)
                    )
                except Exception:
                    # The row stays `sending` until its lease runs out, then is tried again.
                    log.exception("delivery_crashed", delivery_id=delivery.id)

        await asyncio.gather(*(one(d) for d in claimed))
        return len(claimed)

    async def _claim(self) -> tuple[list[Delivery], dict[str, Any], dict[str, Any]]:
        """Claim the due deliveries and read their subscribers and endpoints, on a connection in autocommit.

        Autocommit: the claim is one atomic statement on PostgreSQL and the reads need no snapshot, so no BEGIN and
        COMMIT round trips. While `run()` loops, the connection is kept between ticks (no pool checkout, reset and
        isolation switch per tick: an idle tick is one statement). Any error drops it; a kept connection the server
        closed meanwhile (a restart) is replaced once at once, as the pool's ping on checkout would have done.
        """
        conn, self._claims_conn = self._claims_conn, None
        kept = conn is not None
        while True:
            if conn is None:
                conn = await self.db.autocommit_connection()
            try:
                claimed = await store.claim_due(
                    conn, self.clock(), self.settings.delivery_lease_seconds, self.settings.delivery_batch
                )
                subscribers, endpoints = await store.send_context(conn, claimed) if claimed else ({}, {})
            except BaseException as exc:
                await store.discard(conn)
                if kept and isinstance(exc, DBAPIError) and exc.connection_invalidated:
                    conn, kept = None, False
                    continue
                raise
            break
        if self._keep_claims_conn and self._claims_conn is None:
            self._claims_conn = conn
        else:
            await conn.close()
        return claimed, subscribers, endpoints

    async def aclose(self) -> None:
        """Close the senders' connections (HTTP pool, SMTP connections kept open) and the loop's claim connection."""
        await self.webhooks.aclose()
        await self.email.aclose()
        await self._drop_claims_conn()

    async def _drop_claims_conn(self) -> None:
        conn, self._claims_conn = self._claims_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def deliver(self, delivery: Delivery, subscriber: Any | None, endpoint: Any | None) -> None:
        """Send one claimed delivery (as the claim returned it) and record what happened.

        `subscriber` and `endpoint` are their rows as `store.send_context` read them (None if gone).
        """
        # A sign-up's confirmation goes to a subscriber not active yet: proving the address is what activates them.
        if subscriber is None or not (subscriber.active or delivery.kind == CONFIRMATION):
            await self._close(delivery, "cancelled", "subscriber unsubscribed")
            return
        if delivery.channel in ("webhook", "apprise") and (endpoint is None or not endpoint.enabled):
            await self._close(delivery, "skipped", "endpoint disabled or removed")
            return
        outcome = await self._send(delivery, subscriber, endpoint)
        await self._record(delivery, outcome)

    async def _send(self, delivery: Delivery, subscriber: Any, endpoint: Any | None) -> Outcome:
        unsubscribe = unsubscribe_link(self.settings.public_base_url, subscriber.unsubscribe_token)
        if delivery.channel == "email":
            manage = preferences_link(self.settings.public_base_url, subscriber.unsubscribe_token)
            watched = (subscriber.filters or {}).get("provisions") or ()
            rendered = self._render_email(delivery, subscriber.tier, unsubscribe, manage, watched)
            message = render.build_message(
                rendered,
                sender=self.settings.smtp_from,
                to=subscriber.email,
                unsubscribe_url=unsubscribe,
                message_key=delivery.id,
            )
            return await self.email.send(message)
        assert endpoint is not None
        if delivery.kind == PING:
            return await self._send_ping(delivery, endpoint)
        alert = AlertView.model_validate(delivery.payload)
        if delivery.channel == "apprise":
            rendered = render.render_alert(alert, tier=subscriber.tier, unsubscribe_url=unsubscribe)
            return await self.chat.send(endpoint.url, rendered.subject, f"{alert.summary}\n{alert.link}")
        body = cloudevent_body(
            event_id=delivery.id,
            subject=alert.document_id,
            time=alert.detected_at,
            data=alert.model_dump(mode="json"),
        )
        return await self._post_signed(endpoint, delivery.id, body)

    async def _post_signed(self, endpoint: Any, event_id: str, body: bytes) -> Outcome:
        """POST a CloudEvent body to a webhook, signed with each of the endpoint's live secrets."""
        # The signature's timestamp is the wall clock, never a test's frozen clock: receivers check freshness.
        now = utcnow()
        headers = signed_headers(event_id, body, live_secrets(endpoint.secrets, now), now)
        return await self.webhooks.send(endpoint.url, body, headers)

    async def _send_ping(self, delivery: Delivery, endpoint: Any) -> Outcome:
        """Send the test event an endpoint's owner asked for (decision 0176)."""
        if delivery.channel == "apprise":
            return await self.chat.send(endpoint.url, "clausewatch test message", PING_MESSAGE)
        body = cloudevent_body(
            event_id=delivery.id,
            subject=endpoint.id,
            time=utcnow(),
            data={"message": PING_MESSAGE, "endpoint_id": endpoint.id},
            event_type=PING_TYPE,
        )
        return await self._post_signed(endpoint, delivery.id, body)

    @staticmethod
    def _render_email(
        delivery: Delivery, tier: str, unsubscribe: str, manage: str, watched: Collection[str] = ()
    ) -> render.Rendered:
        payload: dict[str, Any] = delivery.payload
        if delivery.kind == "digest":
            alerts = [AlertView.model_validate(a) for a in payload.get("alerts", [])]
            return render.render_digest(
                alerts, period=payload["period"], tier=tier, unsubscribe_url=unsubscribe, manage_url=manage
            )
        if delivery.kind in ACCOUNT_KINDS:
            return render.Rendered(payload["subject"], payload["text"], payload.get("html"))
        return render.render_alert(
            AlertView.model_validate(payload),
            tier=tier,
            unsubscribe_url=unsubscribe,
            manage_url=manage,
            watched=watched,
        )

    async def _close(self, delivery: Delivery, status: str, reason: str) -> None:
        async with self.db.connection() as conn:
            await store.close(conn, delivery.id, status, reason)
        await self._forget_link_token(delivery)

    async def _forget_link_token(self, delivery: Delivery) -> None:
        """Take a sign-up link's token out of a confirmation whose delivery is over (decision 0180).

        A separate write after the delivery's own: a crash between them leaves the token until the link expires,
        which is where it stood before.
        """
        if delivery.kind != CONFIRMATION:
            return
        async with self.db.connection() as conn:
            await store.set_payload(conn, delivery.id, without_link_tokens(delivery.payload))

    async def _record(self, delivery: Delivery, outcome: Outcome) -> None:
        """Log the try, move the delivery on, and disable an endpoint that keeps failing (with a notice).

        `delivery` is the row as claimed: it is ours under the lease, so it is updated without reading it again.
        """
        now = self.clock()
        # A failed test event says nothing about the alerts: it does not count toward disabling the endpoint.
        webhook = delivery.channel == "webhook" and (outcome.ok or delivery.kind != PING)
        if self.db.engine.dialect.name == "postgresql" and (outcome.ok or not webhook):
            # The verdict needs nothing from the database (only a failed webhook's endpoint run does): one
            # statement in autocommit.
            verdict = self._judge(delivery, outcome, now, failures=None)
            async with self.db.connection() as conn:
                await store.record_try_at_once(
                    conn, delivery, _attempt_row(delivery, outcome, now), reset_endpoint=webhook
                )
        else:
            # Core statements in one transaction (the ORM's flush of the claimed row cost more than the writes).
            async with self.db.engine.begin() as conn:
                failures: int | None = None
                if webhook:
                    failures = await store.count_endpoint_result(conn, delivery.target, ok=outcome.ok)
                verdict = self._judge(delivery, outcome, now, failures=failures)
                await store.record_try(conn, delivery, _attempt_row(delivery, outcome, now))
                if verdict.disable_endpoint:
                    # Rare: the ORM, in the same transaction.
                    async with AsyncSession(bind=conn, expire_on_commit=False) as session:
                        endpoint = await session.get(WebhookEndpoint, delivery.target)
                        if endpoint is not None:
                            await self._disable(session, endpoint, delivery.subscriber_id, outcome, now)
                        await session.flush()
        if verdict.status != "pending":
            await self._forget_link_token(delivery)
        event = self._event(delivery, outcome)
        outcome_label = {"delivered": "delivered", "pending": "retried"}.get(verdict.status, "failed")
        DELIVERIES.labels(delivery.channel, outcome_label).inc()
        if outcome.ok and delivery.kind == "alert":
            ALERT_LATENCY.labels(delivery.channel).observe(
                max((now - delivery.created_at).total_seconds(), 0.0)
            )
        if self.bus is not None and event is not None:
            try:
                await self.bus.publish(event)
            except Exception:
                # The database is the record; the event is a notification of it. Log and carry on.
                log.warning("alert_event_not_published", delivery_id=delivery.id, exc_info=True)
        log.info(
            "delivery_tried",
            delivery_id=delivery.id,
            channel=delivery.channel,
            destination=outcome.destination,
            ok=outcome.ok,
            status=verdict.status,
            attempt=delivery.attempts,
            http_status=outcome.status,
        )

    def _judge(self, delivery: Delivery, outcome: Outcome, now: datetime, *, failures: int | None) -> Verdict:
        """Count the try on `delivery` and move it to its next state (what `record_try` then writes)."""
        s = self.settings
        delivery.attempts += 1
        verdict = judge(
            ok=outcome.ok,
            # A test event is tried once: its owner is waiting for the answer, not for a retry hours later.
            retryable=outcome.retryable and delivery.kind != PING,
            attempts_made=delivery.attempts,
            now=now,
            schedule=s.retry_schedule_seconds,
            max_attempts=s.attempts_allowed,
            jitter=s.retry_jitter,
            endpoint_failures=failures,
            disable_after=s.disable_after_failures,
        )
        delivery.status = verdict.status
        delivery.next_attempt_at = verdict.next_attempt_at
        delivery.response_status = outcome.status
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.delivered_at = now
        return verdict

    async def _disable(
        self, session: Any, endpoint: WebhookEndpoint, subscriber_id: str, outcome: Outcome, now: datetime
    ) -> None:
        reason = (
            f"{endpoint.consecutive_failures} consecutive failed deliveries; last: {outcome.error or 'error'}"
        )
        endpoint.enabled = False
        endpoint.disabled_reason = reason[:2000]
        endpoint.disabled_at = now
        session.add(endpoint)
        subscriber = await session.get(Subscriber, subscriber_id)
        if subscriber is None:
            return
        rendered = render.render_endpoint_disabled(
            endpoint_id=endpoint.id,
            host=redact_url(endpoint.url),
            reason=reason,
            unsubscribe_url=unsubscribe_link(self.settings.public_base_url, subscriber.unsubscribe_token),
        )
        key = f"endpoint-disabled:{endpoint.id}:{now.isoformat()}"
        payload = {"subject": rendered.subject, "text": rendered.text, "endpoint_id": endpoint.id}
        notice = email_delivery(subscriber.id, subscriber.email, key, NOTICE, payload, now)
        await store.insert_ignore(session, [notice])
        log.warning("endpoint_disabled", endpoint_id=endpoint.id, destination=redact_url(endpoint.url))

    @staticmethod
    def _event(delivery: Delivery, outcome: Outcome) -> AlertDelivered | AlertFailed | None:
        if delivery.kind in (*ACCOUNT_KINDS, PING) or delivery.channel not in ("email", "webhook", "apprise"):
            return None
        common: dict[str, Any] = {
            "correlation_id": delivery.correlation_id or delivery.id,
            "delivery_id": delivery.id,
            "subscriber_id": delivery.subscriber_id,
            "change_set_id": delivery.change_set_id,
            "channel": delivery.channel,
            "attempts": delivery.attempts,
        }
        if delivery.status == "delivered":
            return AlertDelivered(
                event_id=derived_id("alert-delivered", delivery.id, delivery.replays, delivery.attempts),
                **common,
            )
        if delivery.status == "failed":
            return AlertFailed(
                event_id=derived_id("alert-failed", delivery.id, delivery.replays, delivery.attempts),
                reason=(outcome.error or "failed")[:2000],
                **common,
            )
        return None


def _attempt_row(delivery: Delivery, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The DeliveryAttempt row of a try (`delivery.attempts` already counts it)."""
    return {
        "delivery_id": delivery.id,
        "attempt": delivery.attempts,
        "at": now,
        "destination": outcome.destination,
        "ok": outcome.ok,
        "response_status": outcome.status,
        "error": outcome.error[:4000] if outcome.error else None,
        "duration_ms": outcome.duration_ms,
    }
