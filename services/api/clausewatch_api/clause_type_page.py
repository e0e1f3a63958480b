"""The clause-type pages: the overview of every clause type the watched documents hold, and for one type how every
platform states it, each by its most serious provision, with the routes its text gives and what those routes do not
stop (the seeds' "How 10 AI platforms describe …"). The type's name is the label its assessments recorded: the api
reads no taxonomy (services stay independent)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api import comparisons, present, queries
from clausewatch_api.filters import SEVERITY_RANK, max_severity
from clausewatch_shared.current import current_version_ids
from clausewatch_shared.models import Document, Platform

EXCERPT_CHARS = 400
# Every platform with the type is shown: a catalogue of a few hundred platforms makes a long page, not a slow one
# (one query for the candidates, one per table for the chosen rows).
PLATFORM_LIMIT = 500


async def clause_types_overview(session: AsyncSession) -> dict[str, Any]:
    """Return every clause type that is the main type of a current provision: how many platforms and provisions have
    it and how serious they are, the most widespread first."""
    current = list((await current_version_ids(session)).values())
    platforms: dict[str, set[str]] = {}
    provisions: Counter[str] = Counter()
    severities: dict[str, Counter[str]] = {}
    for clause_type, platform_id, severity, count in await queries.clause_type_counts(session, current):
        platforms.setdefault(clause_type, set()).add(platform_id)
        provisions[clause_type] += count
        severities.setdefault(clause_type, Counter())[severity] += count
    labels = await labels_of(session, platforms)
    rows: list[dict[str, Any]] = [
        {
            "clause_type": clause_type,
            "label": labels.get(clause_type) or present.humanise(clause_type),
            "platforms": len(platforms[clause_type]),
            "provisions": provisions[clause_type],
            "severities": present.severity_summary(severities[clause_type]),
        }
        for clause_type in platforms
    ]
    rows.sort(key=lambda row: (-row["platforms"], -row["provisions"], row["label"]))
    return {"rows": rows, "watched": await queries.count_platforms(session)}


async def platform_clause_types(session: AsyncSession, current: list[str]) -> list[dict[str, Any]]:
    """Return the clause types of one platform's `current` versions: each with its provisions and the most serious
    severity among them, the most serious first (the platform page links each to its comparison)."""
    provisions: Counter[str] = Counter()
    worst: dict[str, str] = {}
    for clause_type, _, severity, count in await queries.clause_type_counts(session, current):
        provisions[clause_type] += count
        worst[clause_type] = max_severity([worst.get(clause_type), severity])
    labels = await labels_of(session, provisions)
    rows: list[dict[str, Any]] = [
        {
            "clause_type": clause_type,
            "label": labels.get(clause_type) or present.humanise(clause_type),
            "provisions": count,
            "severity": worst[clause_type],
        }
        for clause_type, count in provisions.items()
    ]
    rows.sort(key=lambda row: (-SEVERITY_RANK.get(row["severity"], 0), -row["provisions"], row["label"]))
    return rows


async def clause_type_detail(session: AsyncSession, clause_type: str) -> dict[str, Any] | None:
    """Return the page's data, or None when no current provision has `clause_type` as its main type."""
    current = list((await current_version_ids(session)).values())
    candidates = await queries.same_clause_candidates(session, clause_type, None, current)
    if not candidates:
        return None
    chosen = comparisons.best_per_platform(candidates, PLATFORM_LIMIT)
    provisions = await queries.provisions_by_id(session, [c.provision_id for c in chosen])
    # Routes and carve-outs are read from every provision of the type: a platform's most serious statement of it
    # often names no route, and the next paragraph says where to object (Grok's "you can object … in your settings").
    assessments = await queries.provision_assessments(session, {c.provision_id for c in candidates})
    platforms = await queries.by_ids(session, Platform, (c.platform_id for c in chosen))
    documents = await queries.by_ids(session, Document, (p.document_id for p in provisions.values()))
    routes: dict[str, set[str]] = {}
    carve_outs: dict[str, list[str]] = {}
    per_platform: Counter[str] = Counter()
    for provision_id, candidate in {c.provision_id: c for c in candidates}.items():
        per_platform[candidate.platform_id] += 1
        assessment = present.provision_assessment(assessments.get(provision_id)) or {}
        routes.setdefault(candidate.platform_id, set()).update(
            o["value"] for o in assessment.get("opt_outs", []) if o["value"]
        )
        said = carve_outs.setdefault(candidate.platform_id, [])
        said.extend(c for c in assessment.get("texts", {}).get("carve_outs", []) if c not in said)
    rows: list[dict[str, Any]] = []
    for candidate in chosen:
        provision = provisions[candidate.provision_id]
        shown = present.statement(
            candidate,
            provision,
            documents.get(provision.document_id),
            platforms.get(candidate.platform_id),
            EXCERPT_CHARS,
        )
        rows.append(
            {
                **shown,
                "routes": sorted(routes[candidate.platform_id]),
                "carve_outs": carve_outs[candidate.platform_id],
                "provisions": per_platform[candidate.platform_id],
            }
        )
    label = (await labels_of(session, [clause_type])).get(clause_type) or present.humanise(clause_type)
    missing, watched = await _platforms_without(session, {c.platform_id for c in chosen})
    return {
        "clause_type": clause_type,
        "label": label,
        "rows": rows,
        "watched": watched,
        "severities": present.severity_summary(Counter(c.severity for c in chosen)),
        "with_routes": sum(1 for row in rows if row["routes"]),
        "with_carve_outs": sum(1 for row in rows if row["carve_outs"]),
        "without": missing,
    }


async def labels_of(session: AsyncSession, clause_types: Iterable[str]) -> dict[str, str]:
    """Each clause type's label as its assessments recorded it."""
    labels: dict[str, str] = {}
    for clause_type, entries in (await queries.clause_type_entries(session, clause_types)).items():
        for entry in present.clause_types(entries):
            if entry["id"] == clause_type and entry["label"]:
                labels[clause_type] = str(entry["label"])
    return labels


async def _platforms_without(session: AsyncSession, having: set[str]) -> tuple[list[dict[str, str]], int]:
    """The watched platforms not in `having`, and how many platforms are watched (one paged read gives both)."""
    platforms, watched = await queries.list_platforms(session, limit=PLATFORM_LIMIT, offset=0)
    return [{"id": p.id, "name": p.name} for p in platforms if p.id not in having], watched
