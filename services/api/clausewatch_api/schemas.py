"""Response models of the JSON API: they document the OpenAPI schema that clients (and schemathesis) check."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many match in all, and where the next page is."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    next: str | None = Field(default=None, description="URL of the next page, if there is one.")


class PlatformOut(BaseModel):
    """A watched platform."""

    id: str
    name: str
    website: str | None
    jurisdictions: list[str]
    categories: list[str]


class DocumentOut(BaseModel):
    """A governance document of a platform, with its capture health."""

    id: str
    platform_id: str
    doc_type: str
    title: str
    urls: list[str]
    language: str
    active: bool
    last_captured_at: str | None
    last_sha256: str | None
    needs_attention: bool
    attention_reason: str | None


class VersionOut(BaseModel):
    """A recorded version of a document (its text only on the single-version endpoint)."""

    id: str
    document_id: str
    snapshot_id: str
    previous_version_id: str | None
    text_sha256: str
    extractor_version: str
    provision_count: int
    document_date: str | None
    created_at: str | None
    text: str | None = None


class ProvisionOut(BaseModel):
    """A provision with its assessment's headline."""

    id: str
    key: str
    version_id: str
    document_id: str
    ordinal: int
    kind: str
    heading_path: list[str]
    text: str
    text_sha256: str
    severity: str | None
    confidence: float | None
    primary_clause_type: str | None


class MostSeriousOut(BaseModel):
    """A change set's most serious change, as its headline shows it."""

    change_id: str
    severity: str
    what: str = Field(
        description="What happened to the provision, in the analyzer's words, without its severity."
    )
    where: list[str] = Field(description="The last two headings above the provision.")
    excerpt: str = Field(description="The provision's first words (its new text, or its old one if removed).")
    anchor: str = Field(
        description="The change's anchor on the change set's page (`change-N`, in document order)."
    )


class ChangeSetOut(BaseModel):
    """A change set's headline: where, when, how much and how serious."""

    id: str
    document_id: str
    document_title: str
    platform_id: str | None
    platform_name: str | None
    version_id: str
    previous_version_id: str
    # The earlier version whose text the new one is, word for word (the page went back to it; decision 0156).
    restores_version_id: str | None = None
    # The page goes back and forth: the previous version restored an earlier text too (decision 0162).
    alternates: bool = False
    # The date a new version takes effect, when this one newly announces it (ISO date; decision 0157).
    announces_effective_date: str | None = None
    # The date an announced version took effect, when this version is the first in force under it (ISO date; 0157).
    takes_effect_date: str | None = None
    substantive: bool
    counts: dict[str, int]
    summary: str
    created_at: str | None
    assessed: bool
    severity: str | None
    escalations: int
    clause_types: list[dict[str, Any]]
    regulations: list[str]
    regulation_names: list[str]
    most_serious: MostSeriousOut | None = None


class ChangeOut(BaseModel):
    """One provision-level change, with its word diff and assessment."""

    id: str
    ordinal: int
    kind: str
    significance: str
    provision_key: str | None
    old_provision_id: str | None
    new_provision_id: str | None
    heading_path: list[str]
    old_text: str | None
    new_text: str | None
    hints: list[str]
    summary: str
    diff: list[Any]
    assessment: dict[str, Any] | None
    side_by_side: dict[str, list[Any]]
    words: dict[str, int]


class ChangeSetDetailOut(ChangeSetOut):
    """A change set with every change and the versions it compares."""

    changes: list[ChangeOut]
    version: VersionOut | None
    previous_version: VersionOut | None
    restored_version: VersionOut | None = None
    snapshot: dict[str, Any] | None


class ProvisionDetailOut(BaseModel):
    """Everything known about one provision: analysis, rarity, stability, history, laws, elsewhere, evidence."""

    provision: ProvisionOut
    title: str
    is_current: bool
    current_version_id: str | None
    platform: PlatformOut | None
    document: DocumentOut | None
    version: VersionOut | None
    assessment: dict[str, Any] | None
    rarity: dict[str, Any] | None
    stability: dict[str, Any]
    history: list[dict[str, Any]]
    elsewhere: list[dict[str, Any]]
    activity: dict[str, int]
    other_risks: list[dict[str, Any]]
    # The document's own stated dates (last_updated, effective: None when not stated) and our first and last capture.
    record: dict[str, Any]
    citation: dict[str, Any] | None
    citation_text: str
    verification: dict[str, Any] | None
    permalink: str


class ClauseTypesOut(BaseModel):
    """Every clause type that is the main type of a current provision: platforms, provisions, severities."""

    rows: list[dict[str, Any]]
    watched: int


class ClauseTypeOut(BaseModel):
    """How every platform states one clause type, each by its most serious provision (decision 0168)."""

    clause_type: str
    label: str
    rows: list[dict[str, Any]]
    watched: int
    severities: list[dict[str, Any]]
    with_routes: int
    with_carve_outs: int
    without: list[dict[str, str]]


class PlatformDetailOut(BaseModel):
    """A platform with its documents, activity, severity summary and timeline."""

    platform: PlatformOut
    documents: list[dict[str, Any]]
    activity: dict[str, int]
    provision_severities: list[dict[str, Any]]
    # Its current provisions' clause types, each with its provisions and most serious severity (decision 0168).
    clause_types: list[dict[str, Any]]
    change_severities: list[dict[str, Any]]
    timeline: dict[str, Any]
    recent_changes: list[ChangeSetOut]
    failures: list[dict[str, Any]]


class EvidenceOut(BaseModel):
    """A snapshot's evidence record, and, when asked, the result of hashing its stored bytes again."""

    snapshot: dict[str, Any]
    verification: dict[str, Any] | None


class AssessmentOut(BaseModel):
    """A provision assessment in normalised form."""

    provision_id: str
    assessment: dict[str, Any] | None


class CaptureRequestOut(BaseModel):
    """The answer to a capture request: whether it was queued, and the event id."""

    document_id: str
    queued: bool
    event_id: str


class HealthOut(BaseModel):
    """Liveness and the database's answer."""

    status: str
    database: bool


class ErrorOut(BaseModel):
    """An error: what went wrong, in words."""

    detail: str
