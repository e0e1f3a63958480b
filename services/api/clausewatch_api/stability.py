"""Rarity and stability of a provision, from counts the queries give (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clausewatch_shared.rarity import rarity_label, rarity_total


def rarity(other_platforms: int, total_platforms: int, other_provisions: int) -> dict[str, Any]:
    """Say how rare a clause type is, by the analyzer's rule (`clausewatch_shared.rarity`), on today's catalogue."""
    total = rarity_total(other_platforms, total_platforms)
    label = rarity_label(other_platforms, total).capitalize()
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
