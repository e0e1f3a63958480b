"""Provision history (changes, months monitored, first and last seen) and platform activity, from plain dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

RECENT_DAYS = 30


def months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from start to end, counting a started month (at least 1 once monitored)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return max(1, months + (1 if end.day >= start.day else 0))


def provision_history(
    seen_at: Sequence[datetime],
    change_dates: Sequence[datetime],
    monitored_since: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Return changes count, months monitored, first/last seen and a stability label for one provision key."""
    first = min(seen_at) if seen_at else None
    last = max(seen_at) if seen_at else None
    since = monitored_since or first or now
    changes = len(change_dates)
    return {
        "changes": changes,
        "months_monitored": months_between(since, now),
        "first_seen": first.isoformat() if first else None,
        "last_seen": last.isoformat() if last else None,
        "last_changed": max(change_dates).isoformat() if change_dates else None,
        "stability": "stable" if changes == 0 else ("changing" if changes < 3 else "volatile"),
    }


def platform_activity(change_dates: Sequence[datetime], now: datetime, platform_name: str) -> dict[str, Any]:
    """Return how many changes a platform recorded in the last 30 days, with the sentence a page shows."""
    recent = sum(1 for d in change_dates if d >= now - timedelta(days=RECENT_DAYS))
    noun = "change" if recent == 1 else "changes"
    return {
        "changes_last_30_days": recent,
        "text": f"{platform_name} recorded {recent} documented {noun} in the last {RECENT_DAYS} days.",
    }
