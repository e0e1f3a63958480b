"""The analyzer's tables: what each provision is (clause types, severity, regulations) and what each change did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clausewatch_shared.models._types import json_field, utc_field


class ProvisionAssessment(SQLModel, table=True):
    """The analysis of one provision of one version.

    `clause_types` holds one dict per type (id, name, confidence, phrase, evidence, level, source, severity);
    `regulations` the ids in scope. `texts` holds everything else a provision page shows, so pages read rows only:
    what_it_is, why_it_matters, consumer_impact, what_you_can_do (list of {title, detail, route}), caveat,
    regulation_details (list of {id, name, jurisdiction, articles, agencies...}), jurisdiction_flags, agencies,
    rarity ({label, other_platforms, total_platforms, other_provisions, text}), comparisons (other platforms'
    provisions of the same type with excerpts), history (changes, months_monitored, first_seen, last_seen) and
    platform_activity ({changes_last_30_days, text}) as of `created_at`.
    """

    __table_args__ = (
        UniqueConstraint("provision_id", "model_version", name="uq_assessment_provision_model"),
    )

    id: str = Field(primary_key=True, max_length=64)
    provision_id: str = Field(foreign_key="provision.id", index=True, max_length=64)
    provision_key: str = Field(index=True, max_length=64)
    version_id: str = Field(index=True, max_length=64)
    document_id: str = Field(index=True, max_length=200)
    platform_id: str = Field(index=True, max_length=120)
    clause_types: list[dict[str, Any]] = json_field()
    primary_clause_type: str | None = Field(default=None, index=True, max_length=80)
    severity: str = Field(max_length=10, index=True)
    confidence: float = 0.0
    reasons: list[str] = json_field()
    evidence: list[str] = json_field()
    regulations: list[str] = json_field()
    opt_outs: list[dict[str, Any]] = json_field()
    texts: dict[str, Any] = json_field(default_factory=dict)
    model_version: str = Field(max_length=40)
    created_at: datetime = utc_field(default_now=True)


class ChangeAssessment(SQLModel, table=True):
    """The analysis of one change: clause types touched, severity before and after, escalation, a description."""

    id: str = Field(primary_key=True, max_length=64)
    change_id: str = Field(foreign_key="change.id", unique=True, max_length=64)
    change_set_id: str = Field(index=True, max_length=64)
    document_id: str = Field(index=True, max_length=200)
    platform_id: str = Field(index=True, max_length=120)
    clause_types: list[str] = json_field()
    severity_before: str | None = Field(default=None, max_length=10)
    severity_after: str | None = Field(default=None, max_length=10)
    severity: str = Field(max_length=10)
    confidence: float = 0.0
    escalation: str | None = Field(default=None, max_length=20)
    regulations: list[str] = json_field()
    reasons: list[str] = json_field()
    description: str = Field(max_length=4000)
    # kind, provision_key, clause type details (id, name, confidence, phrase) and regulation details for display.
    texts: dict[str, Any] = json_field(default_factory=dict)
    created_at: datetime = utc_field(default_now=True, index=True)
