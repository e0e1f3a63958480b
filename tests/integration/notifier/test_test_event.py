"""Test events (decision 0176), on SQLite and PostgreSQL with a real webhook receiver: an endpoint's owner asks for
one, the delivery worker sends a signed ping at once, the delivery log shows the answer; a failing one is tried
once and never counts toward disabling the endpoint."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.errors import ConflictError, NotFoundError
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from clausewatch_shared.models import WebhookEndpoint
from tests.integration.notifier.servers import Inbox, webhook_receiver

pytestmark = pytest.mark.integration


async def run_worker(db: Database, settings: NotifierSettings) -> int:
    worker = DeliveryWorker(db, settings)
    try:
        return await worker.run_once()
    finally:
        await worker.webhooks.aclose()


async def test_a_test_event_is_signed_sent_once_and_logged(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """The receiver gets a CloudEvent of type org.clausewatch.ping.v1 that verifies with the endpoint's secret; the
    delivery log holds the try with the receiver's status; no alert e-mail or event goes anywhere."""
    inbox, _ = smtp
    sub = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    with webhook_receiver() as receiver:
        endpoint = await management.register_endpoint(
            db, notifier_settings, sub.subscriber.id, receiver.url()
        )
        queued = await management.send_test_event(db, endpoint.endpoint.id, subscriber_id=sub.subscriber.id)
        assert (queued.kind, queued.channel, queued.status) == ("ping", "webhook", "pending")
        assert await run_worker(db, notifier_settings) == 1
    [request] = receiver.requests
    event = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert event["type"] == "org.clausewatch.ping.v1"
    assert event["id"] == queued.id == request.headers["webhook-id"]
    assert event["data"]["endpoint_id"] == endpoint.endpoint.id
    assert "your endpoint is ready" in event["data"]["message"]
    logged = await management.get_delivery(db, queued.id)
    assert logged.status == "delivered"
    assert [(a.ok, a.response_status) for a in logged.history] == [(True, 200)]
    assert inbox.messages == []


@pytest.mark.parametrize("answer", [500, 410])
async def test_a_failing_test_event_is_not_retried_and_does_not_disable_the_endpoint(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int], answer: int
) -> None:
    """A 500 (retried for an alert) or a 410 fails the test at once, with the answer in the log; the endpoint's run
    of failures does not move, however many tests fail."""
    sub = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    settings = notifier_settings.model_copy(update={"disable_after_failures": 2})
    with webhook_receiver(script=[answer] * 3) as receiver:
        endpoint = await management.register_endpoint(db, settings, sub.subscriber.id, receiver.url())
        ids = [
            (await management.send_test_event(db, endpoint.endpoint.id, subscriber_id=sub.subscriber.id)).id
            for _ in range(3)
        ]
        assert await run_worker(db, settings) == 3
    assert [r.answered for r in receiver.requests] == [answer] * 3
    for delivery_id in ids:
        logged = await management.get_delivery(db, delivery_id)
        assert logged.status == "failed"
        assert logged.next_attempt_at is None
        assert [a.response_status for a in logged.history] == [answer]
    async with db.session() as session:
        row = await session.get(WebhookEndpoint, endpoint.endpoint.id)
    assert row is not None
    assert row.enabled
    assert row.consecutive_failures == 0


async def test_only_the_owner_tests_an_enabled_endpoint(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """Another subscriber's endpoint is not found for them; a disabled endpoint is refused until enabled."""
    owner = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    other = await management.create_subscriber(db, "other@example.org", tier="compliance")
    with webhook_receiver() as receiver:
        endpoint = await management.register_endpoint(
            db, notifier_settings, owner.subscriber.id, receiver.url()
        )
        with pytest.raises(NotFoundError):
            await management.send_test_event(db, endpoint.endpoint.id, subscriber_id=other.subscriber.id)
        await management.set_endpoint_enabled(db, endpoint.endpoint.id, False)
        with pytest.raises(ConflictError, match=r"is disabled .*: enable it, then test it"):
            await management.send_test_event(db, endpoint.endpoint.id)
        await management.set_endpoint_enabled(db, endpoint.endpoint.id, True)
        queued = await management.send_test_event(db, endpoint.endpoint.id)
        assert await run_worker(db, notifier_settings) == 1
    assert (await management.get_delivery(db, queued.id)).status == "delivered"
    assert json.loads(receiver.requests[0].body)["type"] == "org.clausewatch.ping.v1"
