"""The analyzer's reads (versions, provisions, changes, catalogue statistics) and writes (its two tables).

Reads of other services' tables are allowed (docs/development.md); the analyzer writes only ProvisionAssessment
and ChangeAssessment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.db import insert_values as insert_values  # the analyzer's once-only writes
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Provision,
    ProvisionAssessment,
    Version,
)


@dataclass(frozen=True)
class VersionContext:
    """A version's document, platform and provisions (in order)."""

    document: Document
    platform: Platform | None
    provisions: list[Provision]


async def version_scope(session: AsyncSession, version_id: str) -> tuple[Document, Platform | None] | None:
    """Return a version's document and platform in one query (not the version's full text); None if no version."""
    return (await version_scopes(session, [version_id])).get(version_id)


async def version_scopes(
    session: AsyncSession, version_ids: Iterable[str]
) -> dict[str, tuple[Document, Platform | None]]:
    """Return the document and platform of each version that exists, by version id, in one query."""
    found = await session.exec(
        select(Version.id, Document, Platform)
        .join(Document, col(Version.document_id) == col(Document.id))
        .join(Platform, col(Platform.id) == col(Document.platform_id), isouter=True)
        .where(col(Version.id).in_(list(dict.fromkeys(version_ids))))
    )
    return {version_id: (document, platform) for version_id, document, platform in found.all()}


async def version_context(session: AsyncSession, version_id: str) -> VersionContext | None:
    """Return what assessing a version needs (two queries), or None if the version is not in the database."""
    scope = await version_scope(session, version_id)
    if scope is None:
        return None
    result = await session.exec(
        select(Provision).where(Provision.version_id == version_id).order_by(col(Provision.ordinal))
    )
    return VersionContext(scope[0], scope[1], list(result.all()))


async def assessed_provisions(session: AsyncSession, version_id: str, model_version: str) -> set[str]:
    """Return the ids of the version's provisions this model version has assessed (ids only: no JSON decoded)."""
    result = await session.exec(
        select(ProvisionAssessment.provision_id).where(
            ProvisionAssessment.version_id == version_id, ProvisionAssessment.model_version == model_version
        )
    )
    return set(result.all())


async def unassessed_count(session: AsyncSession, version_id: str, model_version: str) -> int:
    """Return how many of the version's provisions this model version has not assessed."""
    return (await unassessed_counts(session, [version_id], model_version)).get(version_id, 0)


async def unassessed_counts(
    session: AsyncSession, version_ids: Iterable[str], model_version: str
) -> dict[str, int]:
    """Return, by version id, how many provisions this model version has not assessed (absent: none), one query."""
    assessed = select(ProvisionAssessment.id).where(
        ProvisionAssessment.provision_id == Provision.id, ProvisionAssessment.model_version == model_version
    )
    result = await session.exec(
        select(Provision.version_id, func.count())
        .where(col(Provision.version_id).in_(list(dict.fromkeys(version_ids))), ~assessed.exists())
        .group_by(Provision.version_id)
    )
    return {str(version_id): int(count) for version_id, count in result.all()}


async def platform_count(session: AsyncSession) -> int:
    """Return how many platforms the catalogue has."""
    result = await session.exec(select(func.count()).select_from(Platform))
    return int(result.one())


async def holders(session: AsyncSession, clause_types: Iterable[str]) -> dict[str, dict[str, int]]:
    """Return, per clause type, platform id -> number of distinct provisions whose primary type it is."""
    types = list(dict.fromkeys(clause_types))
    out: dict[str, dict[str, int]] = {t: {} for t in types}
    if not types:
        return out
    result = await session.exec(
        select(
            ProvisionAssessment.primary_clause_type,
            ProvisionAssessment.platform_id,
            func.count(func.distinct(ProvisionAssessment.provision_key)),
        )
        .where(col(ProvisionAssessment.primary_clause_type).in_(types))
        .group_by(ProvisionAssessment.primary_clause_type, ProvisionAssessment.platform_id)
    )
    for clause_type, platform_id, count in result.all():
        out[str(clause_type)][str(platform_id)] = int(count)
    return out


