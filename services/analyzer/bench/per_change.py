"""CPU the analyzer spends per change set: a new version assessed, then its change set, on a real PostgreSQL.

Run: `uv run python services/analyzer/bench/per_change.py [--docs 50] [--versions 4] [--extra 0]` (about a minute).
It creates a database for the run at 127.0.0.1:5432 ($CLAUSEWATCH_TEST_POSTGRES_URL names the admin database),
migrates it and, round by round, records each document's next version as the differ would (`plan_version` and
`store.save` on the pipeline bench's policy pages, plus `--extra` real privacy-policy paragraphs per document from
the unit tests' OTA segments, most of them unchanged from version to version). Version 1 is assessed unmeasured
(it warms the engine's memo, as in `bench.pipeline`); then, for every later version of every document, it calls
`service.assess_version` and `service.assess_change_set` (what the VersionRecorded and ChangeDetected handlers
do, one after the other) and prints the process CPU per change set (time.process_time, every thread) and the SQL
statements per change set. `--dump FILE` writes every stored assessment (but created_at) and every ChangeAssessed
event (but occurred_at) as JSON, to check that two trees store and publish the same; `--profile FILE` writes a
cProfile of the measured rounds (its CPU figure then includes the profiler).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import structlog
from sqlalchemy import Text, cast, event, select

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clausewatch_analyzer import service
from clausewatch_analyzer.engine import build_engine
from clausewatch_differ.extract import html_to_markdown
from clausewatch_differ.plan import Previous, plan_version
from clausewatch_differ.store import save
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed, ChangeCounts, ChangeDetected
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.models import ChangeAssessment, Document, Platform, ProvisionAssessment, Snapshot
from tests.integration.faults.rig import policy_page

ADMIN_PG = os.environ.get("CLAUSEWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SEGMENTS = Path(__file__).resolve().parents[3] / "tests/unit/analyzer/data/privacy_segments.jsonl"
# Fixed within a day, so two runs on the same day store the same histories (months monitored, last seen...).
BASE = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)


def _page(doc: int, version: int, extra: list[str]) -> str:
    """The document's text at `version`: the pipeline bench's page with `extra` paragraphs inserted after it."""
    text = html_to_markdown(policy_page(f"bench{doc}/privacy-policy", version).decode())
    if not extra:
        return text
    # The same paragraphs every version (a policy's next version repeats almost all of its provisions).
    return text + "\n\n## More\n\n" + "\n\n".join(extra)


async def _seed_catalogue(db: Database, docs: int) -> None:
    async with db.session() as s:
        for i in range(docs):
            s.add(Platform(id=f"bench{i}", name=f"Bench {i}", jurisdictions=["EU", "US"] if i % 2 else []))
        await s.flush()
        for i in range(docs):
            s.add(
                Document(
                    id=f"bench{i}/privacy-policy",
                    platform_id=f"bench{i}",
                    doc_type="privacy-policy",
                    title=f"Bench {i} Privacy Policy",
                    urls=[f"http://127.0.0.1/bench{i}"],
                )
            )


def _get(row: Any, name: str) -> Any:
    # The differ's plan holds rows as model instances or as column dicts (it moved to the latter): read either.
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _set(row: Any, name: str, value: Any) -> None:
    if isinstance(row, dict):
        row[name] = value
    else:
        setattr(row, name, value)


async def _record(
    db: Database, doc: int, version: int, text: str, previous: Previous | None
) -> tuple[Previous, ChangeDetected | None]:
    """Write the document's next version as the differ would; return it and its ChangeDetected (None for the first)."""
    document_id = f"bench{doc}/privacy-policy"
    at = BASE + timedelta(minutes=10 * version, seconds=doc)
    snapshot_id = f"snap-{doc}-{version}"
    plan = plan_version(document_id=document_id, snapshot_id=snapshot_id, text=text, previous=previous)
    assert plan is not None
    _set(plan.version, "created_at", at)
    if plan.change_set is not None:
        _set(plan.change_set, "created_at", at)
    async with db.session() as s:
        s.add(
            Snapshot(id=snapshot_id, document_id=document_id, sha256="0" * 64, fetcher="http", captured_at=at)
        )
        await s.flush()
        await save(s, plan)
    recorded = Previous(plan.version, [_get(p, "key") for p in plan.provisions])
    change_set = plan.change_set
    if change_set is None:
        return recorded, None
    detected = ChangeDetected(
        correlation_id=f"corr-{doc}-{version}",
        document_id=document_id,
        platform_id=f"bench{doc}",
        change_set_id=_get(change_set, "id"),
        version_id=_get(plan.version, "id"),
        previous_version_id=_get(change_set, "previous_version_id") or "",
        substantive=_get(change_set, "substantive"),
        counts=ChangeCounts(**_get(change_set, "counts")),
        change_ids=[_get(c, "id") for c in plan.changes],
        summary=_get(change_set, "summary")[:2000],
    )
    return recorded, detected


