"""The differ's reads and writes: documents, snapshots, versions and their provisions, change sets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, bindparam, case, insert
from sqlalchemy import select as core_select
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_differ.plan import Previous, VersionPlan, restore
from clausewatch_shared.db import Executor, execute, insert_values, table_of
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


def _latest_id(document_id: Any, extractor_version: Any) -> Any:
    """Return a SELECT of the document's latest version id, preferring the current extractor's chain."""
    current_first = case((col(Version.extractor_version) == extractor_version, 0), else_=1)
    return (
        select(Version.id)
        .where(Version.document_id == document_id)
        .order_by(current_first, col(Version.created_at).desc(), col(Version.id).desc())
        .limit(1)
    )


async def latest(session: AsyncSession, document_id: str, extractor_version: str) -> Previous | None:
    """Return the document's latest version, preferring the current extractor's chain, with its provision keys."""
    version_id = (await session.exec(_latest_id(document_id, extractor_version))).first()
    return None if version_id is None else await previous_by_id(session, version_id)


async def previous_by_id(session: AsyncSession, version_id: str) -> Previous:
    """Return a version with its provision keys in order."""
    version = await session.get_one(Version, version_id)
    keys = await session.exec(
        select(Provision.key).where(Provision.version_id == version.id).order_by(col(Provision.ordinal))
    )
    return Previous(version, list(keys.all()))


@dataclass(frozen=True)
class Situation:
    """What handling a snapshot starts from: the document's spec, the version already made of it, the latest one."""

    spec: dict[str, Any]
    done_id: str | None
    latest_id: str | None


# One statement, built once: the document's spec, the version of this snapshot by this extractor (a rerun), and the
# document's latest version id. It was four statements (two of them loading whole versions, text included).
_SITUATION = select(
    col(Document.spec),
    select(Version.id)
    .where(
        Version.snapshot_id == bindparam("snapshot_id"), Version.extractor_version == bindparam("extractor")
    )
    .limit(1)
    .scalar_subquery(),
    _latest_id(bindparam("document_id"), bindparam("extractor")).scalar_subquery(),
).where(Document.id == bindparam("document_id"))


async def situation(
    db: Executor, document_id: str, snapshot_id: str, extractor_version: str
) -> Situation | None:
    """Return where a snapshot's handling starts, or None if the document is not in the catalogue."""
    params = {"document_id": document_id, "snapshot_id": snapshot_id, "extractor": extractor_version}
    row = (await execute(db, _SITUATION, params)).first()
    if row is None:
        return None
    spec, done_id, latest_id = row
    return Situation(spec or {}, done_id, latest_id)


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


def _columns(row: SQLModel) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in row.__table__.columns}  # type: ignore[attr-defined]


# Plain INSERTs, built once, for the rows under a version that this transaction has just inserted: their ids derive
# from the version's, so none can exist yet (a conflict would be a bug, and fail the transaction as the ORM's insert
# did). Without RETURNING, psycopg sends a table's rows as one pipelined executemany of a short statement, which it
# parses once; insert_values' multi-row VALUES statement is too long for psycopg's statement cache and was parsed
# anew every time (about 0.7 ms more CPU for 16 provisions, decision 0090).
_CHILDREN: dict[type[SQLModel], Insert] = {
    Provision: insert(table_of(Provision)),
    ChangeSet: insert(table_of(ChangeSet)),
    Change: insert(table_of(Change)),
}


async def _insert_children(db: Executor, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        await execute(db, _CHILDREN[model], rows[0] if len(rows) == 1 else rows)


_VERSIONS = table_of(Version)
# The latest earlier version of the document with the same text, other than the one the new version follows.
_RESTORED = (
    core_select(_VERSIONS.c.id, _VERSIONS.c.created_at)
    .where(
        _VERSIONS.c.document_id == bindparam("p_document_id"),
        _VERSIONS.c.text_sha256 == bindparam("p_text_sha256"),
        _VERSIONS.c.id.not_in(bindparam("p_exclude", expanding=True)),
    )
    .order_by(_VERSIONS.c.created_at.desc())
    .limit(1)
)


# Whether the previous version was itself a return to an earlier text: read only when the new one is (decision 0162).
_CHANGE_SETS = table_of(ChangeSet)
_PREVIOUS_RESTORED = core_select(_CHANGE_SETS.c.restores_version_id).where(
    _CHANGE_SETS.c.version_id == bindparam("p_version_id")
)


def _restored_params(version: Version) -> dict[str, Any]:
    return {
        "p_document_id": version.document_id,
        "p_text_sha256": version.text_sha256,
        "p_exclude": [version.id, version.previous_version_id or ""],
    }


async def save(db: Executor, plan: VersionPlan) -> bool:
    """Write a planned version with its provisions, change set and changes (in the caller's transaction: a session's,
    or a Core connection's).

    Core INSERTs, one statement per table with the rows as parameters, every column given as planned (the ORM's
    unit of work cost more CPU than the rows did). A change set whose new text is word for word an earlier version's
    (not the previous one's) is marked as restoring it (decision 0156): one SELECT on the document's versions, and
    then one on the previous version's change set, to mark a page that goes back and forth (0162).
    Returns False, writing nothing, if the version is already stored: a concurrent handler of the same snapshot
    committed it first (the ORM's INSERT failed there with IntegrityError, and the retried message then found the
    stored version).
    """
    if not await insert_values(db, Version, [_columns(plan.version)]):
        return False
    await _insert_children(db, Provision, plan.provisions)
    if plan.change_set is not None:
        restored = (await execute(db, _RESTORED, _restored_params(plan.version))).first()
        if restored is not None:
            previous = {"p_version_id": plan.version.previous_version_id or ""}
            row = (await execute(db, _PREVIOUS_RESTORED, previous)).first()
            again = row is not None and row[0] is not None
            restore(plan.change_set, restored.id, restored.created_at, again=again)
        await _insert_children(db, ChangeSet, [_columns(plan.change_set)])
        await _insert_children(db, Change, plan.changes)
    return True
