"""Provision-level monitoring (decision 0172), on SQLite and PostgreSQL: a compliance subscriber watching one
provision hears of the change sets touching it and of no other, and the key reaches webhook consumers too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from clausewatch_notifier import management
from clausewatch_notifier.errors import NotFoundError, TierError
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery, Provision
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_change_set, add_platform

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
