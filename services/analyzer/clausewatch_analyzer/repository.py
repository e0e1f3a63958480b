"""The analyzer's reads (versions, provisions, changes, catalogue statistics) and writes (its two tables).

Reads of other services' tables are allowed (docs/development.md); the analyzer writes only ProvisionAssessment
and ChangeAssessment.

Core statements on an autocommit connection (`Database.connection`), each built once with bound parameters and
selecting only the columns used: ORM loading, building the statements anew per call, the session's bookkeeping and
a round trip per question (and BEGIN/COMMIT per transaction) were most of the analyzer's CPU (decision 0088). Each
function below is one statement; each write is one statement too, so it is atomic without a transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, literal_column, null, select, union_all
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from clausewatch_shared.db import insert_json_rows, table_of
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

_version = table_of(Version).c
_document = table_of(Document).c
_platform = table_of(Platform).c
_provision = table_of(Provision).c
_change = table_of(Change).c
_change_set = table_of(ChangeSet).c
_assessment = table_of(ProvisionAssessment).c
_change_assessment = table_of(ChangeAssessment).c


@dataclass(frozen=True)
class Scope:
    """A version's document and platform, as far as an assessment needs them (platform None: not in the catalogue)."""

    document_id: str
    document_title: str
    doc_type: str
    platform_id: str
    platform_name: str | None
    jurisdictions: tuple[str, ...]


@dataclass(frozen=True)
class ProvisionRef:
    """The columns of a provision that its assessment row copies, and its text."""

    id: str
    key: str
    version_id: str
    document_id: str
    text: str


@dataclass(frozen=True)
class VersionWork:
    """A version's scope, how many provisions it has and those this model version has not assessed (in order)."""

    scope: Scope
    provisions: int
    todo: list[ProvisionRef]
    # provisions with a reading by another classifier version, which a new reading replaces (decision 0163)
    superseded: list[str] = field(default_factory=list)


def _scope(row: RowMapping) -> Scope:
    platform_name = row["platform_name"]
    return Scope(
        document_id=row["document_id"],
        document_title=row["document_title"],
        doc_type=row["doc_type"],
        platform_id=row["platform_id"],
        platform_name=platform_name,
        jurisdictions=tuple(row["jurisdictions"] or ()) if platform_name is not None else (),
    )


_SCOPE_COLUMNS = (
    _document.id.label("document_id"),
    _document.title.label("document_title"),
    _document.doc_type.label("doc_type"),
    _document.platform_id.label("platform_id"),
    _platform.name.label("platform_name"),
    _platform.jurisdictions.label("jurisdictions"),
)


# Whether the provision in the enclosing query has an assessment by the model version bound as :model_version.
_ASSESSED = exists().where(
    _assessment.provision_id == _provision.id, _assessment.model_version == bindparam("model_version")
)
# ... and whether it has one by another version, to be replaced.
_SUPERSEDED = exists().where(
    _assessment.provision_id == _provision.id, _assessment.model_version != bindparam("model_version")
)

_VERSION_WORK = (
    select(
        *_SCOPE_COLUMNS,
        _provision.id.label("provision_id"),
        _provision.key,
        _provision.text,
        _ASSESSED.label("assessed"),
        _SUPERSEDED.label("superseded"),
    )
    .select_from(table_of(Version))
    .join(table_of(Document), _document.id == _version.document_id)
    .join(table_of(Platform), _platform.id == _document.platform_id, isouter=True)
    .join(table_of(Provision), _provision.version_id == _version.id, isouter=True)
    .where(_version.id == bindparam("version_id"))
    .order_by(_provision.ordinal)
)


