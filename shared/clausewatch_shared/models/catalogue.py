"""The fetcher's tables: platforms, documents (with their schedule and health), snapshots and capture failures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clausewatch_shared.models._types import json_field, utc_field


class Platform(SQLModel, table=True):
    """An online platform whose documents we watch (id: a stable slug such as `leonardo-ai`)."""

    id: str = Field(primary_key=True, max_length=120)
    name: str = Field(max_length=200)
    website: str | None = Field(default=None, max_length=500)
    jurisdictions: list[str] = json_field()
    categories: list[str] = json_field()


class Document(SQLModel, table=True):
    """A governance document of a platform (id: `platform/doc-type`, stable and citable), with its schedule."""

    id: str = Field(primary_key=True, max_length=200)
    platform_id: str = Field(foreign_key="platform.id", index=True, max_length=120)
    doc_type: str = Field(max_length=80)
    title: str = Field(max_length=300)
    urls: list[str] = json_field()
    language: str = Field(default="en", max_length=12)
    spec: dict[str, Any] = json_field(default_factory=dict)
    interval_seconds: int = Field(default=86400)
    next_due_at: datetime | None = utc_field(nullable=True, index=True)
    last_captured_at: datetime | None = utc_field(nullable=True)
    last_sha256: str | None = Field(default=None, max_length=64)
    last_etag: str | None = Field(default=None, max_length=300)
    last_modified: str | None = Field(default=None, max_length=100)
    # The date the last recorded capture states for itself: a later one stating an earlier date that an earlier
    # capture stated is an older copy, held until it is confirmed (decision 0155).
    last_stated_date: date | None = Field(default=None)
    consecutive_failures: int = Field(default=0)
    needs_attention: bool = Field(default=False)
    attention_reason: str | None = Field(default=None, max_length=2000)
    active: bool = Field(default=True)


class Snapshot(SQLModel, table=True):
    """Evidence of one capture with new bytes: where from, when, by which fetcher, and the SHA-256 of each part."""

    id: str = Field(primary_key=True, max_length=64)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=200)
    sha256: str = Field(max_length=64, index=True)
    parts: list[dict[str, Any]] = json_field()
    fetcher: str = Field(max_length=20)
    captured_at: datetime = utc_field(index=True)
    headers: dict[str, Any] = json_field(default_factory=dict)
    archive_url: str | None = Field(default=None, max_length=1000)
    # The date the capture's first page states for itself ("Last updated: …"), if it states one (decision 0155).
    stated_date: date | None = Field(default=None)


class CaptureFailure(SQLModel, table=True):
    """A capture that did not yield the document, with its cause and retry class."""

    id: str = Field(primary_key=True, max_length=64)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=200)
    url: str = Field(max_length=2000)
    cause: str = Field(max_length=60)
    retry_class: str = Field(max_length=20)
    detail: str = Field(max_length=4000)
    status_code: int | None = None
    slot: str | None = Field(default=None, max_length=80)
    fetcher: str | None = Field(default=None, max_length=40)
    at: datetime = utc_field(default_now=True, index=True)


class FetchSlot(SQLModel, table=True):
    """One schedule slot of one document, claimed once: the unique key makes a second claim fail.

    `outcome` moves claimed -> requested -> capturing -> captured | unchanged | inaccessible. `lease_until` bounds a
    capture in progress (a redelivered request waits for it instead of capturing again); `event` keeps the fact
    published for the slot, so a request redelivered after a crash re-publishes it (same id: JetStream drops it
    if it was already stored) instead of capturing twice.
    """

    __table_args__ = (UniqueConstraint("document_id", "slot", name="uq_fetchslot_document_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", max_length=200)
    slot: str = Field(max_length=80)
    outcome: str | None = Field(default=None, max_length=40, index=True)
    claimed_at: datetime = utc_field(default_now=True)
    lease_until: datetime | None = utc_field(nullable=True)
    finished_at: datetime | None = utc_field(nullable=True)
    worker: str | None = Field(default=None, max_length=120)
    attempts: int = Field(
        default=0, description="Captures started for this slot (more than 1 only after a crash)."
    )
    event: dict[str, Any] = json_field(default_factory=dict)
