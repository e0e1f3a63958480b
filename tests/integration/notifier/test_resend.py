"""At least once, recognisably: an e-mail sent again after a crash carries the Message-ID of the first send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.render import message_id
from clausewatch_notifier.senders import Outcome
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery
from tests.integration.notifier.seed import add_change_set, add_follower, add_platform
from tests.integration.notifier.servers import Inbox


async def test_an_email_resent_after_a_crash_has_the_same_message_id(
    notifier_settings: NotifierSettings,
    db: Database,
    smtp: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The notifier dies after the SMTP server accepted an alert but before recording it; once the lease runs out the alert is sent again, with the same Message-ID."""
    inbox, _ = smtp
    await add_platform(db)
    event = await add_change_set(db)
    await add_follower(db, "ana@example.org")
    now = utcnow()
    await AssessmentHandler(db, notifier_settings, clock=lambda: now)(event)

    crashing = DeliveryWorker(db, notifier_settings, clock=lambda: now)

    async def die_before_recording(delivery: Delivery, outcome: Outcome) -> None:
        assert outcome.ok  # the server has the message
        raise RuntimeError("notifier killed before the delivery row was updated")

    monkeypatch.setattr(crashing, "_record", die_before_recording)
    assert await crashing.run_once() == 1
    await crashing.webhooks.aclose()

    after_lease = now + timedelta(seconds=notifier_settings.delivery_lease_seconds + 1)
    restarted = DeliveryWorker(db, notifier_settings, clock=lambda: after_lease)
    assert await restarted.run_once() == 1
    await restarted.webhooks.aclose()

    async with db.session() as s:
        delivery = (await s.exec(select(Delivery))).one()
    first, second = inbox.to("ana@example.org")
    assert first["Message-ID"] == second["Message-ID"] == message_id(delivery.id)
    assert delivery.status == "delivered"
