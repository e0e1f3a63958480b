"""The analyzer's use cases: assess a version's provisions, assess a change set. Database in, rows out.

Both are idempotent: rows have ids derived from their inputs and unique keys, existing rows are reused, and rows
a concurrent writer inserted first are skipped (INSERT ... ON CONFLICT DO NOTHING), since both computed the same.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import structlog

from clausewatch_analyzer import records, repository
from clausewatch_analyzer.assess import Context, ProvisionResult, assess_change
from clausewatch_analyzer.engine import Engine
from clausewatch_analyzer.history import RECENT_DAYS, platform_activity, provision_history
from clausewatch_analyzer.rarity import pick_comparisons, rarity
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed, ChangeDetected
from clausewatch_shared.messaging import PermanentError
from clausewatch_shared.models import ChangeAssessment, Document, Platform, ProvisionAssessment

log = structlog.get_logger("clausewatch.analyzer")


@dataclass(frozen=True)
class VersionAssessed:
    """The context a version's provisions were assessed in, how many it has and how many rows were new."""

    context: Context
    provisions: int
    created: int


def _context(document: Document, platform: Platform | None) -> Context:
    return Context(
        platform_name=platform.name if platform else document.platform_id,
        document_title=document.title,
        jurisdictions=tuple(platform.jurisdictions) if platform else (),
    )


# Runs of assess_version in progress in this process, by (event loop, database, engine, version).
_in_flight: dict[tuple[int, int, int, str], asyncio.Future[VersionAssessed]] = {}


async def assess_version(
    db: Database, engine: Engine, version_id: str, comparisons: int = 3
) -> VersionAssessed:
    """Assess every provision of a version not yet assessed by this classifier version.

    The differ publishes VersionRecorded and ChangeDetected together, and both handlers assess the new version:
    a call while another for the same version runs in this process waits for that run instead of doing it again
    (it used to repeat every query and the insert). Shielded, so one caller's cancellation does not cancel the
    run the other awaits.
    """
    key = (id(asyncio.get_running_loop()), id(db), id(engine), version_id)
    flight = _in_flight.get(key)
    if flight is None:
        flight = asyncio.ensure_future(_assess_version(db, engine, version_id, comparisons))
        _in_flight[key] = flight
        flight.add_done_callback(lambda _: _in_flight.pop(key, None))
    return await asyncio.shield(flight)


async def _assess_version(db: Database, engine: Engine, version_id: str, comparisons: int) -> VersionAssessed:
    version_tag = engine.classifier.version
    async with db.session() as session:
        ctx = await repository.version_context(session, version_id)
        if ctx is None:
            msg = f"version {version_id} is not in the database"
            raise PermanentError(msg)
        existing = await repository.assessed_provisions(session, version_id, version_tag)
    context = _context(ctx.document, ctx.platform)
    todo = [p for p in ctx.provisions if p.id not in existing]
    if not todo:
        return VersionAssessed(context, len(ctx.provisions), 0)
    # Classification is CPU work: keep the event loop free for acks and heartbeats while it runs.
    results: list[ProvisionResult] = await asyncio.to_thread(engine.assess, [p.text for p in todo], context)
    if engine.summarizer is not None:
        results = [await _summarise(engine, p.text, r, context) for p, r in zip(todo, results, strict=True)]
    platform_id = ctx.document.platform_id
    now = utcnow()
    async with db.session() as session:
        history = await repository.document_history(session, ctx.document.id)
        recent = await repository.platform_change_times(
            session, platform_id, now - timedelta(days=RECENT_DAYS)
        )
        activity = platform_activity(recent, now, context.platform_name)
        primaries = {r.primary.clause_type for r in results if r.primary}
        holders = await repository.holders(session, primaries)
        platforms = await repository.platform_count(session)
        candidates = (
            await repository.comparison_candidates(session, primaries, platform_id) if comparisons else {}
        )
        rows = []
        for provision, result in zip(todo, results, strict=True):
            extra: dict[str, Any] = {
                "history": provision_history(
                    history.seen.get(provision.key, []),
                    history.changed.get(provision.key, []),
                    history.monitored_since,
                    now,
                ),
                "platform_activity": activity,
            }
            if result.primary:
                primary = result.primary.clause_type
                extra["rarity"] = rarity(primary, platform_id, holders.get(primary, {}), platforms).as_dict()
                extra["comparisons"] = pick_comparisons(candidates.get(primary, []), platform_id, comparisons)
            rows.append(
                records.provision_row(provision, platform_id, result, version_tag, engine.taxonomy, extra)
            )
        created = await repository.insert_values(session, ProvisionAssessment, rows)
    log.info("version_assessed", version_id=version_id, provisions=len(ctx.provisions), created=created)
    return VersionAssessed(context, len(ctx.provisions), created)


