"""Schedule arithmetic: slot names, next due times with jitter, retry delays. Pure module.

A slot is named by the due time it was claimed for ("2026-11-22T06:00:00Z"). Every replica reads the same persisted
due time, so every replica derives the same slot name; the database's unique (document, slot) key then lets exactly
one of them claim it (see docs/decisions/0010).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

SLOT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def slot_name(due: datetime) -> str:
    """Return the slot name of a due time (UTC, to the second)."""
    return due.strftime(SLOT_FORMAT)


def jitter_seconds(interval: float, fraction: float, cap: float, rng: random.Random | None = None) -> float:
    """Return a random delay in [0, min(fraction * interval, cap)) that spreads checks of many documents."""
    span = min(interval * fraction, cap)
    return (rng or random).uniform(0, span) if span > 0 else 0.0


def next_due(
    previous_due: datetime,
    now: datetime,
    interval: float,
    *,
    fraction: float = 0.1,
    cap: float = 3600.0,
    rng: random.Random | None = None,
) -> datetime:
    """Return the due time after `previous_due`: one interval later plus jitter, never in the past.

    Missed slots (the fetcher was down) are not made up one by one: the document is checked once now and then
    again an interval later.
    """
    base = previous_due + timedelta(seconds=interval)
    if base <= now:
        base = now + timedelta(seconds=interval)
    return base + timedelta(seconds=jitter_seconds(interval, fraction, cap, rng))


def initial_due(now: datetime, spread: float, rng: random.Random | None = None) -> datetime:
    """Return a first due time for a new document, spread over `spread` seconds so a new catalogue does not stampede."""
    return now + timedelta(seconds=(rng or random).uniform(0, spread) if spread > 0 else 0.0)


def retry_due(now: datetime, failures: int, base: float, interval: float) -> datetime:
    """Return when to try again after `failures` transient failures in a row: base * 2^(n-1), at most one interval."""
    delay = min(base * (2 ** max(failures - 1, 0)), interval)
    return now + timedelta(seconds=delay)


def lease_wait(lease_until: datetime | None, now: datetime) -> float:
    """Return how many seconds a request for a busy slot waits: until the holder's lease ends, plus one of slack.

    A live holder renews its lease, so the request may find the slot busy again; each wait is still bounded by one
    lease, and a dead holder's lease is not renewed, so the slot is free when the request comes back.
    """
    remaining = (lease_until - now).total_seconds() if lease_until is not None else 0.0
    return max(remaining, 0.0) + 1.0
