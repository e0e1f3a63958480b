"""CPU the differ spends per change set: a SnapshotCaptured handled into a version, its provisions and changes.

Run: `uv run python services/differ/bench/per_change.py [--docs 40] [--versions 4] [--dump FILE] [--profile FILE]`.
A PostgreSQL database created for the run at 127.0.0.1:5432 ($CLAUSEWATCH_TEST_POSTGRES_URL) and dropped after,
real blobs on disk, the differ's `SnapshotHandler` called directly with a bus that serialises each event as the
real one does but sends nothing (publishing is not the differ's own work). Each document gets the fault rig's
policy page in `--versions` editions; version 1 of every document is the unmeasured baseline (it also warms the
process up), then every later edition of every document is handled, one at a time, and the process CPU
(time.process_time) and SQL statements per change set are printed.

`--dump FILE` writes every Version, Provision, ChangeSet and Change row (all columns but `created_at`) and every
event (but `occurred_at`) as sorted JSON, to check that a change to the differ stores and publishes the same things.
`--profile FILE` writes a cProfile of the measured part (its CPU figure then includes the profiler's overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SerialisingBus, arguments, report

from clausewatch_differ.handlers import SnapshotHandler
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import Message, SnapshotCaptured, SnapshotPart
from clausewatch_shared.ids import derived_id
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.models import Change, ChangeSet, Document, Platform, Provision, Snapshot, Version
from tests.integration.faults.rig import policy_page
from tests.support.databases import create_postgres_database, drop_postgres_database

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


async def seed(
    db: Database, blobs: FilesystemBlobStore, docs: int, versions: int
) -> list[list[SnapshotCaptured]]:
    """Insert the platforms, documents and snapshots; return each edition's events, edition by edition."""
    names = [f"bench{i}/privacy-policy" for i in range(docs)]
    rounds: list[list[SnapshotCaptured]] = [[] for _ in range(versions)]
    async with db.session() as session:
        for name in names:
            session.add(Platform(id=name.split("/")[0], name=name.split("/")[0]))
        await session.flush()
        for name in names:
            session.add(
                Document(
                    id=name, platform_id=name.split("/")[0], doc_type="Privacy Policy", title="Privacy Policy",
                    urls=[f"http://127.0.0.1/{name}"], spec={"select": ["main"], "javascript": False},
                )
            )  # fmt: skip
        await session.flush()
        for v in range(versions):
            for name in names:
                body = policy_page(name, v + 1)
                key = await blobs.put(body)
                url = f"http://127.0.0.1/{name}"
                part = SnapshotPart(
                    url=url, final_url=url, sha256=key, content_type="text/html; charset=utf-8", size=len(body),
                    status=200,
                )  # fmt: skip
                snapshot_id = derived_id("snapshot", name, f"v{v + 1}", key)
                at = T0 + timedelta(minutes=v)
                session.add(
                    Snapshot(
                        id=snapshot_id, document_id=name, sha256=key, parts=[part.model_dump(mode="json")],
                        fetcher="http", captured_at=at,
                    )
                )  # fmt: skip
                rounds[v].append(
                    SnapshotCaptured(
                        event_id=derived_id("snapshot-captured", name, v), correlation_id=f"c-{v}-{name}",
                        document_id=name, platform_id=name.split("/")[0], snapshot_id=snapshot_id, sha256=key,
                        parts=[part], fetcher="http", captured_at=at,
                    )
                )  # fmt: skip
    return rounds


async def dump(db: Database, sent: list[Message]) -> str:
    """Return the differ's rows and events as sorted JSON (times of writing left out)."""
    out: dict[str, Any] = {}
    async with db.session() as session:
        for model in (Version, Provision, ChangeSet, Change):
            rows = (await session.exec(select(model))).all()
            out[model.__name__] = sorted(
                ({k: v for k, v in row.model_dump(mode="json").items() if k != "created_at"} for row in rows),
                key=lambda r: r["id"],
            )
    events = [e.model_dump(mode="json", exclude={"occurred_at"}) for e in sent]
    out["events"] = sorted(events, key=lambda e: e["event_id"])
    return json.dumps(out, indent=1, sort_keys=True)


async def measure(args: argparse.Namespace, database_url: str, tmp: Path) -> str | None:
    """Seed, handle the baseline, then measure the later editions; return the dump if asked for."""
    await upgrade_async(database_url)
    db = Database(database_url)
    blobs = FilesystemBlobStore(tmp / "blobs")
    rounds = await seed(db, blobs, args.docs, args.versions)
    bus = SerialisingBus()
    handler = SnapshotHandler(db, blobs, bus)  # type: ignore[arg-type]  # publishes only
    for captured in rounds[0]:
        await handler(captured)
    statements: list[str] = []
    sa_event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    published = len(bus.sent)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for edition in rounds[1:]:
        for captured in edition:
            await handler(captured)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    changes = sum(1 for e in bus.sent[published:] if e.subject.endswith("change.detected"))
    changes = changes or 1
    print(report("differ", args, changes, cpu, wall, len(statements)))
    if profiler:
        profiler.dump_stats(args.profile)
    written = await dump(db, bus.sent) if args.dump else None
    await db.dispose()
    return written


def main() -> None:
    """Create the database, measure, drop it."""
    args = arguments(__doc__.split("\n")[0])
    name, url = create_postgres_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            written = asyncio.run(measure(args, url, Path(tmp)))
        if written is not None:
            Path(args.dump).write_text(written)
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
