"""Provision-level monitoring (decision 0172), on SQLite and PostgreSQL: a compliance subscriber watching one
provision hears of the change sets touching it and of no other, and the key reaches webhook consumers too; a
watch follows a provision a rewrite replaced (decision 0174)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.errors import NotFoundError, TierError
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery, Provision
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_change_set, add_platform, add_rewrite
from tests.integration.notifier.servers import Inbox

pytestmark = pytest.mark.integration


async def test_a_watched_provision_alone_reaches_its_watcher(database_url: str, tmp_path: Path) -> None:
    """Two change sets of one platform touch two provisions; the subscriber watching the first gets one alert, the
    one following the platform without a watch gets both; the alert carries each change's provision key."""
    settings = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, 25)
    db = Database(database_url)
    try:
        await add_platform(db)
        training = await add_change_set(db, n=1, provision_key="k-training")
        retention = await add_change_set(db, n=2, provision_key="k-retention")
        async with db.session() as session:  # a provision row with the key, as the differ writes it
            session.add(
                Provision(
                    id="prov-training",
                    version_id="ver-leonardo-ai-1-b",
                    document_id="leonardo-ai/privacy-policy",
                    key="k-training",
                    ordinal=0,
                    kind="paragraph",
                    heading_path=["AI training"],
                    text="We use your prompts to train our AI models.",
                    text_sha256="3" * 64,
                )
            )
        watcher = (await management.create_subscriber(db, "watch@example.org", tier="compliance")).subscriber
        await management.follow(db, watcher.id, "leonardo-ai")
        # The page's address, as a reader pastes it: the provision's id is read from it and its key kept.
        watching = await management.watch_provision(
            db, watcher.id, "https://clausewatch.test/provisions/prov-training#history"
        )
        assert watching.filters == {"provisions": ["k-training"]}
        everything = (await management.create_subscriber(db, "all@example.org", tier="compliance")).subscriber
        await management.follow(db, everything.id, "leonardo-ai")

        handler = AssessmentHandler(db, settings)
        await handler(training)
        await handler(retention)
        async with db.session() as session:
            rows = (await session.exec(select(Delivery).where(Delivery.kind == "alert"))).all()
        got = sorted((r.target, r.change_set_id) for r in rows)
        assert got == [
            ("all@example.org", "cs-leonardo-ai-1"),
            ("all@example.org", "cs-leonardo-ai-2"),
            ("watch@example.org", "cs-leonardo-ai-1"),
        ]
        assert {r.change_set_id: r.payload["changes"][0]["provision_key"] for r in rows} == {
            "cs-leonardo-ai-1": "k-training",
            "cs-leonardo-ai-2": "k-retention",
        }

        unwatched = await management.unwatch_provision(db, watcher.id, "k-training")
        assert unwatched.filters == {}
        with pytest.raises(NotFoundError, match="no provision 'no-such-provision'"):
            await management.watch_provision(db, watcher.id, "no-such-provision")
        free = (await management.create_subscriber(db, "free@example.org")).subscriber
        with pytest.raises(TierError, match="no provision-level filters"):
            await management.watch_provision(db, free.id, "k-training")
    finally:
        await db.dispose()


async def test_a_watch_follows_a_provision_a_rewrite_replaced(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """A rewrite too large to align removes the watched provision and adds two in its place under its heading: the
    watcher gets that alert, saying where the watch went, and the next change to a successor reaches them too."""
    inbox, _ = smtp
    await add_platform(db)
    watcher = (await management.create_subscriber(db, "watch@example.org", tier="compliance")).subscriber
    await management.follow(db, watcher.id, "leonardo-ai")
    await management.set_filters(db, watcher.id, {"provisions": ["k-old"]})
    heading = ("How we use your information", "AI training")
    rewrite = await add_rewrite(
        db, 1, removed_key="k-old", added_keys=("k-new-1", "k-new-2"), heading=heading
    )
    handler = AssessmentHandler(db, notifier_settings)
    await handler(rewrite)
    await handler(rewrite)  # redelivered: nothing added twice

    subscriber = await management.get_subscriber(db, watcher.id)
    assert subscriber.filters == {"provisions": ["k-new-1", "k-new-2", "k-old"]}
    worker = DeliveryWorker(db, notifier_settings)
    assert await worker.run_once() == 1
    await worker.webhooks.aclose()
    [mail] = inbox.to("watch@example.org")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "A provision you watch, under \u201cHow we use your information \u203a AI training\u201d, was removed by this "
        "change. Your watch now also follows the 2 provisions added in its place: \u201cParagraph 1 of the "
        "rewritten section: we train our models\u2026\u201d, \u201cParagraph 2 of the rewritten section: we "
        "train our models\u2026\u201d. What you watch: https://clausewatch.test/preferences/"
    ) in " ".join(text.split())

    later = await add_change_set(db, n=2, provision_key="k-new-2")
    await handler(later)
    async with db.session() as session:
        alerted = (await session.exec(select(Delivery.change_set_id).where(Delivery.kind == "alert"))).all()
    assert sorted(alerted) == ["cs-leonardo-ai-1", "cs-leonardo-ai-2"]


async def test_a_watch_whose_provision_is_removed_with_nothing_in_its_place_is_told_it_ends(
    notifier_settings: NotifierSettings, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """Nothing was added under the heading or beside the removed provision: the watch is not carried anywhere and
    the alert says the watch of it ends there."""
    inbox, _ = smtp
    await add_platform(db)
    watcher = (await management.create_subscriber(db, "watch@example.org", tier="compliance")).subscriber
    await management.follow(db, watcher.id, "leonardo-ai")
    await management.set_filters(db, watcher.id, {"provisions": ["k-old"]})
    removal = await add_rewrite(db, 1, removed_key="k-old", added_keys=(), heading=("Retention",))
    await AssessmentHandler(db, notifier_settings)(removal)
    assert (await management.get_subscriber(db, watcher.id)).filters == {"provisions": ["k-old"]}
    worker = DeliveryWorker(db, notifier_settings)
    assert await worker.run_once() == 1
    await worker.webhooks.aclose()
    [mail] = inbox.to("watch@example.org")
    text = " ".join(mail.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    assert "under \u201cRetention\u201d, was removed by this change. Nothing added took its place" in text
