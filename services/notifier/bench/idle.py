"""CPU the notifier process burns with nothing to do (delivery and digest loops, the bus's pull loop, heartbeats).

Run: `uv run python services/notifier/bench/idle.py [SECONDS] [--tick S]` (default 20 s, tick 0.2 s as in
`bench.pipeline`). Starts `clausewatch run notifier` on a fresh migrated PostgreSQL database and its own
nats-server, waits for it to settle, then prints its CPU (user+system, psutil) per second of wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clausewatch_shared.migrations import upgrade
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.nats import running_nats

SETTLE_S = 15.0  # imports and start-up take several seconds on a loaded machine


def main() -> None:
    """Start a notifier, let it settle, measure its idle CPU rate."""
    args = sys.argv[1:]
    tick = args[args.index("--tick") + 1] if "--tick" in args else "0.2"
    seconds = float(args[0]) if args and not args[0].startswith("--") else 20.0
    tmp = Path(tempfile.mkdtemp())
    name, url = create_postgres_database()
    try:
        upgrade(url)
        with running_nats(tmp / "js") as nats:
            env = {
                **os.environ,
                "CLAUSEWATCH_ENVIRONMENT": "test",
                "CLAUSEWATCH_NATS_URL": nats.url,
                "CLAUSEWATCH_DATABASE_URL": url,
                "CLAUSEWATCH_BLOB_DIR": str(tmp / "blobs"),
                "CLAUSEWATCH_LOG_LEVEL": "WARNING",
                "CLAUSEWATCH_DELIVERY_TICK_SECONDS": tick,
            }
            clausewatch = Path(sys.executable).parent / "clausewatch"
            proc = subprocess.Popen(  # noqa: S603  (this environment's own CLI)
                [str(clausewatch), "run", "notifier"], env=env, stdout=subprocess.DEVNULL
            )
            try:
                process = psutil.Process(proc.pid)
                time.sleep(SETTLE_S)
                before, started = process.cpu_times(), time.monotonic()
                time.sleep(seconds)
                after, elapsed = process.cpu_times(), time.monotonic() - started
                cpu = (after.user - before.user) + (after.system - before.system)
                print(
                    f"tick={tick}s idle_cpu={cpu / elapsed * 1000:.1f}ms/s over {elapsed:.0f}s "
                    f"load={os.getloadavg()[0]:.1f}"
                )
            finally:
                proc.terminate()
                proc.wait(30)
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
