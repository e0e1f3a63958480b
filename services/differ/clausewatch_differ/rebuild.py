"""Rebuilding versions from stored snapshots after an extraction fix, without alerting on what the fix changed.

Snapshots are evidence and never change; versions are derived from them by a given extractor. After a fix
(a new `EXTRACTOR_VERSION`), `rebuild_document` walks a document's snapshots in capture order and records a
version chain with the current extractor beside the old one. The first rebuilt version inherits provision keys
from the old version of the same snapshot (a rebase: no change set); later ones are compared with the rebuilt
chain, so their change sets reflect the documents, not the extractor. Nothing is published: subscribers were
told about real changes when they were captured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from clausewatch_differ import store
from clausewatch_differ.extract import Spec, extractor_version
from clausewatch_differ.plan import Previous, VersionPlan, plan_version
from clausewatch_differ.settings import DifferSettings
from clausewatch_differ.sources import load_text
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.messaging import PermanentError
from clausewatch_shared.models import Provision, Snapshot, Version
from clausewatch_shared.runtime import Runtime


@dataclass
class RebuildReport:
    """What a rebuild did."""

    document_id: str
    snapshots: int = 0
    versions: int = 0
    unchanged: int = 0
    kept: int = 0
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Return one line for the operator."""
        text = (
            f"{self.document_id}: {self.snapshots} snapshots, {self.versions} versions rebuilt with extractor "
            f"{extractor_version()}, {self.unchanged} unchanged, {self.kept} already current"
        )
        if self.errors:
            text += f", {len(self.errors)} unreadable: " + "; ".join(self.errors[:5])
        return text


async def _previous_of(db: Database, version: Version) -> Previous:
    async with db.session() as session:
        keys = await session.exec(
            select(Provision.key).where(Provision.version_id == version.id).order_by(col(Provision.ordinal))
        )
        return Previous(version, list(keys.all()))


async def _old_version(db: Database, snapshot: Snapshot) -> Version | None:
    async with db.session() as session:
        result = await session.exec(
            select(Version)
            .where(Version.snapshot_id == snapshot.id, Version.extractor_version != extractor_version())
            .order_by(col(Version.created_at).desc())
        )
        return result.first()


async def _saved(db: Database, plan: VersionPlan) -> Previous:
    """Write a planned version; return it, or the one stored first under its id by a concurrent writer."""
    async with db.session() as session:
        if await store.save(session, plan):
            return Previous(plan.version, plan.keys())
        return await store.previous_by_id(session, plan.version.id)


async def rebase(db: Database, blobs: BlobStore, previous: Previous, spec: Spec) -> Previous:
    """Return `previous` re-recorded with the current extractor (written if missing), keys carried over."""
    async with db.session() as session:
        done = await store.version_for(session, previous.version.snapshot_id, extractor_version())
        snapshot = await session.get(Snapshot, previous.version.snapshot_id)
    if done is not None:
        return await _previous_of(db, done)
    if snapshot is None:
        return previous
    text = await load_text(blobs, snapshot.parts, spec)
    plan = plan_version(
        document_id=previous.version.document_id,
        snapshot_id=snapshot.id,
        text=text,
        previous=previous,
        rebase=True,
    )
    assert plan is not None
    return await _saved(db, plan)


async def rebuild(db: Database, blobs: BlobStore, document_id: str) -> RebuildReport:
    """Rebuild a document's version chain with the current extractor (see the module docstring)."""
    report = RebuildReport(document_id)
    async with db.session() as session:
        document = await store.document(session, document_id)
        if document is None:
            msg = f"document {document_id} is not in the catalogue"
            raise LookupError(msg)
        spec = Spec.from_json(document.spec)
        snapshots = await store.snapshots_of(session, document_id)
    report.snapshots = len(snapshots)
    previous: Previous | None = None
    for snapshot in snapshots:
        async with db.session() as session:
            done = await store.version_for(session, snapshot.id, extractor_version())
        if done is not None:
            previous = await _previous_of(db, done)
            report.kept += 1
            continue
        old = await _old_version(db, snapshot)
        if previous is None and old is not None:
            previous = await rebase(db, blobs, await _previous_of(db, old), spec)
            report.versions += 1
            continue
        try:
            text = await load_text(blobs, snapshot.parts, spec)
        except PermanentError as exc:
            report.errors.append(f"{snapshot.id}: {exc}")
            continue
        plan = plan_version(
            document_id=document_id,
            snapshot_id=snapshot.id,
            text=text,
            previous=previous,
            today=snapshot.captured_at.date(),
        )
        if plan is None:
            report.unchanged += 1
            continue
        previous = await _saved(db, plan)
        report.versions += 1
    return report


async def rebuild_document(settings: DifferSettings, document_id: str) -> RebuildReport:
    """Open the database and blob store named by settings and rebuild one document."""
    runtime = Runtime.create(settings, "differ-reextract")
    try:
        return await rebuild(runtime.db, runtime.blobs, document_id)
    finally:
        await runtime.broker.stop()
        await runtime.db.dispose()
