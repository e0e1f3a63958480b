"""Same-day alerts end to end: ChangeAssessed on a real nats-server becomes an e-mail and a signed webhook, once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

from sqlmodel import select
from standardwebhooks import Webhook

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared import subjects
from clausewatch_shared.db import Database
from clausewatch_shared.events import AlertDelivered
from clausewatch_shared.models import Delivery
from tests.integration.notifier.conftest import wait_for
from tests.integration.notifier.harness import consumer_idle, published, running_notifier
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver


async def test_same_day_alert_reaches_email_and_signed_webhook_once(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """A substantive ChangeAssessed gives a monitor subscriber one e-mail and a compliance webhook one signed CloudEvent, even when the event comes again."""
    inbox, _ = smtp
    await add_platform(db)
    event = await add_change_set(db)
    monitor = await management.create_subscriber(db, "ana@example.org", tier="monitor")
    await management.follow(db, monitor.subscriber.id, "leonardo-ai")
    compliance = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    with webhook_receiver() as receiver:
        endpoint = await management.register_endpoint(
            db, notifier_settings, compliance.subscriber.id, receiver.url()
        )
        async with running_notifier(notifier_settings) as (runtime, worker):
            bus = runtime.bus("analyzer")
            await bus.publish(event)
            await wait_for(lambda: len(inbox.messages) >= 2 and len(receiver.requests) >= 1)
            # The analyzer runs again and publishes the same assessment under a new event id: nothing new goes out.
            await bus.publish(event.model_copy(update={"event_id": "another-event-id"}))
            await wait_for(lambda: consumer_idle(runtime, 2))
            assert await worker.run_once() == 0

        assert len(inbox.to("ana@example.org")) == 1
        assert len(inbox.to("legal@example.org")) == 1
        assert len(receiver.requests) == 1

    mail = inbox.to("ana@example.org")[0]
    assert mail["Subject"].startswith("[HIGH] Leonardo AI · Privacy Policy")
    assert mail["List-Unsubscribe"] == f"<https://clausewatch.test/unsubscribe/{monitor.unsubscribe_token}>"
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<del" in html
    assert "<ins" in html
    assert "generated images to train our AI models" in html
    assert "[-may use your prompts to improve our services.-]" in text
    assert "https://clausewatch.test/changes/cs-leonardo-ai-1" in text
    # The laws and clause types by the names the analyzer recorded, not their ids ("gdpr art 6").
    assert "Regulations: EU AI Act, GDPR" in text
    assert "Clause types: AI model training on user content and prompts" in text
    # Each e-mail links the subscriber's preferences page, on the token its unsubscribe link carries.
    manage = f"https://clausewatch.test/preferences/{monitor.unsubscribe_token}"
    assert f"Manage your subscription: {manage}" in text
    assert f'href="{manage}"' in html

    request = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(
        request.body, request.headers
    )  # raises if the signature is wrong
    assert request.headers["content-type"].startswith("application/cloudevents+json")
    assert payload["specversion"] == "1.0"
    assert payload["type"] == "org.clausewatch.change.assessed.v1"
    assert payload["id"] == request.headers["webhook-id"]
    assert payload["subject"] == "leonardo-ai/privacy-policy"
    assert payload["data"]["severity"] == "high"
    assert payload["data"]["changes"][0]["kind"] == "modified"
    assert payload["data"]["link"] == "https://clausewatch.test/changes/cs-leonardo-ai-1"
    assert json.loads(request.body)["data"]["regulations"] == ["eu-ai-act", "gdpr-art-6"]
    assert payload["data"]["names"]["gdpr-art-6"] == "GDPR"

    events = await published(notifier_settings.nats_url, subjects.ALERT_DELIVERED, AlertDelivered)
    assert sorted(e.channel for e in events) == ["email", "email", "webhook"]
    async with db.session() as s:
        rows = (await s.exec(select(Delivery))).all()
    assert sorted((r.channel, r.status) for r in rows) == [
        ("email", "delivered"),
        ("email", "delivered"),
        ("webhook", "delivered"),
    ]


async def test_chat_channel_through_apprise(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """A watcher's Apprise URL (here Apprise's generic JSON target) receives the alert's title and link; the listing hides the URL's path."""
    await add_platform(db)
    event = await add_change_set(db)
    sub = (await management.create_subscriber(db, "ana@example.org", tier="watcher")).subscriber
    await management.follow(db, sub.id, "leonardo-ai")
    with webhook_receiver() as chat:
        url = f"json://127.0.0.1:{chat.port}/room?token=s3cret"
        await management.register_endpoint(db, notifier_settings, sub.id, url, kind="apprise")
        await AssessmentHandler(db, notifier_settings)(event)
        worker = DeliveryWorker(db, notifier_settings)
        await worker.run_once()
        await worker.webhooks.aclose()
    assert len(chat.requests) == 1
    message = json.loads(chat.requests[0].body)
    assert message["title"].startswith("[HIGH] Leonardo AI")
    assert "https://clausewatch.test/changes/cs-leonardo-ai-1" in message["message"]
    listed = await management.list_endpoints(db, sub.id)
    assert "s3cret" not in listed[0].url
    log = await management.list_deliveries(db, subscriber_id=sub.id, channel="apprise", with_history=True)
    assert log[0].status == "delivered"
    assert log[0].history[0].destination == "apprise:json"


async def _alert_of(
    settings: NotifierSettings, db: Database, inbox: Inbox, **seed: Any
) -> tuple[EmailMessage, dict[str, Any]]:
    """Deliver the alert of one seeded change set to a compliance subscriber; return its e-mail and webhook body."""
    await add_platform(db)
    event = await add_change_set(db, **seed)
    sub = (await management.create_subscriber(db, "legal@example.org", tier="compliance")).subscriber
    await management.follow(db, sub.id, "leonardo-ai")
    with webhook_receiver() as receiver:
        endpoint = await management.register_endpoint(db, settings, sub.id, receiver.url())
        await AssessmentHandler(db, settings)(event)
        worker = DeliveryWorker(db, settings)
        await worker.run_once()
        await worker.webhooks.aclose()
        await wait_for(lambda: len(inbox.messages) >= 1)
    payload: dict[str, Any] = Webhook(endpoint.secret).verify(
        receiver.requests[0].body, receiver.requests[0].headers
    )
    return inbox.to("legal@example.org")[0], payload


async def test_an_alert_says_when_the_page_went_back_to_an_earlier_text(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """A change set restoring a version recorded on 9 January 2023 (Bumble's, decision 0156): the subject and the
    e-mail say so, and the webhook carries the restored version and when it was recorded."""
    restored = datetime(2023, 1, 9, 12, 32, tzinfo=UTC)
    mail, payload = await _alert_of(notifier_settings, db, smtp[0], restores_at=restored)
    assert mail["Subject"].startswith("[HIGH] Leonardo AI · Privacy Policy (back to its 09 Jan 2023 text): ")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Back to its text of 09 Jan 2023, word for word: these changes undo what changed since." in text
    assert payload["data"]["restores_version_id"] == "ver-leonardo-ai-1-0"
    assert payload["data"]["restores_recorded_at"].startswith("2023-01-09T12:32")
    assert payload["data"]["announces_effective_date"] is None


async def test_an_alert_says_when_the_version_announces_a_coming_one(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """A change set whose version announces a new one effective 28 July 2025 (X's notice period, decision 0157): the
    e-mail's subject and first lines say so, and the webhook carries the date."""
    mail, payload = await _alert_of(notifier_settings, db, smtp[0], announces=date(2025, 7, 28))
    assert "(announces a version effective 28 Jul 2025)" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Announces a new version effective 28 Jul 2025" in text
    assert payload["data"]["announces_effective_date"] == "2025-07-28"
    assert payload["data"]["restores_version_id"] is None


async def test_an_alert_says_when_an_announced_version_is_in_force(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """The first version in force under one announced for 28 July 2025 (decision 0157): the subject says so and the
    webhook carries the date."""
    mail, payload = await _alert_of(notifier_settings, db, smtp[0], takes_effect=date(2025, 7, 28))
    assert "(the version announced for 28 Jul 2025 in force)" in mail["Subject"]
    assert payload["data"]["takes_effect_date"] == "2025-07-28"
    assert payload["data"]["announces_effective_date"] is None