async def comparison_candidates(
    session: AsyncSession, clause_types: Iterable[str], platform_id: str, limit: int = 60
) -> dict[str, list[dict[str, Any]]]:
    """Return, per clause type, the `limit` latest other platforms' provisions whose primary type it is (newest first).

    One query for all types (a window ranks each type's rows) and only the columns a comparison shows: loading the
    whole assessment rows decoded their JSON (texts, clause_types) for nothing and was most of the analyzer's CPU.
    """
    types = list(dict.fromkeys(clause_types))
    if not types:
        return {}
    assessment = ProvisionAssessment
    ranked = (
        select(  # type: ignore[call-overload]  # (as below)
            col(assessment.primary_clause_type).label("clause_type"),
            assessment.platform_id,
            assessment.document_id,
            assessment.provision_id,
            assessment.severity,
            assessment.confidence,
            func.row_number()
            .over(partition_by=assessment.primary_clause_type, order_by=col(assessment.created_at).desc())
            .label("rank"),
        )
        .where(col(assessment.primary_clause_type).in_(types), assessment.platform_id != platform_id)
        .subquery()
    )
    columns = ranked.c
    result = await session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most four columns
            columns.clause_type,
            columns.platform_id,
            columns.document_id,
            columns.provision_id,
            columns.severity,
            columns.confidence,
            Provision.key,
            Provision.text,
            Platform.name,
        )
        .join(Provision, col(Provision.id) == columns.provision_id)
        .join(Platform, col(Platform.id) == columns.platform_id, isouter=True)
        .where(columns.rank <= limit)
        .order_by(columns.clause_type, columns.rank)
    )
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in types}
    for clause_type, other, document_id, provision_id, severity, confidence, key, text, name in result.all():
        out[clause_type].append(
            {
                "platform_id": other,
                "platform_name": name or other,
                "document_id": document_id,
                "provision_id": provision_id,
                "provision_key": key,
                "severity": severity,
                "confidence": confidence,
                "text": text,
            }
        )
    return out


@dataclass(frozen=True)
class DocumentHistory:
    """When each provision key was seen and changed, and since when the document is monitored."""

    seen: dict[str, list[datetime]]
    changed: dict[str, list[datetime]]
    monitored_since: datetime | None


async def document_history(session: AsyncSession, document_id: str) -> DocumentHistory:
    """Return, per provision key, the versions' times it appears in and the change sets' times it changed in."""
    seen: dict[str, list[datetime]] = defaultdict(list)
    rows = await session.exec(
        select(Provision.key, Version.created_at)
        .join(Version, col(Version.id) == col(Provision.version_id))
        .where(Provision.document_id == document_id)
    )
    for key, at in rows.all():
        seen[key].append(at)
    changed: dict[str, list[datetime]] = defaultdict(list)
    changes = await session.exec(
        select(Change.provision_key, ChangeSet.created_at)
        .join(ChangeSet, col(ChangeSet.id) == col(Change.change_set_id))
        .where(Change.document_id == document_id, col(Change.provision_key).is_not(None))
    )
    for changed_key, changed_at in changes.all():
        changed[str(changed_key)].append(changed_at)
    first = await session.exec(select(func.min(Version.created_at)).where(Version.document_id == document_id))
    return DocumentHistory(dict(seen), dict(changed), first.one())


async def platform_change_times(session: AsyncSession, platform_id: str, since: datetime) -> list[datetime]:
    """Return the times of the platform's change sets since `since`."""
    result = await session.exec(
        select(ChangeSet.created_at)
        .join(Document, col(Document.id) == col(ChangeSet.document_id))
        .where(Document.platform_id == platform_id, col(ChangeSet.created_at) >= since)
    )
    return list(result.all())


async def changes_of(session: AsyncSession, change_set_id: str, change_ids: Iterable[str]) -> list[Change]:
    """Return a change set's changes in order (those named, or all when none are named)."""
    query = select(Change).where(Change.change_set_id == change_set_id)
    ids = list(change_ids)
    if ids:
        query = query.where(col(Change.id).in_(ids))
    result = await session.exec(query.order_by(col(Change.ordinal)))
    return list(result.all())


async def change_assessments_for(
    session: AsyncSession, change_ids: Iterable[str]
) -> dict[str, ChangeAssessment]:
    """Return existing change assessments by change id."""
    ids = list(change_ids)
    if not ids:
        return {}
    result = await session.exec(select(ChangeAssessment).where(col(ChangeAssessment.change_id).in_(ids)))
    return {a.change_id: a for a in result.all()}


async def insert_new(session: AsyncSession, rows: Sequence[SQLModel]) -> int:
    """Insert model rows with every column, skipping any whose unique keys already exist; return how many.

    INSERT ... ON CONFLICT DO NOTHING (clausewatch_shared.db), so two handlers assessing the same version at once
    both succeed and the table holds each assessment once.
    """
    if not rows:
        return 0
    table = type(rows[0]).__table__  # type: ignore[attr-defined]
    return await insert_values(
        session, type(rows[0]), [{c.name: getattr(row, c.name) for c in table.columns} for row in rows]
    )
