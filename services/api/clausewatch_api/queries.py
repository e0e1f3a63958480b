"""Read queries over the tables the other services write: every database access of the api is here.

Functions take an open session and return table rows (or plain tuples); shaping them for pages and JSON is the
job of `present`. Lists load one page and then fetch what the page refers to in bulk, never row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Text, case, cast, desc, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api.comparisons import Candidate
from clausewatch_api.filters import SEVERITY_RANK, ChangeFilter, ProvisionFilter, json_list_pattern
from clausewatch_shared.current import current_version_ids
from clausewatch_shared.models import (
    CaptureFailure,
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Provision,
    ProvisionAssessment,
    Snapshot,
    Subscriber,
    Version,
)


class _Keyed(Protocol):
    """A table with a string primary key named `id` (platforms, documents, ...)."""

    id: str


T = TypeVar("T", bound=_Keyed)


async def _page(session: AsyncSession, query: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    total = (await session.exec(select(func.count()).select_from(query.order_by(None).subquery()))).one()
    rows = list((await session.exec(query.limit(limit).offset(offset))).all())
    return rows, int(total)


async def by_ids(session: AsyncSession, model: type[T], ids: Iterable[str | None]) -> dict[str, T]:
    """Return the rows of model whose id is in ids, keyed by id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = (await session.exec(select(model).where(col(model.id).in_(wanted)))).all()
    return {row.id: row for row in rows}


# --- catalogue -----------------------------------------------------------------------------------------------------


async def list_platforms(session: AsyncSession, limit: int, offset: int) -> tuple[list[Platform], int]:
    """Return a page of platforms by name, and how many there are."""
    return await _page(session, select(Platform).order_by(Platform.name, Platform.id), limit, offset)


async def count_platforms(session: AsyncSession) -> int:
    """Return how many platforms the catalogue holds."""
    return int((await session.exec(select(func.count()).select_from(Platform))).one())


async def list_documents(
    session: AsyncSession, platform_id: str | None, limit: int, offset: int
) -> tuple[list[Document], int]:
    """Return a page of documents (of one platform if given), and how many there are."""
    query = select(Document).order_by(Document.platform_id, Document.id)
    if platform_id:
        query = query.where(Document.platform_id == platform_id)
    return await _page(session, query, limit, offset)


async def latest_snapshot(session: AsyncSession, document_id: str) -> Snapshot | None:
    """Return the document's most recent snapshot."""
    query = (
        select(Snapshot).where(Snapshot.document_id == document_id).order_by(desc(col(Snapshot.captured_at)))
    )
    return (await session.exec(query.limit(1))).first()


async def first_capture_at(session: AsyncSession, document_id: str) -> datetime | None:
    """Return when the document was first captured (monitoring began then)."""
    query = select(func.min(Snapshot.captured_at)).where(Snapshot.document_id == document_id)
    value = (await session.exec(query)).one()
    if isinstance(value, str):  # SQLite returns aggregates of datetime columns as text
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


