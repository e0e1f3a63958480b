"""The notifier as its own process would run it: `create_app(settings)` (what `clausewatch run notifier` starts)."""

from __future__ import annotations

from clausewatch_notifier import management
from clausewatch_notifier.app import create_app
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from clausewatch_shared.runtime import Runtime
from tests.integration.notifier.conftest import wait_for
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox


async def test_create_app_consumes_assessments_and_delivers(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """The FastStream app from create_app subscribes to ChangeAssessed and runs the delivery loop until stopped."""
    inbox, _ = smtp
    await add_platform(db)
    event = await add_change_set(db)
    sub = (await management.create_subscriber(db, "ana@example.org", tier="monitor")).subscriber
    await management.follow(db, sub.id, "leonardo-ai")
    app = create_app(notifier_settings)
    await app.start()
    try:
        publisher = Runtime.create(notifier_settings, "analyzer")
        await publisher.start()
        await publisher.bus("analyzer").publish(event)
        await publisher.broker.stop()
        await wait_for(lambda: len(inbox.messages) == 1)
    finally:
        await app.stop()
    assert inbox.messages[0]["To"] == "ana@example.org"
