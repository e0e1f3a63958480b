"""Bring the platform and document tables in line with the catalogue (run at start, idempotent).

Declarations (names, URLs, selectors, interval) come from the YAML; schedule and health (next due time, last hash,
failures) stay in the database. A document dropped from the catalogue is deactivated, never deleted: its snapshots
and versions are evidence.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from clausewatch_fetcher.catalogue import Catalogue
from clausewatch_fetcher.schedule import initial_due
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document, Platform

_ATTEMPTS = 5


async def sync_catalogue(
    db: Database,
    catalogue: Catalogue,
    *,
    default_interval: int = 86_400,
    initial_spread: float = 0.0,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, int]:
    """Upsert platforms and documents from the catalogue; return counts of added, updated and deactivated documents.

    Safe when several replicas start at once: the loser of an insert race sees a unique-key error, and simply runs
    the (idempotent) sync again, now finding the rows the winner inserted.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return await _sync_once(db, catalogue, default_interval, initial_spread, now or utcnow(), rng)
        except (IntegrityError, OperationalError):
            if attempt == _ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


async def _sync_once(
    db: Database,
    catalogue: Catalogue,
    default_interval: int,
    initial_spread: float,
    now: datetime,
    rng: random.Random | None,
) -> dict[str, int]:
    counts = {"added": 0, "updated": 0, "deactivated": 0, "platforms": 0}
    async with db.session() as session:
        existing_platforms = {p.id: p for p in (await session.exec(select(Platform))).all()}
        for declared_platform in catalogue.platforms:
            pid = declared_platform.id
            platform = existing_platforms.get(pid) or Platform(id=pid, name=declared_platform.name)
            platform.name = declared_platform.name
            platform.website = declared_platform.website
            platform.jurisdictions = list(declared_platform.jurisdictions)
            platform.categories = list(declared_platform.categories)
            session.add(platform)
            counts["platforms"] += 1
        await session.flush()

        existing = {d.id: d for d in (await session.exec(select(Document))).all()}
        declared: set[str] = set()
        for item in catalogue.documents():
            declared.add(item.id)
            decl = item.decl
            interval = decl.interval or default_interval
            doc = existing.get(item.id)
            if doc is None:
                doc = Document(id=item.id, platform_id=item.platform.id, doc_type=decl.type, title=item.title)
                doc.next_due_at = initial_due(now, min(initial_spread, interval), rng)
                counts["added"] += 1
            else:
                counts["updated"] += 1
                if doc.next_due_at is None or doc.next_due_at > now + timedelta(seconds=interval):
                    # A shortened interval takes effect now rather than after the old, longer wait.
                    doc.next_due_at = initial_due(now, min(initial_spread, interval), rng)
            doc.platform_id = item.platform.id
            doc.doc_type = decl.type
            doc.title = item.title
            doc.urls = list(decl.urls)
            doc.language = decl.language
            doc.spec = decl.spec()
            doc.interval_seconds = interval
            doc.active = decl.active
            session.add(doc)
        for doc_id, doc in existing.items():
            # Documents added through the API are not in the catalogue files by nature; only the API removes them.
            if doc_id not in declared and doc.active and (doc.spec or {}).get("origin") != "api":
                doc.active = False
                session.add(doc)
                counts["deactivated"] += 1
    return counts
