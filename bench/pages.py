"""Read-side benchmark: the web pages and their JSON over a real database, the one `make demo` leaves.

The app runs in this process (httpx over ASGI, no socket), so the figures are the api's own work: its queries on
SQLite, the templates, the PDF layout. Each address is requested once to warm up, then `--repeat` times; the
figures are the median and the 95th percentile of wall time and the median CPU time per request.

    make demo                                   # once: leaves ~/.local/share/clausewatch/demo
    uv run python -m bench.pages --repeat 20
    uv run python -m bench.pages --data-dir /tmp/demo --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx
from sqlmodel import col, select

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import Subscriber

DEFAULT_DATA_DIR = Path.home() / ".local/share/clausewatch/demo"


async def _addresses(client: httpx.AsyncClient, db: Database) -> list[str]:
    """The pages a reader opens, found through the JSON API: a platform, its most serious current provision, that
    provision's record as a PDF, the clause types, the provision's type compared, the latest change set; the sign-up
    form and a subscriber's preferences page (the demo's subscriber's, from the link its e-mails carry)."""
    platform = (await client.get("/api/v1/platforms", params={"limit": 1})).json()["items"][0]["id"]
    serious = (await client.get("/api/v1/provisions", params={"severity": "high", "limit": 1})).json()[
        "items"
    ]
    if not serious:
        serious = (await client.get("/api/v1/provisions", params={"limit": 1})).json()["items"]
    provision = serious[0]["id"]
    clause_type = (await client.get(f"/api/v1/provisions/{provision}/assessment")).json()["assessment"][
        "primary_clause_type"
    ]
    change_set = (await client.get("/api/v1/changes", params={"limit": 1})).json()["items"][0]["id"]
    async with db.session() as session:
        token = (
            await session.exec(
                select(Subscriber.unsubscribe_token).where(col(Subscriber.confirmed_at).is_not(None)).limit(1)
            )
        ).first()
    return [
        "/",
        f"/platforms/{platform}",
        f"/provisions/{provision}",
        f"/provisions/{provision}/record.pdf",
        "/clause-types",
        f"/clause-types/{clause_type}",
        f"/changes/{change_set}",
        "/api/v1/changes?limit=20",
        f"/api/v1/provisions/{provision}",
        "/signup",
        *([f"/preferences/{token}"] if token else []),
    ]


async def _measure(client: httpx.AsyncClient, address: str, repeat: int) -> tuple[float, float, float, int]:
    """Return (median wall ms, p95 wall ms, median CPU ms, response bytes) over `repeat` requests after a warm-up."""
    first = await client.get(address)
    if first.status_code != 200:
        msg = f"{address} answered {first.status_code}"
        raise RuntimeError(msg)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = await client.get(address)  # no If-None-Match: the whole page each time, not a 304
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        response.raise_for_status()
    walls.sort()
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    return statistics.median(walls), p95, statistics.median(cpus), len(first.content)


async def run(data_dir: Path, repeat: int) -> None:
    database = data_dir / "clausewatch.db"
    if not database.is_file():
        sys.exit(f"no database at {database}: run `make demo` first, or give --data-dir")
    url = f"sqlite+aiosqlite:///{database}"
    db = Database(url)
    settings = ApiSettings(database_url=url, blob_dir=data_dir / "blobs", public_base_url="http://bench.test")
    app = create_api(settings, db, FilesystemBlobStore(data_dir / "blobs"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench.test"
    ) as client:
        addresses = await _addresses(client, db)
        print(
            f"database: {database} ({database.stat().st_size / 1e6:.1f} MB); {repeat} requests each after a warm-up"
        )
        print(f"{'address':<70} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'bytes':>9}")
        for address in addresses:
            median, p95, cpu, size = await _measure(client, address, repeat)
            shown = (
                address.split("/preferences/")[0] + "/preferences/TOKEN"
                if "/preferences/" in address
                else address
            )
            print(f"{shown[:70]:<70} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f} {size:>9,}")
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.data_dir, args.repeat))


if __name__ == "__main__":
    main()
