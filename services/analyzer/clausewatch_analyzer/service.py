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
from clausewatch_analyzer.assess import Context, ProvisionResult, added_protections, assess_change, gives_back
from clausewatch_analyzer.engine import Engine
from clausewatch_analyzer.history import RECENT_DAYS, platform_activity, provision_history
from clausewatch_analyzer.rarity import pick_comparisons, rarity
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed, ChangeDetected
from clausewatch_shared.messaging import PermanentError

log = structlog.get_logger("clausewatch.analyzer")


@dataclass(frozen=True)
class VersionAssessed:
    """The context a version's provisions were assessed in, how many it has and how many rows were new."""

    context: Context
    provisions: int
    created: int


def _context(scope: repository.Scope) -> Context:
    return Context(
        platform_name=scope.platform_name if scope.platform_name is not None else scope.platform_id,
        document_title=scope.document_title,
        jurisdictions=scope.jurisdictions,
        doc_type=scope.doc_type,
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
    """Five statements: the version's provisions and the document's history; then, once the provisions are
    classified, the catalogue's figures for their clause types, the comparison candidates and the insert."""
    version_tag = engine.classifier.version
    async with db.connection() as conn:
        work = await repository.version_work(conn, version_id, version_tag)
        if work is None:
            msg = f"version {version_id} is not in the database"
            raise PermanentError(msg)
        if not work.todo:
            return VersionAssessed(_context(work.scope), work.provisions, 0)
        scope = work.scope
        history = await repository.document_history(
            conn, scope.document_id, scope.platform_id, utcnow() - timedelta(days=RECENT_DAYS)
        )
    context = _context(scope)
    todo = work.todo
    # Classification is CPU work: keep the event loop free for acks and heartbeats while it runs.
    results: list[ProvisionResult] = await asyncio.to_thread(engine.assess, [p.text for p in todo], context)
    if engine.summarizer is not None:
        results = [await _summarise(engine, p.text, r, context) for p, r in zip(todo, results, strict=True)]
    platform_id = scope.platform_id
    now = utcnow()
    activity = platform_activity(history.platform_changes, now, context.platform_name)
    primaries = list(dict.fromkeys(r.primary.clause_type for r in results if r.primary))
    async with db.connection() as conn:
        catalogue: dict[str, dict[str, Any]] = {}
        if primaries:
            holders, platforms = await repository.catalogue_counts(conn, primaries)
            candidates = (
                await repository.comparison_candidates(conn, primaries, platform_id, comparisons)
                if comparisons
                else {}
            )
            # Rarity and comparisons depend on the clause type only (one platform, one moment): once per type.
            for primary in primaries:
                facts: dict[str, Any] = {
                    "rarity": rarity(primary, platform_id, holders.get(primary, {}), platforms).as_dict()
                }
                facts["comparisons"] = pick_comparisons(candidates.get(primary, []), platform_id, comparisons)
                catalogue[primary] = facts
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
                extra.update(catalogue[result.primary.clause_type])
            rows.append(
                records.provision_row(provision, platform_id, result, version_tag, engine.taxonomy, extra)
            )
        created = await repository.insert_provision_assessments(conn, rows)
        # one reading per provision: an earlier classifier version's goes (decision 0163); no statement when none has
        replaced = await repository.drop_older_readings(conn, work.superseded, version_tag)
    log.info(
        "version_assessed",
        version_id=version_id,
        provisions=work.provisions,
        created=created,
        replaced=replaced,
    )
    return VersionAssessed(context, work.provisions, created)


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

    One transaction reads all it needs (both versions' scope and unassessed counts, the changes with any existing
    assessments: two statements); the usual case then assesses nothing more before computing the changes' rows.
    """
    versions = (event.version_id, event.previous_version_id)
    async with db.connection() as conn:
        scopes = await repository.version_scopes(conn, versions, engine.classifier.version)
        for version_id in versions:
            if version_id not in scopes:
                msg = f"version {version_id} is not in the database"
                raise PermanentError(msg)
        changes = await repository.changes_of(conn, event.change_set_id, event.change_ids)
    for version_id in versions:
        if scopes[version_id][1]:
            await assess_version(db, engine, version_id, comparisons)
    context = _context(scopes[event.version_id][0])
    todo = [c for c in changes if c.assessed is None]

    def compute() -> list[dict[str, Any]]:
        # Both sides' texts were assessed with their versions just above: the engine's memo returns those results
        # (identical to a fresh assessment) instead of classifying them again. A missing side stays None.
        texts = [t for c in todo for t in (c.old_text, c.new_text) if t is not None]
        assessed = dict(zip(texts, engine.assess(texts, context), strict=True))
        added = [
            (assessed[c.new_text], c.new_text)
            for c in todo
            if c.new_text is not None and gives_back(c.kind, c.hints)
        ]
        replaced = added_protections(added, engine.taxonomy)
        rows = []
        for change in todo:
            old = assessed[change.old_text] if change.old_text is not None else None
            new = assessed[change.new_text] if change.new_text is not None else None
            result = assess_change(
                change.kind,
                old,
                new,
                change.old_text,
                change.new_text,
                engine.classifier,
                replaced,
                significance=change.significance,
                hints=change.hints,
            )
            # The change touches both sides' laws (result.regulations): each needs its details, or alerts print a
            # removed provision's "icdpa" beside the new text's "GDPR".
            details = records.regulation_details_of(new, old)
            rows.append(records.change_row(change, event.platform_id, result, engine.taxonomy, details))
        return rows

    rows = await asyncio.to_thread(compute) if todo else []
    if rows:
        async with db.connection() as conn:
            await repository.insert_change_assessments(conn, rows)
    new_rows = {row["change_id"]: row for row in rows}
    all_rows = [c.assessed or new_rows[c.id] for c in changes]
    significance = {c.id: c.significance for c in changes}
    log.info(
        "change_set_assessed", change_set_id=event.change_set_id, changes=len(changes), created=len(rows)
    )
    return records.change_assessed_event(event, all_rows, significance, engine.taxonomy)
