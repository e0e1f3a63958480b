"""The running notifier keeps sign-ups (decisions 0169, 0171): on its first pass a trial whose time is up ends and its
e-mail goes out through the SMTP server, and a sign-up never confirmed, long expired, is deleted. SQLite and
PostgreSQL, a real nats-server and SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import Subscriber
from tests.integration.notifier.conftest import wait_for
from tests.integration.notifier.harness import running_notifier
from tests.integration.notifier.seed import add_platform
from tests.integration.notifier.servers import Inbox

pytestmark = pytest.mark.integration


async def test_the_running_notifier_ends_trials_and_purges_old_sign_ups(
    db: Database, notifier_settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """Started with a trial ended a minute ago and a sign-up never confirmed for three weeks, the notifier sends the
    trial's end notice and leaves the old sign-up deleted, without any event to trigger it."""
    inbox, _ = smtp
    now = utcnow()
    await add_platform(db)
    created = await management.create_subscriber(db, "trial@example.org", tier="monitor")
    await management.follow(db, created.subscriber.id, "leonardo-ai")
    async with db.session() as session:
        row = await session.get(Subscriber, created.subscriber.id)
        assert row is not None
        row.trial_started_at, row.trial_ends_at = (
            now - timedelta(days=14, minutes=1),
            now - timedelta(minutes=1),
        )
        session.add(row)
    await management.request_signup(db, notifier_settings, "stale@example.org", now=now - timedelta(days=21))
    sender = DeliveryWorker(db, notifier_settings)  # its confirmation went out three weeks ago, as they do
    await sender.run_once()
    await sender.aclose()
    assert inbox.to("stale@example.org")

    async def emails() -> set[str]:
        async with db.session() as session:
            return set((await session.exec(select(Subscriber.email))).all())

    async def purged() -> bool:
        return await emails() == {"trial@example.org"}

    async with running_notifier(notifier_settings):
        await wait_for(lambda: bool(inbox.to("trial@example.org")), timeout=20)
        # The pass purges after it queues the trial's notice, and the delivery loop may send the notice first: stopping
        # the notifier as soon as the e-mail arrives could cut the pass short (a red CI run, session 31).
        await wait_for(purged, timeout=20)
    notice = inbox.to("trial@example.org")[-1]
    assert notice["Subject"] == "Your clausewatch monitor trial has ended"
    after = await management.get_subscriber(db, created.subscriber.id)
    assert (after.tier, after.platforms, after.trial_ends_at) == ("free", ["leonardo-ai"], None)
    assert await emails() == {"trial@example.org"}