async def recent_failures(
    session: AsyncSession, document_ids: Sequence[str], limit: int
) -> list[CaptureFailure]:
    """Return the newest capture failures of these documents."""
    if not document_ids:
        return []
    query = (
        select(CaptureFailure)
        .where(col(CaptureFailure.document_id).in_(document_ids))
        .order_by(desc(col(CaptureFailure.at)))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


# --- versions and provisions -------------------------------------------------------------------------------------


async def list_versions(
    session: AsyncSession, document_id: str, limit: int, offset: int
) -> tuple[list[Version], int]:
    """Return a page of a document's versions, newest first."""
    query = select(Version).where(Version.document_id == document_id).order_by(desc(col(Version.created_at)))
    return await _page(session, query, limit, offset)


async def version_provisions(session: AsyncSession, version_id: str) -> list[Provision]:
    """Return a version's provisions in document order."""
    query = select(Provision).where(Provision.version_id == version_id).order_by(col(Provision.ordinal))
    return list((await session.exec(query)).all())


def _provision_query(flt: ProvisionFilter, current_ids: Iterable[str] | None) -> Any:
    query = select(Provision).order_by(col(Provision.document_id), col(Provision.ordinal))
    if current_ids is not None:
        query = query.where(col(Provision.version_id).in_(list(current_ids)))
    if flt.documents:
        query = query.where(col(Provision.document_id).in_(flt.documents))
    if flt.platforms:
        docs = select(Document.id).where(col(Document.platform_id).in_(flt.platforms))
        query = query.where(col(Provision.document_id).in_(docs))
    if flt.severities or flt.clause_types or flt.regulations:
        assessed = select(ProvisionAssessment.provision_id)
        if flt.severities:
            assessed = assessed.where(col(ProvisionAssessment.severity).in_(flt.severities))
        for clause in flt.clause_types:
            assessed = assessed.where(
                cast(ProvisionAssessment.clause_types, Text).like(json_list_pattern(clause), escape="\\")
            )
        for regulation in flt.regulations:
            assessed = assessed.where(
                cast(ProvisionAssessment.regulations, Text).like(json_list_pattern(regulation), escape="\\")
            )
        query = query.where(col(Provision.id).in_(assessed))
    return query


async def list_provisions(
    session: AsyncSession, flt: ProvisionFilter, limit: int, offset: int
) -> tuple[list[Provision], int]:
    """Return a page of provisions matching the filter, and how many match."""
    current = list((await current_version_ids(session)).values()) if flt.current_only else None
    return await _page(session, _provision_query(flt, current), limit, offset)


async def find_provision(session: AsyncSession, id_or_key: str) -> Provision | None:
    """Return the provision with this id, or else the newest provision with this stable key."""
    found = await session.get(Provision, id_or_key)
    if found is not None:
        return found
    query = (
        select(Provision)
        .join(Version, col(Version.id) == col(Provision.version_id))
        .where(Provision.key == id_or_key)
        .order_by(desc(col(Version.created_at)))
        .limit(1)
    )
    return (await session.exec(query)).first()


async def provisions_by_key(session: AsyncSession, keys: Iterable[str]) -> list[dict[str, str]]:
    """Return how a list of watched provision keys reads: each key's newest provision's headings (or first words)
    and document, in the order given (one query for all); a key no provision has any more is listed by itself."""
    wanted = list(keys)
    if not wanted:
        return []
    rows = await session.exec(
        select(Provision, Document.title)
        .join(Version, col(Version.id) == col(Provision.version_id))
        .join(Document, col(Document.id) == col(Provision.document_id))
        .where(col(Provision.key).in_(wanted))
        .order_by(desc(col(Version.created_at)))
    )
    newest: dict[str, tuple[Provision, str]] = {}
    for provision, title in rows.all():
        newest.setdefault(provision.key, (provision, title))
    out = []
    for key in wanted:
        if key not in newest:
            out.append({"key": key, "label": key, "document": ""})
            continue
        provision, title = newest[key]
        label = " › ".join(h for h in provision.heading_path if h) or provision.text[:80]
        out.append({"key": key, "label": label, "document": title})
    return out


async def provision_assessments(
    session: AsyncSession, provision_ids: Iterable[str]
) -> dict[str, ProvisionAssessment]:
    """Return the newest assessment of each provision, keyed by provision id."""
    ids = list(set(provision_ids))
    if not ids:
        return {}
    query = (
        select(ProvisionAssessment)
        .where(col(ProvisionAssessment.provision_id).in_(ids))
        .order_by(col(ProvisionAssessment.created_at))
    )
    return {a.provision_id: a for a in (await session.exec(query)).all()}


async def provision_sightings(session: AsyncSession, key: str) -> list[tuple[Provision, Version]]:
    """Return every version that contained the provision with this key, oldest first."""
    query = (
        select(Provision, Version)
        .join(Version, col(Version.id) == col(Provision.version_id))
        .where(Provision.key == key)
        .order_by(col(Version.created_at))
    )
    return [(p, v) for p, v in (await session.exec(query)).all()]


async def provision_changes(session: AsyncSession, key: str) -> list[tuple[Change, ChangeSet]]:
    """Return every change of the provision with this key, oldest first."""
    query = (
        select(Change, ChangeSet)
        .join(ChangeSet, col(ChangeSet.id) == col(Change.change_set_id))
        .where(Change.provision_key == key)
        .order_by(col(ChangeSet.created_at))
    )
    return [(c, cs) for c, cs in (await session.exec(query)).all()]


def _candidates_query() -> Any:
    # SQLAlchemy's select: SQLModel's typed overloads stop at four columns.
    return sa_select(
        col(ProvisionAssessment.platform_id),
        col(Provision.id),
        col(ProvisionAssessment.primary_clause_type),
        col(ProvisionAssessment.severity),
        col(ProvisionAssessment.confidence),
        col(Provision.kind),
        func.length(col(Provision.text)),
        col(Provision.ordinal),
    ).join(Provision, col(Provision.id) == col(ProvisionAssessment.provision_id))


async def _candidates(session: AsyncSession, query: Any) -> list[Candidate]:
    return [Candidate(*row) for row in (await session.exec(query)).all()]


async def same_clause_candidates(
    session: AsyncSession, clause_type: str, platform_id: str | None, current: list[str]
) -> list[Candidate]:
    """Return the provisions of `current` versions whose primary clause type is `clause_type` (other platforms' when
    `platform_id` is given), without their texts (comparisons.best_per_platform chooses among them)."""
    query = (
        _candidates_query()
        .where(ProvisionAssessment.primary_clause_type == clause_type)
        .where(col(Provision.version_id).in_(current))
    )
    if platform_id is not None:
        query = query.where(ProvisionAssessment.platform_id != platform_id)
    return await _candidates(session, query)


async def clause_type_counts(session: AsyncSession, current: list[str]) -> list[tuple[str, str, str, int]]:
    """Return (primary clause type, platform, severity, provisions) over the `current` versions' assessed provisions."""
    # SQLAlchemy's select, typed Any: SQLModel's typed overloads stop at four columns of its own select.
    query: Any = (
        sa_select(
            col(ProvisionAssessment.primary_clause_type),
            col(ProvisionAssessment.platform_id),
            col(ProvisionAssessment.severity),
            func.count(),
        )
        .join(Provision, col(Provision.id) == col(ProvisionAssessment.provision_id))
        .where(col(ProvisionAssessment.primary_clause_type).is_not(None))
        .where(col(Provision.version_id).in_(current))
        .group_by(
            col(ProvisionAssessment.primary_clause_type),
            col(ProvisionAssessment.platform_id),
            col(ProvisionAssessment.severity),
        )
    )
    return [(str(t), str(p), str(s), int(n)) for t, p, s, n in (await session.exec(query)).all()]


async def clause_type_entries(session: AsyncSession, clause_types: Iterable[str]) -> dict[str, list[Any]]:
    """Return, for each clause type, the clause-type entries of one assessment whose main type it is (where its
    recorded label is: the api reads no taxonomy)."""
    wanted = set(clause_types)
    if not wanted:
        return {}
    first_of_each = (
        sa_select(func.min(col(ProvisionAssessment.id)))
        .where(col(ProvisionAssessment.primary_clause_type).in_(wanted))
        .group_by(col(ProvisionAssessment.primary_clause_type))
    )
    rows = (
        await session.exec(select(ProvisionAssessment).where(col(ProvisionAssessment.id).in_(first_of_each)))
    ).all()
    return {str(a.primary_clause_type): list(a.clause_types or []) for a in rows}


async def provisions_by_id(session: AsyncSession, provision_ids: Iterable[str]) -> dict[str, Provision]:
    """Return the provisions with these ids, keyed by id."""
    ids = list(set(provision_ids))
    if not ids:
        return {}
    return {p.id: p for p in (await session.exec(select(Provision).where(col(Provision.id).in_(ids)))).all()}


async def clause_type_spread(
    session: AsyncSession, clause_type: str, exclude_platform: str, current: list[str]
) -> tuple[int, int]:
    """Return (other platforms whose `current` versions have this primary clause type, their provisions with it)."""
    query = (
        select(ProvisionAssessment.platform_id, func.count())
        .join(Provision, col(Provision.id) == col(ProvisionAssessment.provision_id))
        .where(ProvisionAssessment.primary_clause_type == clause_type)
        .where(ProvisionAssessment.platform_id != exclude_platform)
        .where(col(Provision.version_id).in_(current))
        .group_by(ProvisionAssessment.platform_id)
    )
    rows = (await session.exec(query)).all()
    return len(rows), sum(int(n) for _, n in rows)


async def serious_provisions_of_version(
    session: AsyncSession, version_id: str, exclude: str
) -> list[Candidate]:
    """Return the other high- and medium-severity provisions of a version ('other risks in this policy')."""
    query = (
        _candidates_query()
        .where(Provision.version_id == version_id, Provision.id != exclude)
        .where(col(ProvisionAssessment.severity).in_(("high", "medium")))
    )
    return await _candidates(session, query)


# --- changes -------------------------------------------------------------------------------------------------------


def _change_set_query(flt: ChangeFilter) -> Any:
    query = select(ChangeSet).order_by(desc(col(ChangeSet.created_at)), desc(col(ChangeSet.id)))
    if flt.documents:
        query = query.where(col(ChangeSet.document_id).in_(flt.documents))
    if flt.platforms:
        docs = select(Document.id).where(col(Document.platform_id).in_(flt.platforms))
        query = query.where(col(ChangeSet.document_id).in_(docs))
    if flt.since is not None:
        query = query.where(ChangeSet.created_at >= flt.since)
    if flt.until is not None:
        query = query.where(ChangeSet.created_at < flt.until)
    if flt.substantive_only:
        query = query.where(ChangeSet.substantive == True)  # noqa: E712  (SQL expression, not a Python test)
    if flt.severities:
        # A set's severity is its most severe change's, as its badge shows; a set with a medium change and a high one
        # is high, and one with a new date (none) beside a medium removal is medium, not "none" (session 16).
        rank = case(
            *((col(ChangeAssessment.severity) == name, n) for name, n in SEVERITY_RANK.items()), else_=-1
        )
        wanted = [SEVERITY_RANK[s] for s in flt.severities if s in SEVERITY_RANK]
        highest = (
            select(ChangeAssessment.change_set_id)
            .group_by(col(ChangeAssessment.change_set_id))
            .having(func.max(rank).in_(wanted))
        )
        query = query.where(col(ChangeSet.id).in_(highest))
    if flt.clause_types or flt.regulations:
        assessed = select(ChangeAssessment.change_set_id)
        for clause in flt.clause_types:
            assessed = assessed.where(
                cast(ChangeAssessment.clause_types, Text).like(json_list_pattern(clause), escape="\\")
            )
        for regulation in flt.regulations:
            assessed = assessed.where(
                cast(ChangeAssessment.regulations, Text).like(json_list_pattern(regulation), escape="\\")
            )
        query = query.where(col(ChangeSet.id).in_(assessed))
    return query


async def list_change_sets(
    session: AsyncSession, flt: ChangeFilter, limit: int, offset: int
) -> tuple[list[ChangeSet], int]:
    """Return a page of change sets matching the filter, newest first, and how many match."""
    return await _page(session, _change_set_query(flt), limit, offset)


async def change_set_assessments(
    session: AsyncSession, change_set_ids: Iterable[str]
) -> dict[str, list[ChangeAssessment]]:
    """Return the change assessments of each change set, keyed by change set id."""
    ids = list(set(change_set_ids))
    out: dict[str, list[ChangeAssessment]] = {i: [] for i in ids}
    if not ids:
        return out
    query = select(ChangeAssessment).where(col(ChangeAssessment.change_set_id).in_(ids))
    for row in (await session.exec(query)).all():
        out[row.change_set_id].append(row)
    return out


async def changes_of(session: AsyncSession, change_set_id: str) -> list[Change]:
    """Return a change set's changes in document order."""
    query = select(Change).where(Change.change_set_id == change_set_id).order_by(col(Change.ordinal))
    return list((await session.exec(query)).all())


async def change_set_times(
    session: AsyncSession, platform_id: str | None = None, since: datetime | None = None
) -> list[tuple[ChangeSet, str]]:
    """Return (change set, document id) pairs, oldest first, of one platform or all, since a time."""
    query = select(ChangeSet, Document.platform_id).join(
        Document,
        col(Document.id) == col(ChangeSet.document_id),
    )
    if platform_id:
        query = query.where(Document.platform_id == platform_id)
    if since is not None:
        query = query.where(ChangeSet.created_at >= since)
    return [(cs, pid) for cs, pid in (await session.exec(query.order_by(col(ChangeSet.created_at)))).all()]


async def platform_provision_severities(session: AsyncSession, platform_id: str) -> dict[str, int]:
    """Return how many current provisions of the platform are at each severity."""
    current = list((await current_version_ids(session)).values())
    query = (
        select(ProvisionAssessment.severity, func.count())
        .join(Provision, col(Provision.id) == col(ProvisionAssessment.provision_id))
        .where(ProvisionAssessment.platform_id == platform_id)
        .where(col(Provision.version_id).in_(current))
        .group_by(ProvisionAssessment.severity)
    )
    return {sev: int(n) for sev, n in (await session.exec(query)).all()}


# --- search and subscribers ----------------------------------------------------------------------------------------


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def search(
    session: AsyncSession, q: str, limit: int
) -> tuple[list[Platform], list[Document], list[Provision]]:
    """Return platforms, documents and current provisions whose name, title or text contains q (any case)."""
    pattern = _like(q)
    platforms = (
        await session.exec(
            select(Platform)
            .where(
                or_(
                    func.lower(Platform.name).like(pattern, escape="\\"),
                    col(Platform.id).like(pattern, escape="\\"),
                )
            )
            .limit(limit)
        )
    ).all()
    documents = (
        await session.exec(
            select(Document)
            .where(
                or_(
                    func.lower(Document.title).like(pattern, escape="\\"),
                    col(Document.id).like(pattern, escape="\\"),
                )
            )
            .limit(limit)
        )
    ).all()
    current = list((await current_version_ids(session)).values())
    provisions = (
        await session.exec(
            select(Provision)
            .where(col(Provision.version_id).in_(current))
            .where(func.lower(Provision.text).like(pattern, escape="\\"))
            .order_by(col(Provision.document_id), col(Provision.ordinal))
            .limit(limit)
        )
    ).all()
    return list(platforms), list(documents), list(provisions)


async def subscriber_by_token(session: AsyncSession, token: str) -> Subscriber | None:
    """Return the subscriber whose unsubscribe token this is."""
    return (await session.exec(select(Subscriber).where(Subscriber.unsubscribe_token == token))).first()
