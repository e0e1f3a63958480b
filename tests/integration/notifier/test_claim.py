"""Claiming due deliveries: replicas claiming at once never share a row, and an expired lease makes a row due again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from clausewatch_notifier import store
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from tests.integration.notifier.seed import add_change_set, add_follower, add_platform

SUBSCRIBERS = 6


async def _claim(db: Database, now: datetime) -> list[str]:
    async with db.session() as session:
        return [d.id for d in await store.claim_due(session, now, lease_seconds=60, limit=50)]


async def test_concurrent_claims_split_the_due_deliveries_and_leases_expire(
    notifier_settings: NotifierSettings, db: Database
) -> None:
    """Two replicas claiming at the same moment get disjoint sets that together hold every due delivery; once the lease runs out the rows are due again."""
    await add_platform(db)
    event = await add_change_set(db)
    for i in range(SUBSCRIBERS):
        await add_follower(db, f"reader{i}@example.org")
    await AssessmentHandler(db, notifier_settings)(event)
    now = utcnow()

    first, second = await asyncio.gather(_claim(db, now), _claim(db, now))

    assert not set(first) & set(second)
    assert len(first) + len(second) == SUBSCRIBERS
    assert await _claim(db, now) == []  # leased: not due
    assert len(await _claim(db, now + timedelta(seconds=61))) == SUBSCRIBERS  # lease over: due again
