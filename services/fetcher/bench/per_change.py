"""CPU the fetcher spends per change: a CaptureRequested handled into a new snapshot (fetch, judge, keep, record).

Run: `uv run python services/fetcher/bench/per_change.py [--docs 40] [--versions 4] [--dump FILE] [--profile FILE]`.
A PostgreSQL database created for the run at 127.0.0.1:5432 ($CLAUSEWATCH_TEST_POSTGRES_URL) and dropped after,
the catalogue synced as at the fetcher's start, real blobs on disk, real HTTP to a local site in its own process
(so that its CPU is not counted), and the fetcher's `CaptureHandler` called directly with a bus that serialises each
event as the real one does but sends nothing. Each document serves the fault rig's policy page in `--versions`
editions; edition 1 of every document is the unmeasured baseline (it also warms the process up), then every later
edition of every document is requested, one at a time, and the process CPU (time.process_time) and SQL statements
per change are printed.

`--dump FILE` writes the Snapshot, FetchSlot and Document rows and the events as sorted JSON, leaving out what
depends on the moment (times, the lease), to check that a change to the fetcher stores and publishes the same things.
`--profile FILE` writes a cProfile of the measured part (its CPU figure then includes the profiler's overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event as sa_event
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "differ" / "bench"))

from harness import SerialisingBus, arguments, report

from clausewatch_fetcher.app import build_capturer, close_capturer
from clausewatch_fetcher.catalogue import load_catalogue
from clausewatch_fetcher.handlers import CaptureHandler
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_fetcher.sync import sync_catalogue
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import CaptureRequested, Message
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.models import Document, FetchSlot, Snapshot
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.ports import free_port

# The site: /_edition/N switches every page to its N-th edition. Run with this interpreter from the repository root.
SITE = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from tests.integration.faults.rig import policy_page
edition = [1]
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/_edition/"):
            edition[0] = int(self.path.rsplit("/", 1)[1])
            body = b"ok"
        else:
            body = policy_page(self.path.strip("/"), edition[0])
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""
MOMENTS = {
    "captured_at",
    "occurred_at",
    "claimed_at",
    "finished_at",
    "lease_until",
    "last_captured_at",
    "next_due_at",
}


def _timeless(value: Any, port: int) -> Any:
    """Return a row or event without what depends on the moment or the run (of the times and the worker only
    whether they are set; the site's port; the Date header)."""
    if isinstance(value, dict):
        return {
            k: (v is not None) if k in MOMENTS or k == "worker" else _timeless(v, port)
            for k, v in value.items()
            if k != "date"
        }
    if isinstance(value, list):
        return [_timeless(v, port) for v in value]
    if isinstance(value, str):
        return value.replace(f"127.0.0.1:{port}", "127.0.0.1:SITE")
    return value


async def dump(db: Database, sent: list[Message], port: int) -> str:
    """Return the fetcher's rows and events as sorted JSON (times, lease and worker only as set or not)."""
    out: dict[str, Any] = {}
    async with db.session() as session:
        for model in (Snapshot, FetchSlot, Document):
            rows = [
                _timeless(r.model_dump(mode="json"), port) for r in (await session.exec(select(model))).all()
            ]
            if model is FetchSlot:
                for row in rows:
                    row.pop("id")  # a sequence: the order of first claims
            out[model.__name__] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    out["events"] = sorted(
        (_timeless(e.model_dump(mode="json"), port) for e in sent), key=lambda e: e["event_id"]
    )
    return json.dumps(out, indent=1, sort_keys=True)


def _edition(port: int, n: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_edition/{n}") as response:
        response.read()


def _wait_for_site(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            _edition(port, 1)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        else:
            return


async def measure(args: argparse.Namespace, database_url: str, tmp: Path, port: int) -> str | None:
    """Sync the catalogue, capture the baseline, then measure the later editions; return the dump if asked for."""
    await upgrade_async(database_url)
    names = [f"bench{i}/privacy-policy" for i in range(args.docs)]
    catalogue = tmp / "catalogue.yaml"
    declared = [
        {
            "id": name.split("/")[0],
            "name": name.split("/")[0],
            "documents": [
                {
                    "type": "Privacy Policy",
                    "urls": [f"http://127.0.0.1:{port}/{name}"],
                    "select": ["main"],
                    "javascript": False,
                }
            ],
        }
        for name in names
    ]
    catalogue.write_text(yaml.safe_dump({"platforms": declared}))
    settings = FetcherSettings(
        environment="test", database_url=database_url, blob_dir=tmp / "blobs", catalogue_path=catalogue,
        browser_enabled=False, schedule_enabled=False, min_host_delay_seconds=0, allow_private_document_urls=True,
    )  # fmt: skip
    db = Database(database_url)
    await sync_catalogue(db, load_catalogue(catalogue))
    bus = SerialisingBus()
    capturer = build_capturer(settings)
    blobs = FilesystemBlobStore(settings.blob_dir)
    handler = CaptureHandler(db, blobs, bus, capturer, settings, "bench:1")  # publishes only
    for name in names:
        await handler(CaptureRequested(correlation_id=f"c-1-{name}", document_id=name, slot="v1"))
    statements: list[str] = []
    sa_event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    published = len(bus.sent)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu_total, wall_total = 0.0, 0.0
    for edition in range(2, args.versions + 1):
        await asyncio.to_thread(_edition, port, edition)
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for name in names:
            request = CaptureRequested(
                correlation_id=f"c-{edition}-{name}", document_id=name, slot=f"v{edition}"
            )
            await handler(request)
        if profiler:
            profiler.disable()
        cpu_total += time.process_time() - cpu
        wall_total += time.perf_counter() - wall
    changes = sum(1 for e in bus.sent[published:] if e.subject.endswith("snapshot.captured")) or 1
    print(report("fetcher", args, changes, cpu_total, wall_total, len(statements)))
    if profiler:
        profiler.dump_stats(args.profile)
    written = await dump(db, bus.sent, port) if args.dump else None
    await close_capturer(capturer)
    await db.dispose()
    return written


def main() -> None:
    """Start the site, create the database, measure, drop it."""
    args = arguments(__doc__.split("\n")[0])
    port = free_port()
    root = Path(__file__).resolve().parents[3]
    # This interpreter with arguments built here (no outside input).
    site = subprocess.Popen([sys.executable, "-c", SITE, str(port)], cwd=root)  # noqa: S603
    name, url = create_postgres_database()
    try:
        _wait_for_site(port)
        with tempfile.TemporaryDirectory() as tmp:
            written = asyncio.run(measure(args, url, Path(tmp), port))
        if written is not None:
            Path(args.dump).write_text(written)
    finally:
        site.terminate()
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
