"""Replaying webhooks: one event, a time range, a new endpoint; secrets rotated in between; redelivered events."""

from __future__ import annotations

from datetime import timedelta

from standardwebhooks import Webhook

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared import streams
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.runtime import Runtime
from tests.integration.notifier.conftest import wait_for
from tests.integration.notifier.harness import consumer_idle, running_notifier
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver


async def test_replay_one_event_a_range_and_to_a_new_endpoint(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """Replay resends one change set with its original webhook-id, then a time range signed with old and new secrets, then fills in a new endpoint."""
    now = utcnow()
    await add_platform(db)
    first = await add_change_set(db, n=1, at=now - timedelta(hours=2))
    second = await add_change_set(db, n=2, at=now - timedelta(hours=1))
    sub = (await management.create_subscriber(db, "legal@example.org", tier="compliance")).subscriber
    with webhook_receiver() as receiver, webhook_receiver() as late_receiver:
        endpoint = await management.register_endpoint(db, notifier_settings, sub.id, receiver.url())
        async with running_notifier(notifier_settings) as (runtime, worker):
            for event in (first, second):
                await runtime.bus("analyzer").publish(event)
            await wait_for(lambda: len(receiver.requests) == 2)
            original = {_subject_of(r.body): r.headers["webhook-id"] for r in receiver.requests}

            one = await management.replay(db, notifier_settings, sub.id, change_set_id="cs-leonardo-ai-1")
            assert len(one.requeued) == 1
            assert one.created == []
            worker.wake.set()
            await wait_for(lambda: len(receiver.requests) == 3)
            assert receiver.requests[2].headers["webhook-id"] == original["cs-leonardo-ai-1"]

            rotated = await management.rotate_secret(db, notifier_settings, endpoint.endpoint.id)
            assert rotated.endpoint.secrets_live == 2
            in_range = await management.replay(
                db, notifier_settings, sub.id, since=now - timedelta(minutes=90)
            )
            assert len(in_range.requeued) == 1  # only the second change was assessed in the range
            worker.wake.set()
            await wait_for(lambda: len(receiver.requests) == 4)

            late = await management.register_endpoint(db, notifier_settings, sub.id, late_receiver.url())
            filled = await management.replay(
                db, notifier_settings, sub.id, since=now - timedelta(hours=3), endpoint_id=late.endpoint.id
            )
            assert len(filled.created) == 2
            worker.wake.set()
            await wait_for(lambda: len(late_receiver.requests) == 2)

    replayed = receiver.requests[3]
    assert replayed.headers["webhook-id"] == original["cs-leonardo-ai-2"]
    for secret in (endpoint.secret, rotated.secret):
        Webhook(secret).verify(replayed.body, replayed.headers)
    for request in late_receiver.requests:
        Webhook(late.secret).verify(request.body, request.headers)
    log = await management.list_deliveries(db, subscriber_id=sub.id, channel="webhook", with_history=True)
    by_target = sorted(
        (d.target == endpoint.endpoint.id, d.change_set_id, d.replays, len(d.history)) for d in log
    )
    assert by_target == [
        (False, "cs-leonardo-ai-1", 0, 1),
        (False, "cs-leonardo-ai-2", 0, 1),
        (True, "cs-leonardo-ai-1", 1, 2),
        (True, "cs-leonardo-ai-2", 1, 2),
    ]


def _subject_of(body: bytes) -> str:
    import json

    return str(json.loads(body)["data"]["change_set_id"])


async def test_redelivered_event_after_a_crash_sends_once(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """When the handler dies after writing its deliveries, JetStream redelivers the event and no second alert is planned or sent."""
    inbox, _ = smtp
    await add_platform(db)
    event = await add_change_set(db)
    sub = (await management.create_subscriber(db, "ana@example.org", tier="watcher")).subscriber
    await management.follow(db, sub.id, "leonardo-ai")

    runtime = Runtime.create(notifier_settings, "notifier")
    worker = DeliveryWorker(runtime.db, notifier_settings)
    real = AssessmentHandler(runtime.db, notifier_settings, on_planned=worker.wake.set)
    calls: list[str] = []

    async def crashes_once(received: ChangeAssessed) -> None:
        calls.append(received.event_id)
        await real(received)
        if len(calls) == 1:
            raise ConnectionError("process killed before ack")

    runtime.bus("notifier").subscribe(
        runtime.broker, streams.NOTIFIER_ASSESSMENTS, ChangeAssessed, crashes_once
    )
    runtime.add_task("deliveries", worker.run)
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        await runtime.start_tasks()
        await runtime.bus("analyzer").publish(event)
        await wait_for(lambda: len(calls) == 2 and len(inbox.messages) == 1)
        await wait_for(lambda: consumer_idle(runtime, 1))
        assert await worker.run_once() == 0
        await runtime.stop()
    assert calls == [event.event_id, event.event_id]
    assert len(inbox.messages) == 1
    log = await management.list_deliveries(db, subscriber_id=sub.id)
    assert [(d.channel, d.status) for d in log] == [("email", "delivered")]


async def test_unsubscribed_subscribers_get_nothing(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """After the one-click unsubscribe, an alert planned for the subscriber is cancelled instead of sent."""
    inbox, _ = smtp
    await add_platform(db)
    event = await add_change_set(db)
    created = await management.create_subscriber(db, "ana@example.org", tier="watcher")
    await management.follow(db, created.subscriber.id, "leonardo-ai")
    await AssessmentHandler(db, notifier_settings)(event)
    assert await management.unsubscribe(db, created.unsubscribe_token)
    assert not await management.unsubscribe(db, "not-a-token")
    worker = DeliveryWorker(db, notifier_settings)
    await worker.run_once()
    await worker.webhooks.aclose()
    assert inbox.messages == []
    log = await management.list_deliveries(db, subscriber_id=created.subscriber.id)
    assert [(d.status, d.last_error) for d in log] == [("cancelled", "subscriber unsubscribed")]
    assert await management.authenticate(db, created.api_key) is None
