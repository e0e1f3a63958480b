"""Catalogue sync into the tables: idempotent, keeps schedule and health, deactivates dropped documents, races safely."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from clausewatch_fetcher.catalogue import load_catalogue
from clausewatch_fetcher.sync import sync_catalogue
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document, Platform
from tests.integration.fetcher.conftest import write_catalogue

DOCS = [
    {"type": "Privacy Policy", "urls": ["https://a.example/p"], "select": ["main"], "interval": "6h"},
    {
        "type": "Terms of Service",
        "urls": ["https://a.example/t1", "https://a.example/t2"],
        "javascript": True,
    },
]


async def test_sync_upserts_keeps_health_and_deactivates_dropped_documents(
    tmp_path: Path, database_url: str
) -> None:
    """A second sync updates declarations but keeps the last hash and failures; a removed document goes inactive."""
    db = Database(database_url)
    try:
        path = write_catalogue(tmp_path / "c.yaml", DOCS)
        counts = await sync_catalogue(db, load_catalogue(path))
        assert (counts["added"], counts["updated"]) == (2, 0)
        async with db.session() as session:
            doc = await session.get(Document, "acme/privacy-policy")
            assert doc is not None
            assert doc.spec["select"] == ["main"]
            assert doc.interval_seconds == 6 * 3600
            doc.last_sha256 = "a" * 64
            doc.consecutive_failures = 2
            session.add(doc)
        write_catalogue(tmp_path / "c.yaml", [{**DOCS[0], "select": ["article"]}])
        counts = await sync_catalogue(db, load_catalogue(path))
        assert (counts["added"], counts["updated"], counts["deactivated"]) == (0, 1, 1)
        async with db.session() as session:
            doc = await session.get(Document, "acme/privacy-policy")
            terms = await session.get(Document, "acme/terms-of-service")
        assert doc is not None
        assert terms is not None
        assert doc.spec["select"] == ["article"]
        assert (doc.last_sha256, doc.consecutive_failures) == ("a" * 64, 2)
        assert terms.active is False
    finally:
        await db.dispose()


async def test_replicas_syncing_at_once_both_succeed(tmp_path: Path, database_url: str) -> None:
    """Two fetchers starting together sync the same catalogue without failing on each other's inserts."""
    path = write_catalogue(tmp_path / "c.yaml", DOCS)
    dbs = [Database(database_url), Database(database_url)]
    try:
        await asyncio.gather(*(sync_catalogue(db, load_catalogue(path)) for db in dbs))
        async with dbs[0].session() as session:
            assert len((await session.exec(select(Platform))).all()) == 1
            assert len((await session.exec(select(Document))).all()) == 2
    finally:
        for db in dbs:
            await db.dispose()
