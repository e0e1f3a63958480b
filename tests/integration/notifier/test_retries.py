"""Webhook retries with backoff, the delivery log, and disabling an endpoint that keeps failing."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from sqlmodel import select
from standardwebhooks import Webhook

from clausewatch_notifier import management
from clausewatch_notifier.schemas import DeliveryOut
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared import subjects
from clausewatch_shared.db import Database
from clausewatch_shared.events import AlertDelivered, AlertFailed
from clausewatch_shared.models import WebhookEndpoint
from tests.integration.notifier.conftest import make_settings, wait_for
from tests.integration.notifier.harness import published, running_notifier
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver
from tests.support.nats import NatsServer


async def test_webhook_retried_after_500s_then_delivered(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """Two HTTP 500 answers are retried with the same webhook-id and signature scheme until a 200, and the log shows all three tries."""
    await add_platform(db)
    event = await add_change_set(db)
    sub = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    before = {o: _count("webhook", o) for o in ("retried", "delivered")}
    with webhook_receiver(script=[500, 500]) as receiver:
        endpoint = await management.register_endpoint(
            db, notifier_settings, sub.subscriber.id, receiver.url()
        )
        async with running_notifier(notifier_settings) as (runtime, _):
            await runtime.bus("analyzer").publish(event)
            await wait_for(lambda: [r.answered for r in receiver.requests] == [500, 500, 200])
            await wait_for(lambda: _delivered(db, sub.subscriber.id))
            log = await _webhook_log(db, sub.subscriber.id)

    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request.body, request.headers)
    assert log.status == "delivered"
    assert log.attempts == 3
    assert [(a.attempt, a.ok, a.response_status) for a in log.history] == [
        (1, False, 500),
        (2, False, 500),
        (3, True, 200),
    ]
    # Each retry waited at least the schedule's delay less jitter (0.2 s, then 0.3 s, ±10 %).
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(log.history, log.history[1:], strict=False)]
    assert gaps[0] >= 0.18
    assert gaps[1] >= 0.27
    delivered = await published(notifier_settings.nats_url, subjects.ALERT_DELIVERED, AlertDelivered)
    assert [(e.channel, e.attempts) for e in delivered if e.channel == "webhook"] == [("webhook", 3)]
    assert _count("webhook", "retried") - before["retried"] == 2
    assert _count("webhook", "delivered") - before["delivered"] == 1


async def test_endpoint_that_keeps_failing_is_disabled_with_a_notice(
    tmp_path: Path, nats_server: NatsServer, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """After N consecutive failures the endpoint is disabled, the delivery fails with AlertFailed, and the subscriber gets an e-mail notice."""
    inbox, port = smtp
    settings = make_settings(tmp_path, nats_server.url, sqlite_url, port, disable_after_failures=3)
    db = Database(sqlite_url)
    await add_platform(db)
    event = await add_change_set(db)
    sub = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    with webhook_receiver(script=[503] * 10) as receiver:
        endpoint = await management.register_endpoint(db, settings, sub.subscriber.id, receiver.url())
        async with running_notifier(settings) as (runtime, _):
            await runtime.bus("analyzer").publish(event)
            await wait_for(lambda: len(inbox.to("legal@example.org")) >= 2)
        tries = len(receiver.requests)

    async with db.session() as s:
        stored = (await s.exec(select(WebhookEndpoint))).one()
    assert tries == 3
    assert not stored.enabled
    assert "3 consecutive failed deliveries" in (stored.disabled_reason or "")
    subjects_seen = sorted(str(m["Subject"]) for m in inbox.to("legal@example.org"))
    assert "Your clausewatch webhook endpoint was disabled" in subjects_seen
    notice = next(m for m in inbox.to("legal@example.org") if "disabled" in str(m["Subject"]))
    assert endpoint.endpoint.id in notice.get_content()  # type: ignore[attr-defined]
    failed = await published(settings.nats_url, subjects.ALERT_FAILED, AlertFailed)
    assert [(e.channel, e.attempts) for e in failed] == [("webhook", 3)]
    assert "HTTP 503" in failed[0].reason
    await db.dispose()


async def _webhook_log(db: Database, subscriber_id: str) -> DeliveryOut:
    rows = await management.list_deliveries(
        db, subscriber_id=subscriber_id, channel="webhook", with_history=True
    )
    return rows[0]


async def _delivered(db: Database, subscriber_id: str) -> bool:
    return (await _webhook_log(db, subscriber_id)).status == "delivered"


def _count(channel: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "clausewatch_deliveries_total", {"channel": channel, "outcome": outcome}
    )
    return value or 0.0