async def version_work(conn: AsyncConnection, version_id: str, model_version: str) -> VersionWork | None:
    """Return a version's scope, its provisions not yet assessed by this model version and those read by another;
    None if no version.

    The provisions come outer-joined, so a version without any still has its scope row.
    """
    result = await conn.execute(_VERSION_WORK, {"version_id": version_id, "model_version": model_version})
    rows = result.mappings().all()
    if not rows:
        return None
    scope = _scope(rows[0])
    provisions = [row for row in rows if row["provision_id"] is not None]
    todo = [
        ProvisionRef(row["provision_id"], row["key"], version_id, scope.document_id, row["text"])
        for row in provisions
        if not row["assessed"]
    ]
    superseded = [row["provision_id"] for row in provisions if row["superseded"]]
    return VersionWork(scope, len(provisions), todo, superseded)


_VERSION_SCOPES = (
    select(
        _version.id.label("version_id"),
        *_SCOPE_COLUMNS,
        select(func.count())
        .where(_provision.version_id == _version.id, ~_ASSESSED)
        .scalar_subquery()
        .label("unassessed"),
    )
    .join(table_of(Document), _document.id == _version.document_id)
    .join(table_of(Platform), _platform.id == _document.platform_id, isouter=True)
    .where(_version.id.in_(bindparam("version_ids", expanding=True)))
)


async def version_scopes(
    conn: AsyncConnection, version_ids: Iterable[str], model_version: str
) -> dict[str, tuple[Scope, int]]:
    """Return, by version id, each existing version's scope and how many provisions this model version has not
    assessed (one query for all)."""
    result = await conn.execute(
        _VERSION_SCOPES, {"version_ids": list(dict.fromkeys(version_ids)), "model_version": model_version}
    )
    return {row["version_id"]: (_scope(row), int(row["unassessed"])) for row in result.mappings()}


_CATALOGUE_COUNTS = union_all(
    select(
        _assessment.primary_clause_type.label("clause_type"),
        _assessment.platform_id.label("platform_id"),
        func.count(_assessment.provision_key.distinct()).label("n"),
    )
    .where(_assessment.primary_clause_type.in_(bindparam("types", expanding=True)))
    .group_by(_assessment.primary_clause_type, _assessment.platform_id),
    select(null(), null(), func.count()).select_from(table_of(Platform)),
)