async def _summarise(engine: Engine, text: str, result: ProvisionResult, context: Context) -> ProvisionResult:
    """Let the optional summariser rewrite "what it is" (provisions with a clause type only)."""
    if engine.summarizer is None or result.primary is None or not result.texts:
        return result
    name = engine.taxonomy[result.primary.clause_type].name
    summary, generated_by = await engine.summarizer.what_it_is(
        text, context.platform_name, name, result.texts["what_it_is"]
    )
    return replace(result, texts={**result.texts, "what_it_is": summary, "generated_by": generated_by})


async def assess_change_set(
    db: Database, engine: Engine, event: ChangeDetected, comparisons: int = 3
) -> ChangeAssessed:
    """Make sure both versions are assessed, assess each change, and return the ChangeAssessed event.

    One transaction reads all it needs (both versions' scope and unassessed counts, the changes, their existing
    assessments: four queries); the usual case then assesses nothing more before computing the changes' rows.
    """
    versions = (event.version_id, event.previous_version_id)
    async with db.session() as session:
        scopes = await repository.version_scopes(session, versions)
        for version_id in versions:
            if version_id not in scopes:
                msg = f"version {version_id} is not in the database"
                raise PermanentError(msg)
        missing = await repository.unassessed_counts(session, versions, engine.classifier.version)
        changes = await repository.changes_of(session, event.change_set_id, event.change_ids)
        existing = await repository.change_assessments_for(session, (c.id for c in changes))
    for version_id in versions:
        if missing.get(version_id):
            await assess_version(db, engine, version_id, comparisons)
    context = _context(*scopes[event.version_id])
    todo = [c for c in changes if c.id not in existing]

    def compute() -> list[ChangeAssessment]:
        # Both sides' texts were assessed with their versions just above: the engine's memo returns those results
        # (identical to a fresh assessment) instead of classifying them again. A missing side stays None.
        texts = [t for c in todo for t in (c.old_text, c.new_text) if t is not None]
        assessed = dict(zip(texts, engine.assess(texts, context), strict=True))
        rows = []
        for change in todo:
            old = assessed[change.old_text] if change.old_text is not None else None
            new = assessed[change.new_text] if change.new_text is not None else None
            result = assess_change(change.kind, old, new, change.old_text, change.new_text, engine.classifier)
            side = new or old
            details = side.regulation_details if side is not None else []
            rows.append(records.change_row(change, event.platform_id, result, engine.taxonomy, details))
        return rows

    rows = await asyncio.to_thread(compute)
    if rows:
        async with db.session() as session:
            await repository.insert_new(session, rows)
    all_rows = [existing.get(c.id) or next(r for r in rows if r.change_id == c.id) for c in changes]
    significance = {c.id: c.significance for c in changes}
    log.info(
        "change_set_assessed", change_set_id=event.change_set_id, changes=len(changes), created=len(rows)
    )
    return records.change_assessed_event(event, all_rows, significance, engine.taxonomy)
