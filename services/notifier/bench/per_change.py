"""CPU the notifier spends per change: a ChangeAssessed handled, then its e-mail and signed webhook sent and recorded.

Run: `uv run python services/notifier/bench/per_change.py [N] [--postgres] [--profile FILE]` (under a minute on
2 cores). Real SQLite (or a fresh PostgreSQL database with `--postgres`, as `bench.pipeline` uses), a real nats-server (AlertDelivered is published), and an SMTP sink and a webhook receiver in their own
processes so that their CPU is not counted. One compliance subscriber with a webhook follows the platform. After
three warm-up changes, N changes go through the handler and one delivery pass each; it prints the process CPU
(time.process_time, every thread) and the SQL statements per change. `--profile` also writes a cProfile of the
main thread's CPU and prints the Python function calls per change, a figure the machine's load does not move
(the CPU figure then includes the profiler's own overhead: measure CPU without it).
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import structlog
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_shared.db import Database
from clausewatch_shared.migrations import upgrade
from clausewatch_shared.runtime import Runtime
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.nats import running_nats
from tests.support.ports import free_port

WARM_UP = 3
RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200); self.send_header("content-length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


async def measure(
    tmp: Path, database_url: str, changes: int, hook_port: int, smtp_port: int, out: str | None
) -> None:
    """Send `changes` alerts through the notifier and print the CPU and statements each took."""
    with running_nats(tmp / "jetstream") as nats:
        settings = make_settings(tmp, nats.url, database_url, smtp_port)
        db = Database(database_url)
        await add_platform(db)
        events = [await add_change_set(db, n=i) for i in range(WARM_UP + changes)]
        created = await management.create_subscriber(db, "legal@example.org", tier="compliance")
        await management.follow(db, created.subscriber.id, "leonardo-ai")
        url = f"http://127.0.0.1:{hook_port}/hook"
        await management.register_endpoint(db, settings, created.subscriber.id, url)
        runtime = Runtime.create(settings, "notifier")
        await runtime.start()
        handler = AssessmentHandler(db, settings)
        worker = DeliveryWorker(db, settings, runtime.bus("notifier"))
        statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for assessed in events[:WARM_UP]:
            await handler(assessed)
            assert await worker.run_once() == 2, "expected an e-mail and a webhook per change"
        statements.clear()
        profiler = cProfile.Profile(time.thread_time) if out else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for assessed in events[WARM_UP:]:
            await handler(assessed)
            await worker.run_once()
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"changes={changes} cpu_per_change={cpu / changes * 1000:.1f}ms "
            f"wall_per_change={wall / changes * 1000:.1f}ms statements_per_change={len(statements) / changes:.1f} "
            f"load={os.getloadavg()[0]:.1f}"
        )
        if profiler and out:
            profiler.dump_stats(out)
            calls = pstats.Stats(out).total_calls  # type: ignore[attr-defined]  # set at runtime, not in the stubs
            print(f"python_calls_per_change={calls / changes:.0f} profile={out}")
        await worker.webhooks.aclose()
        await runtime.stop()
        await runtime.broker.stop()
        await db.dispose()


def main() -> None:
    """Start the receivers, migrate a SQLite file, measure."""
    args = sys.argv[1:]
    out = args[args.index("--profile") + 1] if "--profile" in args else None
    changes = int(args[0]) if args and args[0].isdigit() else 60
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    tmp = Path(tempfile.mkdtemp())
    postgres = create_postgres_database() if "--postgres" in args else None
    database_url = postgres[1] if postgres else f"sqlite+aiosqlite:///{tmp / 'clausewatch.db'}"
    upgrade(database_url)
    hook_port, smtp_port = free_port(), free_port()
    sink = ["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{smtp_port}"]
    # This interpreter with arguments built here (no outside input), hence the S603 exemptions.
    servers = [
        subprocess.Popen([sys.executable, "-c", RECEIVER, str(hook_port)]),  # noqa: S603
        subprocess.Popen([sys.executable, *sink]),  # noqa: S603
    ]
    try:
        time.sleep(1.0)  # both servers listening
        asyncio.run(measure(tmp, database_url, changes, hook_port, smtp_port, out))
    finally:
        for server in servers:
            server.terminate()
        if postgres:
            drop_postgres_database(postgres[0])


if __name__ == "__main__":
    main()
