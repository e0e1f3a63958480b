"""Two fetcher processes on one nats-server and one database: every due slot of every document is captured once."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import col, select

from clausewatch_shared.db import Database
from clausewatch_shared.events import SnapshotCaptured, SnapshotUnchanged
from clausewatch_shared.models import FetchSlot
from tests.integration.fetcher.conftest import stream_events, write_catalogue
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.processes import START_BUDGET_SECONDS, fetcher_env, start_fetcher, stop_fetcher
from tests.integration.fetcher.site import LocalSite
from tests.support.nats import NatsServer

pytestmark = pytest.mark.integration

DOCS = ("privacy", "terms", "aup")
TYPES = {"privacy": "Privacy Policy", "terms": "Terms of Service", "aup": "Acceptable Use Policy"}
SLOTS_PER_DOC = 3


async def _wait_for_slots(database_url: str, documents: int, per_document: int) -> None:
    """Return once each of the documents has `per_document` finished slots (or the start budget is spent: the
    assertions then say what is missing).

    Per document, not a total: on a loaded machine one document's requests can wait seconds in a replica's pull
    while the others' slots go by, and a total reached early would then fail a document that was only late.
    """
    db = Database(database_url)
    deadline = asyncio.get_running_loop().time() + START_BUDGET_SECONDS
    try:
        while asyncio.get_running_loop().time() < deadline:
            try:
                async with db.session() as session:
                    finished = (
                        await session.exec(
                            select(FetchSlot.document_id).where(
                                col(FetchSlot.outcome).in_(("captured", "unchanged"))
                            )
                        )
                    ).all()
                counts = Counter(finished)
                if len(counts) >= documents and min(counts.values()) >= per_document:
                    return
            except Exception:  # tables are there, but SQLite may be busy while the replicas write
                pass
            await asyncio.sleep(0.2)
    finally:
        await db.dispose()


async def test_two_fetcher_processes_capture_each_due_slot_exactly_once(
    tmp_path: Path, site: LocalSite, nats_server: NatsServer, postgres_url: str
) -> None:
    """With two replicas scheduling and capturing, each (document, slot) is fetched once and yields one fact."""
    # Replicas share PostgreSQL in a distributed deployment; SQLite is the embedded, one-process mode.
    database_url = postgres_url
    for name in DOCS:
        site.html(f"/{name}", policy_html(TYPES[name]))
    catalogue = write_catalogue(
        tmp_path / "catalogue.yaml",
        [
            {"type": TYPES[n], "urls": [site.url(f"/{n}")], "interval": "2s", "javascript": False}
            for n in DOCS
        ],
    )
    env = fetcher_env(
        nats_server.url,
        database_url,
        tmp_path,
        catalogue,
        schedule_tick_seconds="0.1",
        jitter_fraction="0",
        log_level="INFO",  # a failure shows what each replica did with the slots
    )
    procs = [start_fetcher(env, tmp_path, tmp_path / f"fetcher-{i}.log") for i in range(2)]
    try:
        await _wait_for_slots(database_url, len(DOCS), SLOTS_PER_DOC)
    finally:
        for proc in procs:
            stop_fetcher(proc)
    logs = "\n".join((tmp_path / f"fetcher-{i}.log").read_text(errors="replace") for i in range(2))
    assert all(p.returncode in (0, -signal.SIGTERM) for p in procs), logs

    db = Database(database_url)
    try:
        async with db.session() as session:
            slots = (await session.exec(select(FetchSlot))).all()
    finally:
        await db.dispose()
    done = [s for s in slots if s.outcome in ("captured", "unchanged")]
    assert not [s for s in slots if s.outcome == "capturing"], "a capture was left half-done"
    facts = [
        e for e in await stream_events(nats_server.url) if isinstance(e, SnapshotCaptured | SnapshotUnchanged)
    ]
    done_per_doc = Counter(s.document_id for s in done)
    for name in DOCS:
        doc_id = f"acme/{TYPES[name].lower().replace(' ', '-')}"
        # Several slots went by, and each finished slot was fetched once: no replica fetched a slot the other had.
        rows = [
            (s.slot, s.outcome, s.attempts, s.worker, s.finished_at) for s in slots if s.document_id == doc_id
        ]
        assert done_per_doc[doc_id] >= SLOTS_PER_DOC, (doc_id, done_per_doc, rows, logs[-6000:])
        # Each capture started is one hit on the page; a finished slot was started exactly once. (A slot cut off by
        # the shutdown at the end may have been started and handed back: it is not finished, and it is counted.)
        doc_slots = [s for s in slots if s.document_id == doc_id]
        assert site.hits[f"/{name}"] == sum(s.attempts for s in doc_slots), (doc_id, site.hits, doc_slots)
        assert [s.attempts for s in doc_slots if s in done] == [1] * done_per_doc[doc_id], doc_slots
        doc_facts = [e for e in facts if e.document_id == doc_id]
        assert len(doc_facts) == done_per_doc[doc_id]
        assert len({e.event_id for e in doc_facts}) == len(doc_facts)
