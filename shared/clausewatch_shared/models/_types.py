"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlmodel import Field

from clausewatch_shared.clock import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both SQLite (which forgets the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "naive datetime: store aware UTC datetimes only"
            raise ValueError(msg)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utc_field(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    """A UTC datetime column."""
    kwargs: dict[str, Any] = {"sa_type": UTCDateTime, "nullable": nullable, "index": index}
    if default_now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


def json_field(*, default_factory: Any = list) -> Any:
    """A JSON column (lists and dicts of plain values)."""
    return Field(default_factory=default_factory, sa_type=JSON)
