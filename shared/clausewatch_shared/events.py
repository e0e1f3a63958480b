"""The event contract: frozen pydantic models for every message that crosses a service boundary.

Events are facts in the past tense; commands are imperative. Each carries its own id (used as JetStream's
`Nats-Msg-Id`, so a handler that runs twice publishes once), the time it happened, the correlation id of the capture
that started the chain, and a schema version. They carry ids and SHA-256 hashes, never page bodies: the raw bytes
live in the blob store and the rest in the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from clausewatch_shared import subjects
from clausewatch_shared.clock import utcnow
from clausewatch_shared.ids import new_id

SCHEMA_VERSION: Literal[1] = 1

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Severity = Literal["high", "medium", "low", "none"]
RetryClass = Literal["transient", "needs_attention"]
FetcherKind = Literal["http", "browser", "pdf"]


class Message(BaseModel):
    """Base of every message: immutable, strict about unknown fields, and self-identifying."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: ClassVar[str]

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    occurred_at: AwareDatetime = Field(default_factory=utcnow)
    correlation_id: str = Field(min_length=1, max_length=64)


# --- commands ----------------------------------------------------------------------------------------------------


class CaptureRequested(Message):
    """The fetcher is asked to capture one document now (by the schedule, an operator, or the demo)."""

    subject: ClassVar[str] = subjects.CAPTURE_REQUESTED

    document_id: str
    slot: str = Field(
        description="Schedule slot this capture belongs to, e.g. '2026-11-22T06:00Z'; dedup key."
    )
    reason: Literal["schedule", "manual", "demo", "retry"] = "schedule"


# --- fetcher facts -------------------------------------------------------------------------------------------------


class SnapshotPart(BaseModel):
    """One URL's captured bytes within a snapshot (a document may span several URLs, combined in order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    final_url: str
    sha256: Sha256
    content_type: str
    size: int = Field(ge=0)
    status: int


class SnapshotCaptured(Message):
    """A new snapshot of a document was captured and its raw bytes stored under their SHA-256."""

    subject: ClassVar[str] = subjects.SNAPSHOT_CAPTURED

    document_id: str
    platform_id: str
    snapshot_id: str
    sha256: Sha256 = Field(description="Fingerprint of the whole snapshot: SHA-256 over its parts' hashes.")
    parts: list[SnapshotPart] = Field(min_length=1)
    fetcher: FetcherKind
    captured_at: AwareDatetime
    archive_url: str | None = None


class SnapshotUnchanged(Message):
    """A capture produced the same bytes as the previous one: nothing downstream has work to do."""

    subject: ClassVar[str] = subjects.SNAPSHOT_UNCHANGED

    document_id: str
    platform_id: str
    sha256: Sha256
    captured_at: AwareDatetime


class DocumentInaccessible(Message):
    """A capture did not yield the document (error page, bot wall, empty extraction...): never a new version."""

    subject: ClassVar[str] = subjects.DOCUMENT_INACCESSIBLE

    document_id: str
    platform_id: str
    url: str
    cause: str = Field(
        description="Machine-readable cause, e.g. 'http_error', 'bot_wall', 'empty', 'too_large'."
    )
    retry_class: RetryClass
    detail: str
    status_code: int | None = None
    consecutive_failures: int = Field(default=1, ge=1)


# --- differ facts --------------------------------------------------------------------------------------------------


class VersionRecorded(Message):
    """A snapshot's normalised text differed from the previous version, so a new version was recorded."""

    subject: ClassVar[str] = subjects.VERSION_RECORDED

    document_id: str
    platform_id: str
    version_id: str
    snapshot_id: str
    text_sha256: Sha256
    previous_version_id: str | None
    provision_count: int = Field(ge=0)


class ChangeCounts(BaseModel):
    """How many provisions changed, by kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    added: int = 0
    removed: int = 0
    modified: int = 0
    moved: int = 0


class ChangeDetected(Message):
    """A new version differs from the previous one; the change set and its changes are in the database."""

    subject: ClassVar[str] = subjects.CHANGE_DETECTED

    document_id: str
    platform_id: str
    change_set_id: str
    version_id: str
    previous_version_id: str
    substantive: bool
    counts: ChangeCounts
    change_ids: list[str]
    summary: str = Field(max_length=2000)
    restores_version_id: str | None = Field(
        default=None,
        description="An earlier version (not the previous one) whose text the new version's is, word for word: the "
        "page went back to it.",
    )
    alternates: bool = Field(
        default=False,
        description="The page goes back and forth: the new version restores an earlier text, and so did the previous "
        "one.",
    )
    announces_effective_date: date | None = Field(
        default=None,
        description="The date a new version takes effect, when the new version newly announces one (the page may "
        "carry the coming text beside the one in force).",
    )
    takes_effect_date: date | None = Field(
        default=None,
        description="The date a version the previous one announced took effect, when the new version is the first in "
        "force under it.",
    )


# --- analyzer facts ------------------------------------------------------------------------------------------------


class ChangeAssessed(Message):
    """A change set was assessed: clause types, severity and regulations are recorded for each change."""

    subject: ClassVar[str] = subjects.CHANGE_ASSESSED

    document_id: str
    platform_id: str
    change_set_id: str
    substantive: bool
    max_severity: Severity
    clause_types: list[str] = Field(
        description="Clause type ids touched by the change set (for subscriber filters)."
    )
    regulations: list[str] = Field(description="Regulation ids mapped to the touched provisions.")
    escalations: int = Field(default=0, ge=0, description="Changes whose severity went up.")
    summary: str = Field(max_length=2000)


# --- notifier facts ------------------------------------------------------------------------------------------------


class AlertDelivered(Message):
    """An alert reached a subscriber's channel (email accepted by SMTP, webhook answered 2xx)."""

    subject: ClassVar[str] = subjects.ALERT_DELIVERED

    delivery_id: str
    subscriber_id: str
    change_set_id: str | None
    channel: Literal["email", "webhook", "apprise"]
    attempts: int = Field(ge=1)


class AlertFailed(Message):
    """An alert could not be delivered after its retries; the endpoint may have been disabled."""

    subject: ClassVar[str] = subjects.ALERT_FAILED

    delivery_id: str
    subscriber_id: str
    change_set_id: str | None
    channel: Literal["email", "webhook", "apprise"]
    attempts: int = Field(ge=1)
    reason: str


# --- dead letters --------------------------------------------------------------------------------------------------


class DeadLetter(BaseModel):
    """A message a service gave up on, with why: published to `clausewatch.v1.deadletter.<service>`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: str
    original_subject: str
    reason: str
    error_type: str
    deliveries: int
    payload: str = Field(description="The original body, as UTF-8 text or 'base64:' + base64, cut at 64 KiB.")
    headers: dict[str, str] = Field(default_factory=dict)
    failed_at: datetime = Field(default_factory=utcnow)


EVENT_TYPES: tuple[type[Message], ...] = (
    CaptureRequested,
    SnapshotCaptured,
    SnapshotUnchanged,
    DocumentInaccessible,
    VersionRecorded,
    ChangeDetected,
    ChangeAssessed,
    AlertDelivered,
    AlertFailed,
)
BY_SUBJECT: dict[str, type[Message]] = {t.subject: t for t in EVENT_TYPES}
