"""When to try a failed delivery again: a fixed schedule of growing delays, each with jitter. Pure."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta


def next_attempt(
    now: datetime,
    attempts_made: int,
    schedule: Sequence[float],
    max_attempts: int,
    jitter: float = 0.2,
    rand: random.Random | None = None,
) -> datetime | None:
    """Return when to try again after `attempts_made` tries, or None if the delivery has had all its tries.

    The delay after try n is schedule[n-1] (the last one repeats), scaled by a random factor in [1-jitter, 1+jitter]
    so that many deliveries failing together do not all come back at the same second.
    """
    if attempts_made >= max_attempts or not schedule:
        return None
    base = schedule[min(attempts_made - 1, len(schedule) - 1)] if attempts_made > 0 else 0.0
    factor = (rand or random).uniform(1 - jitter, 1 + jitter) if jitter else 1.0
    return now + timedelta(seconds=base * factor)
