"""Rarity and stability of a provision, from counts the queries give (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def rarity(other_platforms: int, total_platforms: int, other_provisions: int) -> dict[str, Any]:
    """Say how rare a clause type is: 'Unique' (no other platform), 'Rare' (at most max(1, 10% of all) others),
    else 'Common' — the analyzer's rule, applied to the catalogue as it is now."""
    total = max(total_platforms, other_platforms + 1)
    if other_platforms <= 0:
        label = "Unique"
    elif other_platforms <= max(1, round(0.10 * total)):
        label = "Rare"
    else:
        label = "Common"
    return {
        "label": label,
        "other_platforms": other_platforms,
        "total_platforms": total,
        "other_provisions": other_provisions,
        "text": f"{label} · {other_platforms} of {total} platforms",
    }


def months_between(start: datetime, end: datetime) -> int:
    """Return calendar months from start to end, counting a started month (so at least 1 once monitored)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return max(1, months + (1 if end.day >= start.day else 0))


def stability(
    changes: int,
    first_seen: datetime | None,
    last_seen: datetime | None,
    monitored_since: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Summarise how often a provision changed while we watched it: 'Stable', 'Changed' or 'Volatile'."""
    label = "Stable" if changes == 0 else "Changed" if changes < 3 else "Volatile"
    return {
        "label": label,
        "changes": changes,
        "months_monitored": months_between(monitored_since, now) if monitored_since else 0,
        "first_seen": first_seen,
        "last_seen": last_seen,
    }