async def catalogue_counts(
    conn: AsyncConnection, clause_types: Iterable[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """Return, per clause type, platform id -> distinct provisions whose primary type it is; and the platforms count.

    One statement: the holders' groups, then a row with the catalogue's platform count.
    """
    types = list(dict.fromkeys(clause_types))
    holders: dict[str, dict[str, int]] = {t: {} for t in types}
    count = 0
    for clause_type, platform_id, n in (await conn.execute(_CATALOGUE_COUNTS, {"types": types})).all():
        if clause_type is None:
            count = int(n)
        else:
            holders[str(clause_type)][str(platform_id)] = int(n)
    return holders, count


# Comparison candidates, in four steps. Per type, the `limit` latest assessments of other platforms (newest first)...
_RANKED = (
    select(
        _assessment.primary_clause_type.label("clause_type"),
        _assessment.platform_id,
        _assessment.document_id,
        _assessment.provision_id,
        _assessment.severity,
        _assessment.confidence,
        func.row_number()
        .over(partition_by=_assessment.primary_clause_type, order_by=_assessment.created_at.desc())
        .label("rank"),
    )
    .where(
        _assessment.primary_clause_type.in_(bindparam("types", expanding=True)),
        _assessment.platform_id != bindparam("platform_id"),
    )
    .subquery()
)
# ... of those, each platform's most confident (the newest of equals), which is the one pick_comparisons shows ...
_LATEST = _RANKED.c
_PER_PLATFORM = (
    select(
        _RANKED,
        func.row_number()
        .over(
            partition_by=(_LATEST.clause_type, _LATEST.platform_id),
            order_by=(_LATEST.confidence.desc(), _LATEST.rank),
        )
        .label("platform_rank"),
    )
    .where(_LATEST.rank <= bindparam("limit"))
    .subquery()
)
# ... and of those, the ones fewer than `pick` others beat on confidence: pick_comparisons takes the `pick` most
# confident (equals by platform id, a string order left to Python), so no other can be chosen ...
_BEST = (
    select(
        _PER_PLATFORM,
        func.rank()
        .over(partition_by=_PER_PLATFORM.c.clause_type, order_by=_PER_PLATFORM.c.confidence.desc())
        .label("confidence_rank"),
    )
    .where(_PER_PLATFORM.c.platform_rank == 1)
    .subquery()
)
# ... with their provision's key and text and their platform's name, in the order of the latest (newest first).
_CANDIDATES = (
    select(
        _BEST.c.clause_type,
        _BEST.c.platform_id,
        _BEST.c.document_id,
        _BEST.c.provision_id,
        _BEST.c.severity,
        _BEST.c.confidence,
        _provision.key,
        _provision.text,
        _platform.name,
    )
    .select_from(_BEST)
    .join(table_of(Provision), _provision.id == _BEST.c.provision_id)
    .join(table_of(Platform), _platform.id == _BEST.c.platform_id, isouter=True)
    .where(_BEST.c.confidence_rank <= bindparam("pick"))
    .order_by(_BEST.c.clause_type, _BEST.c.rank)
)


async def comparison_candidates(
    conn: AsyncConnection, clause_types: Iterable[str], platform_id: str, pick: int, limit: int = 60
) -> dict[str, list[dict[str, Any]]]:
    """Return, per clause type, what `pick_comparisons(…, limit=pick)` can choose from among the `limit` latest
    other platforms' provisions whose primary type it is: the same choice, from a few rows instead of `limit`.

    Of the latest, each platform's most confident, and of those only the ones fewer than `pick` others beat on
    confidence (ties kept), newest first. One query for all types, and only the columns a comparison shows: the
    candidates' texts, decoded and sorted in Python, were the analyzer's largest cost after its statements.
    """
    types = list(dict.fromkeys(clause_types))
    if not types or pick < 1:
        return {t: [] for t in types}
    result = await conn.execute(
        _CANDIDATES, {"types": types, "platform_id": platform_id, "limit": limit, "pick": pick}
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
    """When each provision key was seen and changed, since when the document is monitored, and the times of its
    platform's recent change sets."""

    seen: dict[str, list[datetime]]
    changed: dict[str, list[datetime]]
    monitored_since: datetime | None
    platform_changes: list[datetime]


# The four parts of document_history's statement, told apart by an inline constant (the text stays one statement).
_SEEN, _CHANGED, _FIRST, _RECENT = 0, 1, 2, 3


def _kind(kind: int) -> Any:
    return literal_column(str(kind))


_HISTORY = union_all(
    select(_kind(_SEEN).label("kind"), _provision.key.label("key"), _version.created_at.label("at"))
    .join(table_of(Version), _version.id == _provision.version_id)
    .where(_provision.document_id == bindparam("document_id")),
    select(_kind(_CHANGED), _change.provision_key, _change_set.created_at)
    .join(table_of(ChangeSet), _change_set.id == _change.change_set_id)
    .where(_change.document_id == bindparam("document_id"), _change.provision_key.is_not(None)),
    select(_kind(_FIRST), null(), func.min(_version.created_at)).where(
        _version.document_id == bindparam("document_id")
    ),
    select(_kind(_RECENT), null(), _change_set.created_at)
    .join(table_of(Document), _document.id == _change_set.document_id)
    .where(_document.platform_id == bindparam("platform_id"), _change_set.created_at >= bindparam("since")),
)


async def document_history(
    conn: AsyncConnection, document_id: str, platform_id: str, since: datetime
) -> DocumentHistory:
    """Return, per provision key, the versions' times it appears in and the change sets' times it changed in, the
    document's first version's time, and the times of the platform's change sets since `since` (one statement)."""
    statement = _HISTORY
    params = {"document_id": document_id, "platform_id": platform_id, "since": since}
    seen: dict[str, list[datetime]] = defaultdict(list)
    changed: dict[str, list[datetime]] = defaultdict(list)
    first: datetime | None = None
    recent: list[datetime] = []
    for kind, key, at in (await conn.execute(statement, params)).all():
        if kind == _SEEN:
            seen[key].append(at)
        elif kind == _CHANGED:
            changed[str(key)].append(at)
        elif kind == _FIRST:
            first = at
        else:
            recent.append(at)
    return DocumentHistory(dict(seen), dict(changed), first, recent)


@dataclass(frozen=True)
class ChangeRef:
    """The columns of a change its assessment needs (the differ's hints among them), and its existing assessment's
    event fields (None: none)."""

    id: str
    change_set_id: str
    document_id: str
    kind: str
    significance: str
    provision_key: str | None
    old_text: str | None
    new_text: str | None
    assessed: dict[str, Any] | None
    hints: list[str] = field(default_factory=list)


_CHANGES = (
    select(
        _change.id,
        _change.change_set_id,
        _change.document_id,
        _change.kind,
        _change.significance,
        _change.provision_key,
        _change.old_text,
        _change.new_text,
        _change.hints,
        _change_assessment.id.label("assessment_id"),
        _change_assessment.clause_types,
        _change_assessment.severity,
        _change_assessment.escalation,
        _change_assessment.regulations,
        _change_assessment.description,
    )
    .join(table_of(ChangeAssessment), _change_assessment.change_id == _change.id, isouter=True)
    .where(_change.change_set_id == bindparam("change_set_id"))
    .order_by(_change.ordinal)
)
_NAMED_CHANGES = _CHANGES.where(_change.id.in_(bindparam("change_ids", expanding=True)))


async def changes_of(conn: AsyncConnection, change_set_id: str, change_ids: Iterable[str]) -> list[ChangeRef]:
    """Return a change set's changes in order (those named, or all when none are named), each with the fields of its
    existing assessment that the ChangeAssessed event reads (outer-joined: at most one per change)."""
    ids = list(change_ids)
    if ids:
        result = await conn.execute(_NAMED_CHANGES, {"change_set_id": change_set_id, "change_ids": ids})
    else:
        result = await conn.execute(_CHANGES, {"change_set_id": change_set_id})
    out = []
    for row in result.mappings():
        assessed = None
        if row["assessment_id"] is not None:
            assessed = {
                "change_id": row["id"],
                "clause_types": row["clause_types"],
                "severity": row["severity"],
                "escalation": row["escalation"],
                "regulations": row["regulations"],
                "description": row["description"],
            }
        out.append(
            ChangeRef(
                row["id"],
                row["change_set_id"],
                row["document_id"],
                row["kind"],
                row["significance"],
                row["provision_key"],
                row["old_text"],
                row["new_text"],
                assessed,
                list(row["hints"] or []),
            )
        )
    return out


async def insert_provision_assessments(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ProvisionAssessment rows (every column given), skipping any whose unique keys exist; return how many.

    INSERT ... ON CONFLICT DO NOTHING (clausewatch_shared.db), so two handlers assessing the same version at once
    both succeed and the table holds each assessment once.
    """
    return await insert_json_rows(conn, ProvisionAssessment, rows)


_OLDER_READINGS = (
    delete(table_of(ProvisionAssessment))
    .where(_assessment.provision_id.in_(bindparam("provision_ids", expanding=True)))
    .where(_assessment.model_version != bindparam("model_version"))
)


async def drop_older_readings(conn: AsyncConnection, provision_ids: Sequence[str], model_version: str) -> int:
    """Delete the assessments of these provisions made by any other classifier version; return how many.

    A provision has one current reading: the pages, filters, rarity and comparisons all join its assessment, and two
    rows would count it twice or show a reading the installed rules no longer give (decision 0163). Change
    assessments are never dropped: they record what an alert said.
    """
    if not provision_ids:
        return 0
    result = await conn.execute(
        _OLDER_READINGS, {"provision_ids": list(provision_ids), "model_version": model_version}
    )
    return int(result.rowcount or 0)


async def insert_change_assessments(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ChangeAssessment rows (every column given) as `insert_provision_assessments` does."""
    return await insert_json_rows(conn, ChangeAssessment, rows)
