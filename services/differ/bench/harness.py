"""What the differ's and the fetcher's per-change CPU benchmarks share: options, the stand-in bus, the report line.

Imported by `services/differ/bench/per_change.py` and `services/fetcher/bench/per_change.py` (by path: the bench
folders are scripts, not packages).
"""

from __future__ import annotations

import argparse
import logging
import os

import structlog

from clausewatch_shared.events import Message


class SerialisingBus:
    """Stands in for the bus: serialises each event as `Bus.publish` does and keeps it, sends nothing."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def publish(self, event: Message, *, msg_id: str | None = None) -> bool:
        event.model_dump_json().encode()
        self.sent.append(event)
        return True


def arguments(description: str) -> argparse.Namespace:
    """Parse the benchmarks' options (and quieten the services' logs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument("--dump", default=None, help="write the stored rows and events as sorted JSON here")
    parser.add_argument("--profile", default=None, help="write a cProfile of the measured part here")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return parser.parse_args()


def report(
    service: str, args: argparse.Namespace, changes: int, cpu: float, wall: float, statements: int
) -> str:
    """Return the line a benchmark prints: CPU, wall time and SQL statements per change, and the load average."""
    return (
        f"{service} docs={args.docs} versions={args.versions} changes={changes} "
        f"cpu_per_change={cpu / changes * 1000:.2f}ms wall_per_change={wall / changes * 1000:.2f}ms "
        f"statements_per_change={statements / changes:.1f} load={os.getloadavg()[0]:.1f}"
    )
