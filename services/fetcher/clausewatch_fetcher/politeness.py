"""A minimum delay between two hits on one host, shared by every capture in a worker."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


class HostThrottle:
    """Spaces requests to the same host at least `min_delay` seconds apart (per process)."""

    def __init__(self, min_delay: float) -> None:
        self.min_delay = min_delay
        self._next_slot: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, url: str) -> None:
        """Return when a request to the URL's host may go out, reserving that moment for it."""
        if self.min_delay <= 0:
            return
        host = (urlsplit(url).hostname or "").lower()
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = start + self.min_delay
        if start > now:
            await asyncio.sleep(start - now)
