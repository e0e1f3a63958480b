"""Query filters for lists of changes and provisions: parsed and checked once, then applied by `queries`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SEVERITIES = ("high", "medium", "low", "none")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


def split_values(raw: str | None) -> tuple[str, ...]:
    """Return the comma-separated values of a query parameter, trimmed, without empties or repeats."""
    if not raw:
        return ()
    seen: dict[str, None] = {}
    for part in raw.split(","):
        value = part.strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def max_severity(values: list[str | None] | tuple[str | None, ...]) -> str:
    """Return the most serious severity among values ('none' when there is none)."""
    known = [v for v in values if v in SEVERITY_RANK]
    if not known:
        return "none"
    return max(known, key=lambda v: SEVERITY_RANK[v or "none"]) or "none"


@dataclass(frozen=True)
class ChangeFilter:
    """Which change sets to list: every field narrows the result; empty tuples mean 'any'."""

    platforms: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    clause_types: tuple[str, ...] = ()
    regulations: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    substantive_only: bool = False


@dataclass(frozen=True)
class ProvisionFilter:
    """Which provisions to list; by default only those of each document's current version."""

    platforms: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    clause_types: tuple[str, ...] = ()
    regulations: tuple[str, ...] = ()
    current_only: bool = True


class FilterError(ValueError):
    """A filter value is not one we accept (the message says which and why)."""


def check_severities(values: tuple[str, ...]) -> tuple[str, ...]:
    """Return values if each is a known severity, else raise FilterError naming the bad one."""
    for value in values:
        if value not in SEVERITY_RANK:
            msg = f"unknown severity {value!r}: use {', '.join(SEVERITIES)}"
            raise FilterError(msg)
    return values


def json_list_pattern(value: str) -> str:
    """Return a LIKE pattern that finds a string element in a JSON list stored as text (SQLite and PostgreSQL)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'
