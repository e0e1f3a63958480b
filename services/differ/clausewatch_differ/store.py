"""The differ's reads and writes: documents, snapshots, versions and their provisions, change sets."""

from __future__ import annotations

from sqlalchemy import case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_differ.plan import Previous, VersionPlan
from clausewatch_shared.models import Change, ChangeSet, Document, Provision, Snapshot, Version


async def document(session: AsyncSession, document_id: str) -> Document | None:
    """Return a document of the catalogue."""
    return await session.get(Document, document_id)


async def version_for(session: AsyncSession, snapshot_id: str, extractor_version: str) -> Version | None:
    """Return the version already recorded for a snapshot by this extractor, if any (a rerun)."""
    result = await session.exec(
        select(Version).where(
            Version.snapshot_id == snapshot_id, Version.extractor_version == extractor_version
        )
    )
    return result.first()


async def latest(session: AsyncSession, document_id: str, extractor_version: str) -> Previous | None:
    """Return the document's latest version, preferring the current extractor's chain, with its provision keys."""
    current_first = case((col(Version.extractor_version) == extractor_version, 0), else_=1)
    result = await session.exec(
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(current_first, col(Version.created_at).desc(), col(Version.id).desc())
        .limit(1)
    )
    version = result.first()
    if version is None:
        return None
    keys = await session.exec(
        select(Provision.key).where(Provision.version_id == version.id).order_by(col(Provision.ordinal))
    )
    return Previous(version, list(keys.all()))


async def change_set_for(session: AsyncSession, version_id: str) -> tuple[ChangeSet | None, list[str]]:
    """Return a version's change set and its change ids in order."""
    result = await session.exec(select(ChangeSet).where(ChangeSet.version_id == version_id))
    change_set = result.first()
    if change_set is None:
        return None, []
    ids = await session.exec(
        select(Change.id).where(Change.change_set_id == change_set.id).order_by(col(Change.ordinal))
    )
    return change_set, list(ids.all())


async def snapshots_of(session: AsyncSession, document_id: str) -> list[Snapshot]:
    """Return a document's snapshots, oldest first."""
    result = await session.exec(
        select(Snapshot).where(Snapshot.document_id == document_id).order_by(col(Snapshot.captured_at))
    )
    return list(result.all())


async def save(session: AsyncSession, plan: VersionPlan) -> None:
    """Write a planned version with its provisions, change set and changes (in the caller's transaction)."""
    session.add(plan.version)
    await session.flush()
    session.add_all(plan.provisions)
    if plan.change_set is not None:
        session.add(plan.change_set)
        await session.flush()
        session.add_all(plan.changes)
