"""How fast the pages and API answer, on data the real pipeline produced (two platforms, one assessed change).

Run: `uv run python services/api/bench/pages.py` (about a minute on 2 cores). It builds the same world as the
browser tests (fetcher → differ → analyzer → api on a local site and a nats-server), then requests each page type
sequentially over HTTP from one client and prints the median and 95th percentile latency of each, in ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.integration.api.pipeline_site import pipeline_world

ROUNDS = 200


async def _time(client: httpx.AsyncClient, path: str) -> tuple[float, float, int]:
    samples = []
    size = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = await client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        size = len(response.content)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], size


async def main() -> None:
    """Build the world, then time each page type."""
    with tempfile.TemporaryDirectory() as tmp:
        async with pipeline_world(Path(tmp)) as world:
            paths = {
                "latest changes /": "/",
                "change page": f"/changes/{world.change_set_id}",
                "provision page (re-hashes evidence)": f"/provisions/{world.training_provision_id}",
                "platform page (timeline)": "/platforms/acme",
                "search ?q=train": "/search?q=train",
                "feed /feeds/all.atom": "/feeds/all.atom",
                "API /api/v1/changes": "/api/v1/changes",
                "API /api/v1/provisions/{id}": f"/api/v1/provisions/{world.training_provision_id}",
            }
            async with httpx.AsyncClient(base_url=world.base_url) as client:
                print(f"| page | median ms | p95 ms | bytes |  ({ROUNDS} sequential requests each)")
                print("|---|---|---|---|")
                for name, path in paths.items():
                    await client.get(path)  # warm-up: template compilation, first connections
                    median, p95, size = await _time(client, path)
                    print(f"| {name} | {median:.1f} | {p95:.1f} | {size} |")


if __name__ == "__main__":
    asyncio.run(main())
