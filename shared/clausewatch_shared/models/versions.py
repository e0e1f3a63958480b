"""The differ's tables: versions (clean text), their provisions, and change sets with their changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from clausewatch_shared.models._types import json_field, utc_field


class Version(SQLModel, table=True):
    """A document's normalised text as of one snapshot; recorded only when that text changed."""

    __table_args__ = (
        UniqueConstraint("snapshot_id", "extractor_version", name="uq_version_snapshot_extractor"),
    )

    id: str = Field(primary_key=True, max_length=64)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=200)
    snapshot_id: str = Field(foreign_key="snapshot.id", max_length=64)
    previous_version_id: str | None = Field(default=None, max_length=64)
    text: str = Field(sa_type=Text)
    text_sha256: str = Field(max_length=64)
    extractor_version: str = Field(max_length=20)
    provision_count: int = 0
    document_date: str | None = Field(default=None, max_length=40)
    created_at: datetime = utc_field(default_now=True, index=True)


class Provision(SQLModel, table=True):
    """One provision of a version; `key` stays the same across versions while the provision is the same one."""

    id: str = Field(primary_key=True, max_length=64)
    version_id: str = Field(foreign_key="version.id", index=True, max_length=64)
    document_id: str = Field(index=True, max_length=200)
    key: str = Field(index=True, max_length=64)
    ordinal: int
    kind: str = Field(max_length=20)
    heading_path: list[str] = json_field()
    text: str = Field(sa_type=Text)
    text_sha256: str = Field(max_length=64)
    parent_key: str | None = Field(default=None, max_length=64)


class ChangeSet(SQLModel, table=True):
    """The changes between a version and the one before it."""

    id: str = Field(primary_key=True, max_length=64)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=200)
    version_id: str = Field(foreign_key="version.id", unique=True, max_length=64)
    previous_version_id: str = Field(max_length=64)
    substantive: bool
    counts: dict[str, int] = json_field(default_factory=dict)
    summary: str = Field(sa_type=Text)
    created_at: datetime = utc_field(default_now=True, index=True)
    # The earlier version (not the previous one) whose text this version's is, word for word: the page went back to
    # it, and the changes undo what changed since (decision 0156).
    restores_version_id: str | None = Field(default=None, max_length=64)
    # The page goes back and forth: this version restores an earlier text, and so did the previous one (Cursor's
    # policy alternated between two texts four times in three weeks). Subscribers heard of both texts already; the
    # change goes to the weekly digest rather than a same-day e-mail (decision 0162).
    alternates: bool = Field(default=False)
    # The date a new version takes effect, when this version newly announces one (X's page carries its upcoming
    # policy beside the current one for a month before; decision 0157).
    announces_effective_date: date | None = Field(default=None)
    # The date a version the previous one announced took effect, when this version is the first in force under it
    # (X's page drops the replaced text the day after; decision 0157).
    takes_effect_date: date | None = Field(default=None)


class Change(SQLModel, table=True):
    """One provision-level change: kind, significance, old and new text, hints and a readable word diff."""

    id: str = Field(primary_key=True, max_length=64)
    change_set_id: str = Field(foreign_key="changeset.id", index=True, max_length=64)
    document_id: str = Field(index=True, max_length=200)
    ordinal: int
    kind: str = Field(max_length=20)
    significance: str = Field(max_length=20)
    provision_key: str | None = Field(default=None, index=True, max_length=64)
    old_provision_id: str | None = Field(default=None, max_length=64)
    new_provision_id: str | None = Field(default=None, max_length=64)
    heading_path: list[str] = json_field()
    old_text: str | None = Field(default=None, sa_type=Text)
    new_text: str | None = Field(default=None, sa_type=Text)
    hints: list[str] = json_field()
    summary: str = Field(sa_type=Text)
    # Word-level diff as [op, text] segments (op "=", "-", "+"): enough to render without the differ's code.
    diff: list[Any] = json_field()
