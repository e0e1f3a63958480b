"""The analyzer's use cases on a real database: concurrent assessments of one version share a single run."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import func, select

from clausewatch_analyzer import repository, service
from clausewatch_analyzer.engine import build_engine
from clausewatch_shared.db import Database
from clausewatch_shared.models import ProvisionAssessment
from tests.integration.analyzer.seeding import seed


async def test_concurrent_assessments_of_a_version_run_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two handlers assessing the same version at once insert its rows in one run, and both get its outcome."""
    db = Database(sqlite_url)
    await seed(db)
    engine = build_engine(use_model=False)
    inserts: list[int] = []
    insert = repository.insert_provision_assessments

    async def counting_insert(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> int:
        inserts.append(len(rows))
        return await insert(conn, rows)

    monkeypatch.setattr(repository, "insert_provision_assessments", counting_insert)
    first, second = await asyncio.gather(
        service.assess_version(db, engine, "v2"), service.assess_version(db, engine, "v2")
    )
    assert first == second
    assert (first.provisions, first.created) == (3, 3)
    assert inserts == [3]
    third = await service.assess_version(db, engine, "v2")  # the run is over: a later call checks again
    assert (third.provisions, third.created) == (3, 0)
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(ProvisionAssessment))).one() == 3
    await db.dispose()
