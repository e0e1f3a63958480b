"""What each page and endpoint shows, assembled from queries and shaped by `present` (no HTTP here).

The JSON API and the HTML pages call the same functions, so a page never shows something the API cannot give.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api import diffview, present, queries, timeline
from clausewatch_api.clause_type_page import platform_clause_types
from clausewatch_api.filters import ChangeFilter, max_severity
from clausewatch_shared.current import current_version_ids
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Snapshot,
    Version,
)

ACTIVITY_DAYS = 30


async def change_set_page(
    session: AsyncSession, flt: ChangeFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Return a page of change set headlines matching the filter, and how many match."""
    rows, total = await queries.list_change_sets(session, flt, limit, offset)
    return await headlines(session, rows), total


async def headlines(session: AsyncSession, rows: list[ChangeSet]) -> list[dict[str, Any]]:
    """Return the headline of each change set, loading documents, platforms and assessments in bulk."""
    assessed = await queries.change_set_assessments(session, (r.id for r in rows))
    # Each set's most serious change is shown with its place and first words: one query for the changes that could
    # be it (equals are told apart by their place in the document).
    candidates = (a for r in rows for a in present.serious_candidates(assessed.get(r.id, [])))
    changes = await queries.by_ids(session, Change, (a.change_id for a in candidates))
    return await _headlines(session, rows, assessed, changes)


async def _headlines(
    session: AsyncSession,
    rows: list[ChangeSet],
    assessed: Mapping[str, list[ChangeAssessment]],
    changes: Mapping[str, Change],
) -> list[dict[str, Any]]:
    """Return the headlines of change sets whose assessments and candidate changes the caller has loaded."""
    docs = await queries.by_ids(session, Document, (r.document_id for r in rows))
    plats = await queries.by_ids(session, Platform, (d.platform_id for d in docs.values()))
    out = []
    for row in rows:
        doc = docs.get(row.document_id)
        plat = plats.get(doc.platform_id) if doc else None
        out.append(present.change_set(row, doc, plat, assessed.get(row.id, []), changes))
    return out


async def change_set_detail(session: AsyncSession, change_set_id: str) -> dict[str, Any] | None:
    """Return a change set with every change, its side-by-side diff and its classification."""
    row = await session.get(ChangeSet, change_set_id)
    if row is None:
        return None
    # Its assessments and changes are read once, for the headline and for the list of changes.
    assessments = await queries.change_set_assessments(session, [row.id])
    rows = await queries.changes_of(session, row.id)
    (head,) = await _headlines(session, [row], assessments, {c.id: c for c in rows})
    assessed = {a.change_id: a for a in assessments[row.id]}
    changes = []
    for change in rows:
        item = present.change(change, assessed.get(change.id))
        view = diffview.side_by_side(change.diff, change.old_text, change.new_text)
        item["side_by_side"] = {"old": view.old, "new": view.new}
        item["words"] = {"deleted": view.deleted_words, "inserted": view.inserted_words}
        changes.append(item)
    version = await session.get(Version, row.version_id)
    previous = await session.get(Version, row.previous_version_id)
    restored = await session.get(Version, row.restores_version_id) if row.restores_version_id else None
    snap = await session.get(Snapshot, version.snapshot_id) if version else None
    return {
        **head,
        "changes": changes,
        "version": present.version(version) if version else None,
        "previous_version": present.version(previous) if previous else None,
        "restored_version": present.version(restored) if restored else None,
        "snapshot": present.snapshot(snap) if snap else None,
    }


async def platform_detail(session: AsyncSession, platform_id: str, now: datetime) -> dict[str, Any] | None:
    """Return a platform with its documents, recent activity, severity summary and a timeline chart."""
    plat = await session.get(Platform, platform_id)
    if plat is None:
        return None
    docs, _ = await queries.list_documents(session, platform_id, limit=500, offset=0)
    current = await current_version_ids(session, [d.id for d in docs])
    history = await queries.change_set_times(session, platform_id)
    assessed = await queries.change_set_assessments(session, (cs.id for cs, _ in history))
    severities = {
        cs.id: max_severity([a.severity for a in assessed[cs.id]]) if assessed[cs.id] else None
        for cs, _ in history
    }
    since = now - timedelta(days=ACTIVITY_DAYS)
    recent = [cs for cs, _ in history if cs.created_at >= since]
    change_counts: dict[str, int] = {}
    for cs, _ in history:
        sev = severities[cs.id] or "unassessed"
        change_counts[sev] = change_counts.get(sev, 0) + 1
    bars = timeline.buckets([(cs.created_at, severities[cs.id]) for cs, _ in history], end=now)
    failures = await queries.recent_failures(session, [d.id for d in docs], limit=10)
    latest = list(reversed(history))[:20]
    documents = []
    for d in docs:
        item = present.document(d)
        item["current_version_id"] = current.get(d.id)
        item["change_count"] = sum(1 for cs, _ in history if cs.document_id == d.id)
        documents.append(item)
    return {
        "platform": present.platform(plat),
        "documents": documents,
        "activity": {
            "days": ACTIVITY_DAYS,
            "change_sets": len(recent),
            "substantive": sum(1 for cs in recent if cs.substantive),
            "total_change_sets": len(history),
        },
        "provision_severities": present.severity_summary(
            await queries.platform_provision_severities(session, platform_id)
        ),
        "clause_types": await platform_clause_types(session, list(current.values())),
        "change_severities": [
            *present.severity_summary(change_counts),
            {
                "severity": "unassessed",
                "label": "Not yet assessed",
                "count": change_counts.get("unassessed", 0),
            },
        ],
        "timeline": {
            "svg": timeline.svg(bars),
            "description": timeline.describe(bars),
            "bars": [{"start": b.start.isoformat(), "counts": b.counts} for b in bars if b.total],
        },
        "recent_changes": await headlines(session, [cs for cs, _ in latest]),
        "failures": [
            {"document_id": f.document_id, "cause": f.cause, "detail": f.detail, "at": present.iso(f.at)}
            for f in failures
        ],
    }


async def document_detail(session: AsyncSession, document_id: str) -> dict[str, Any] | None:
    """Return a document with its current provisions and its versions."""
    doc = await session.get(Document, document_id)
    if doc is None:
        return None
    plat = await session.get(Platform, doc.platform_id)
    versions, total = await queries.list_versions(session, document_id, limit=50, offset=0)
    provisions = await queries.version_provisions(session, versions[0].id) if versions else []
    assessed = await queries.provision_assessments(session, (p.id for p in provisions))
    changes, _ = await change_set_page(session, ChangeFilter(documents=(document_id,)), 20, 0)
    snap = await queries.latest_snapshot(session, document_id)
    return {
        "document": present.document(doc),
        "platform": present.platform(plat) if plat else None,
        "versions": [present.version(v) for v in versions],
        "version_count": total,
        "provisions": [
            {
                **present.provision(p, assessed.get(p.id)),
                "title": present.provision_title(p, assessed.get(p.id)),
            }
            for p in provisions
        ],
        "changes": changes,
        "latest_snapshot": present.snapshot(snap) if snap else None,
    }
