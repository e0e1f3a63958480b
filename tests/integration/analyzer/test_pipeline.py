"""The analyzer against a real nats-server and a migrated database: events in, rows and ChangeAssessed out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import nats.js.errors
import pytest
from nats.js import JetStreamContext
from sqlmodel import select

from clausewatch_analyzer.app import register
from clausewatch_analyzer.settings import AnalyzerSettings
from clausewatch_shared import subjects
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.models import ChangeAssessment, ProvisionAssessment
from clausewatch_shared.runtime import Runtime
from tests.integration.analyzer.seeding import seed
from tests.support.nats import NatsServer

pytestmark = pytest.mark.integration


def _settings(nats_server: NatsServer, database_url: str, tmp_path: Path) -> AnalyzerSettings:
    return AnalyzerSettings(
        environment="test",
        nats_url=nats_server.url,
        database_url=database_url,
        blob_dir=tmp_path / "blobs",
        retry_backoff_seconds=0.05,
        max_deliveries=3,
    )


async def _settled(js: JetStreamContext, durable: str, timeout: float = 30.0) -> None:
    """Wait until the analyzer's consumer has acked everything it was given (no pending, none in flight)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            info = await js.consumer_info("CW_EVENTS", durable)
            if info.num_pending == 0 and info.num_ack_pending == 0:
                return
        except nats.js.errors.NotFoundError:
            pass
        await asyncio.sleep(0.05)
    msg = f"consumer {durable} did not settle"
    raise AssertionError(msg)


async def _assessed(js: JetStreamContext, wait: float = 10.0) -> list[ChangeAssessed]:
    """Read every ChangeAssessed stored in the stream, waiting up to `wait` seconds for the first.

    The wait: once in a fresh-clone CI run under full load (session 21) the stream's subject count read 0 just after
    the consumers settled, while the analyzer's log showed the change set handled and its event published.
    """
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        info = await js.stream_info("CW_EVENTS", subjects_filter=subjects.CHANGE_ASSESSED)
        count = (info.state.subjects or {}).get(subjects.CHANGE_ASSESSED, 0)
        if count or asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.05)
    if not count:
        return []
    sub = await js.pull_subscribe(subjects.CHANGE_ASSESSED, durable="test-assessed", stream="CW_EVENTS")
    found: list[ChangeAssessed] = []
    while len(found) < count:
        for msg in await sub.fetch(count - len(found), timeout=5):
            found.append(ChangeAssessed.model_validate_json(msg.data))
            await msg.ack()
    return found


async def _run_until(runtime: Runtime, publish: list[object], url: str) -> list[ChangeAssessed]:
    """Start the runtime, publish the events, wait for the analyzer to settle, return what it published."""
    bus = runtime.bus("differ-test")
    nc = await nats.connect(url)
    js = nc.jetstream()
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        for event in publish:
            await bus.publish(event)  # type: ignore[arg-type]
        await _settled(js, "analyzer-changes")
        await _settled(js, "analyzer-versions")
        found = await _assessed(js)
    await runtime.stop()
    await nc.close()
    return found


async def test_change_detected_is_assessed_and_published(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    """ChangeDetected leads to provision and change assessment rows and one ChangeAssessed with the escalation."""
    settings = _settings(nats_server, database_url, tmp_path)
    db = Database(database_url)
    seeded = await seed(db, platform_jurisdictions=["EU", "US"])
    runtime = Runtime.create(settings, "analyzer")
    register(runtime, settings)
    found = await _run_until(runtime, [seeded.version_recorded, seeded.change_detected], settings.nats_url)

    assert len(found) == 1
    event = found[0]
    assert event.change_set_id == "cs-1"
    assert event.max_severity == "high"
    assert "ai_training_on_user_content" in event.clause_types
    assert {"gdpr", "ccpa_cpra"} <= set(event.regulations)
    assert event.escalations == 1
    assert "escalated" in event.summary
    async with db.session() as s:
        provisions = (await s.exec(select(ProvisionAssessment))).all()
        changes = {c.change_id: c for c in (await s.exec(select(ChangeAssessment))).all()}
    assert len(provisions) == 5  # 2 provisions of v1 and 3 of v2, each once
    training = next(p for p in provisions if p.provision_id == "v2-p0")
    assert training.primary_clause_type == "ai_training_on_user_content"
    assert training.severity == "high"
    assert [o["value"] for o in training.opt_outs] == ["privacy@leonardo.ai"]
    assert training.texts["history"]["changes"] == 1
    # Only this platform has the clause type so far: unique, 0 of the 2 platforms seeded.
    assert training.texts["rarity"]["text"] == "Unique · 0 of 2 platforms"
    assert training.texts["platform_activity"]["changes_last_30_days"] == 1
    modified = changes["ch-1"]
    assert modified.severity_after == "high"
    assert modified.escalation == "escalated"
    assert "opt-out" in modified.description
    assert "escalated from" in modified.description
    assert changes["ch-2"].severity_before is None
    assert "data_retention" in changes["ch-2"].clause_types
    # Every law a change touches has its details (and name) recorded, whichever side it came from.
    for assessment in changes.values():
        assert set(assessment.regulations) <= {d["id"] for d in assessment.texts["regulation_details"]}
    await db.dispose()


async def test_redelivered_change_detected_publishes_once(
    nats_server: NatsServer, sqlite_url: str, tmp_path: Path
) -> None:
    """The same ChangeDetected handled twice (distinct message ids) writes each row once and one ChangeAssessed."""
    settings = _settings(nats_server, sqlite_url, tmp_path)
    db = Database(sqlite_url)
    seeded = await seed(db)
    again = seeded.change_detected.model_copy(update={"event_id": "another-delivery"})
    runtime = Runtime.create(settings, "analyzer")
    register(runtime, settings)
    found = await _run_until(runtime, [seeded.change_detected, again], settings.nats_url)
    assert len(found) == 1
    async with db.session() as s:
        assert len((await s.exec(select(ChangeAssessment))).all()) == 2
        assert len((await s.exec(select(ProvisionAssessment))).all()) == 5
    await db.dispose()
