"""Everything the provision page shows: the clause, its analysis, rarity, stability, history, laws, the same
clause elsewhere, and a citation record whose SHA-256 is checked again against the stored bytes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api import comparisons, evidence, present, queries, stability
from clausewatch_api.readmodel import ACTIVITY_DAYS
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.current import current_version_ids
from clausewatch_shared.models import Document, Platform, Snapshot, Version
from clausewatch_shared.stated_dates import stated_dates

ELSEWHERE_LIMIT = 6
OTHER_RISKS_LIMIT = 8


async def provision_detail(
    session: AsyncSession, id_or_key: str, blobs: BlobStore, base_url: str, now: datetime
) -> dict[str, Any] | None:
    """Return the provision page's data for a provision id or stable key, or None if there is no such provision."""
    prov = await queries.find_provision(session, id_or_key)
    if prov is None:
        return None
    version = await session.get(Version, prov.version_id)
    doc = await session.get(Document, prov.document_id)
    plat = await session.get(Platform, doc.platform_id) if doc else None
    snap = await session.get(Snapshot, version.snapshot_id) if version else None
    raw_assessment = (await queries.provision_assessments(session, [prov.id])).get(prov.id)
    assessment = present.provision_assessment(raw_assessment)
    # Every document's newest version, read once: rarity and comparisons both look at current provisions only.
    all_current = await current_version_ids(session)
    current = {prov.document_id: all_current[prov.document_id]} if prov.document_id in all_current else {}
    current_ids = list(all_current.values())
    platform_id = doc.platform_id if doc else ""

    sightings = await queries.provision_sightings(session, prov.key)
    history = await queries.provision_changes(session, prov.key)
    change_assessments = await queries.change_set_assessments(session, {cs.id for _, cs in history})
    by_change = {a.change_id: a for rows in change_assessments.values() for a in rows}
    monitored_since = await queries.first_capture_at(session, prov.document_id)
    stab = stability.stability(
        changes=len(history),
        first_seen=sightings[0][1].created_at if sightings else None,
        last_seen=(doc.last_captured_at if doc and doc.last_captured_at else None)
        or (sightings[-1][1].created_at if sightings else None),
        monitored_since=monitored_since,
        now=now,
    )

    clause = raw_assessment.primary_clause_type if raw_assessment else None
    rarity = None
    elsewhere: list[dict[str, Any]] = []
    if clause:
        other_platforms, other_provisions = await queries.clause_type_spread(
            session, clause, platform_id, current_ids
        )
        rarity = stability.rarity(
            other_platforms=other_platforms,
            total_platforms=await queries.count_platforms(session),
            other_provisions=other_provisions,
        )
        chosen = comparisons.best_per_platform(
            await queries.same_clause_candidates(session, clause, platform_id, current_ids), ELSEWHERE_LIMIT
        )
        texts = await queries.provisions_by_id(session, [c.provision_id for c in chosen])
        other_docs = await queries.by_ids(session, Document, (p.document_id for p in texts.values()))
        other_plats = await queries.by_ids(session, Platform, (c.platform_id for c in chosen))
        for candidate in chosen:
            other_p = texts[candidate.provision_id]
            elsewhere.append(
                present.statement(
                    candidate,
                    other_p,
                    other_docs.get(other_p.document_id),
                    other_plats.get(candidate.platform_id),
                    300,
                )
            )

    recent = await queries.change_set_times(session, platform_id, since=now - timedelta(days=ACTIVITY_DAYS))
    risks = comparisons.risks_by_type(
        await queries.serious_provisions_of_version(session, prov.version_id, prov.id),
        clause,
        OTHER_RISKS_LIMIT,
    )
    lead_ids = [risk.lead.provision_id for risk in risks]
    leads = await queries.provisions_by_id(session, lead_ids)
    lead_assessments = await queries.provision_assessments(session, lead_ids)
    record = _citation(prov, doc, plat, snap, base_url, now)
    verification = await evidence.verify_snapshot(blobs, snap) if snap else None
    return {
        "provision": present.provision(prov, raw_assessment),
        "title": present.provision_title(prov, raw_assessment),
        "is_current": prov.version_id in current.values(),
        "current_version_id": current.get(prov.document_id),
        "platform": present.platform(plat) if plat else None,
        "document": present.document(doc) if doc else None,
        "version": present.version(version) if version else None,
        "assessment": assessment,
        "rarity": rarity,
        "stability": {
            **stab,
            "first_seen": present.iso(stab["first_seen"]),
            "last_seen": present.iso(stab["last_seen"]),
        },
        "history": [
            {
                "change_id": change.id,
                "change_set_id": cs.id,
                "kind": change.kind,
                "significance": change.significance,
                "at": present.iso(cs.created_at),
                "description": (by_change[change.id].description if change.id in by_change else "")
                or change.summary,
                "severity_before": by_change[change.id].severity_before if change.id in by_change else None,
                "severity_after": by_change[change.id].severity_after if change.id in by_change else None,
                "escalation": by_change[change.id].escalation if change.id in by_change else None,
            }
            for change, cs in history
        ],
        "elsewhere": elsewhere,
        "activity": {"days": ACTIVITY_DAYS, "change_sets": len(recent)},
        "other_risks": [
            {
                "provision_id": risk.lead.provision_id,
                "clause_type": risk.lead.clause_type,
                "title": present.provision_title(
                    leads[risk.lead.provision_id], lead_assessments.get(risk.lead.provision_id)
                ),
                "severity": risk.lead.severity,
                "provisions": risk.provisions,
            }
            for risk in risks
        ],
        "permalink": f"{base_url}/provisions/{prov.key}",
        "record": _document_record(doc, plat, version, monitored_since),
        "citation": record,
        "citation_text": evidence.citation_text(record) if record else "",
        "verification": verification,
    }


def _document_record(
    doc: Document | None, plat: Platform | None, version: Version | None, monitored_since: datetime | None
) -> dict[str, Any]:
    """The seed pages' "document information" and "tracking information": the dates the version states for itself
    ("Last updated", "Effective"), when we first captured the document and when we last confirmed it."""
    stated = stated_dates(version.text) if version is not None else {}
    return {
        "document": doc.title if doc else "",
        "entity": plat.name if plat else (doc.platform_id if doc else ""),
        "last_updated": stated["last_updated"].text() if "last_updated" in stated else None,
        "effective": stated["effective"].text() if "effective" in stated else None,
        "first_tracked": present.iso(monitored_since),
        "last_verified": present.iso(doc.last_captured_at) if doc else None,
    }


def _citation(
    prov: Any,
    doc: Document | None,
    plat: Platform | None,
    snap: Snapshot | None,
    base_url: str,
    now: datetime,
) -> dict[str, Any] | None:
    if snap is None:
        return None
    part = snap.parts[0] if snap.parts else {}
    return {
        "platform_name": plat.name if plat else (doc.platform_id if doc else ""),
        "document_title": doc.title if doc else prov.document_id,
        "document_id": prov.document_id,
        "provision_id": prov.id,
        "provision_key": prov.key,
        "snapshot_id": snap.id,
        "captured_at": present.iso(snap.captured_at),
        "sha256": snap.sha256,
        "parts": [dict(p) for p in snap.parts],
        "source_url": part.get("url") or (doc.urls[0] if doc and doc.urls else ""),
        "archive_url": snap.archive_url,
        "fetcher": snap.fetcher,
        **present.capture_method(snap),
        "permalink": f"{base_url}/provisions/{prov.key}",
        "accessed": now.date().isoformat(),
    }