async def _dump(db: Database, events: list[ChangeAssessed], path: Path) -> None:
    """Write every stored assessment (all columns but created_at) and every event (all fields but occurred_at)."""
    out: dict[str, Any] = {}
    async with db.session() as s:
        for model in (ProvisionAssessment, ChangeAssessment):
            # Every column as the database's text of it (JSON columns byte for byte), but created_at.
            table = model.__table__  # type: ignore[attr-defined]
            columns = [cast(c, Text).label(c.name) for c in table.columns if c.name != "created_at"]
            rows = (await s.exec(select(*columns).order_by(table.c.id))).mappings().all()  # type: ignore[call-overload]
            out[model.__name__] = [dict(row) for row in rows]
    out["events"] = [e.model_dump(mode="json", exclude={"occurred_at"}) for e in events]
    path.write_text(json.dumps(out, indent=1, sort_keys=True))  # noqa: ASYNC240  # once, after measuring


async def measure(db_url: str, args: argparse.Namespace) -> None:
    """Seed and assess round by round; print CPU and statements per change set."""
    db = Database(db_url)
    engine = build_engine()
    classifying = [0.0]
    assess = engine.assess

    def timed_assess(texts: Any, context: Any) -> Any:
        # The engine's own CPU (classification, memo), to tell it from the database and bookkeeping around it.
        started = time.thread_time()
        try:
            return assess(texts, context)
        finally:
            classifying[0] += time.thread_time() - started

    object.__setattr__(engine, "assess", timed_assess)  # a frozen dataclass: set on the instance for this run
    segments = [json.loads(line)["text"] for line in SEGMENTS.read_text().splitlines() if line.strip()]
    extras = {d: [segments[(d * 7 + k) % len(segments)] for k in range(args.extra)] for d in range(args.docs)}
    await _seed_catalogue(db, args.docs)
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    previous: dict[int, Previous | None] = dict.fromkeys(range(args.docs))
    events: list[ChangeAssessed] = []
    cpu = wall = engine_cpu = 0.0
    counted = 0
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    for version in range(1, args.versions + 1):
        detected: dict[int, ChangeDetected | None] = {}
        for d in range(args.docs):
            previous[d], detected[d] = await _record(
                db, d, version, _page(d, version, extras[d]), previous[d]
            )
        statements.clear()
        engine_before = classifying[0]
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        if profiler and version > 1:
            profiler.enable()
        for d in range(args.docs):
            current = previous[d]
            assert current is not None
            await service.assess_version(db, engine, _get(current.version, "id"))
            change = detected[d]
            if change is not None:
                events.append(await service.assess_change_set(db, engine, change))
        if profiler:
            profiler.disable()
        if version > 1:  # version 1 is the unmeasured baseline
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started_wall
            counted += len(statements)
            engine_cpu += classifying[0] - engine_before
    changes = args.docs * (args.versions - 1)
    print(
        f"docs={args.docs} versions={args.versions} extra={args.extra} change_sets={changes} "
        f"cpu_per_change={cpu / changes * 1000:.2f}ms wall_per_change={wall / changes * 1000:.2f}ms "
        f"engine_cpu_per_change={engine_cpu / changes * 1000:.2f}ms "
        f"statements_per_change={counted / changes:.1f} load={os.getloadavg()[0]:.1f}"
    )
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
    if args.dump:
        await _dump(db, events, Path(args.dump))
    await db.dispose()


def main() -> None:
    """Create a database for the run, migrate it, measure, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument(
        "--extra", type=int, default=0, help="unchanged real paragraphs added to each document"
    )
    parser.add_argument("--dump", help="write stored assessments and events (JSON) to this file")
    parser.add_argument("--profile", help="write a cProfile of the measured rounds to this file")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    name = f"cw_abench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_PG.rsplit("/", 1)[0].split("://", 1)[1]
    db_url = f"postgresql+psycopg://{base}/{name}"
    try:
        asyncio.run(upgrade_async(db_url))
        asyncio.run(measure(db_url, args))
    finally:
        with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
