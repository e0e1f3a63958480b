"""Rebuilding versions after an extraction fix: keys survive and nothing is alerted for what the fix changed."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from clausewatch_differ import extract as extract_module
from clausewatch_differ import store as store_module
from clausewatch_differ.rebuild import rebuild
from clausewatch_differ.settings import DifferSettings
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import ChangeSet, Provision, Version
from tests.integration.differ.conftest import add_catalogue, capture, running_differ

PAGE = b"""<html><body><main><h1>Terms</h1><div class="promo">Get the app now!</div>
<h2>Fees</h2><p>You pay 10 euros a month.</p><h2>Law</h2><p>Irish law applies.</p></main></body></html>"""
PAGE_2 = PAGE.replace(b"10 euros", b"12 euros")
PAGE_3 = PAGE_2.replace(b"Irish law", b"French law")


def _use_extractor(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    """Simulate a release with a fixed extractor."""
    monkeypatch.setattr(extract_module, "EXTRACTOR_VERSION", version)


async def test_reextract_rebuilds_versions_silently_and_keeps_keys(
    differ_settings: DifferSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a fix that drops a promo block, the rebuilt chain has no promo, keeps keys, and the next live change alerts alone."""
    url = differ_settings.database_url
    await add_catalogue(url)
    events = [
        await capture(url, differ_settings.blob_dir, n, body) for n, body in enumerate([PAGE, PAGE_2], 1)
    ]
    async with running_differ(differ_settings) as (runtime, listener):
        bus = runtime.bus("test")
        for event in events:
            await bus.publish(event)
        await listener.wait(lambda: len(listener.changes) == 1)

    # The fix: the catalogue now removes the promo, and the extractor's version is bumped.
    db = Database(url)
    async with db.session() as session:
        document = await store_module.document(session, "acme/privacy-policy")
        assert document is not None
        document.spec = {"remove": [".promo"]}
        session.add(document)
    _use_extractor(monkeypatch, "fixed-1")
    report = await rebuild(db, FilesystemBlobStore(differ_settings.blob_dir), "acme/privacy-policy")
    assert report.versions == 2
    assert report.errors == []
    async with db.session() as session:
        rebuilt = (
            await session.exec(
                select(Version)
                .where(Version.extractor_version == "fixed-1")
                .order_by(col(Version.created_at))
            )
        ).all()
        old_keys = {
            p.text: p.key
            for p in (
                await session.exec(select(Provision).where(Provision.version_id != rebuilt[0].id))
            ).all()
        }
        new_keys = {
            p.text: p.key
            for p in (
                await session.exec(select(Provision).where(Provision.version_id == rebuilt[0].id))
            ).all()
        }
        rebuilt_sets = (
            await session.exec(select(ChangeSet).where(ChangeSet.version_id == rebuilt[1].id))
        ).all()
    assert all("Get the app" not in v.text for v in rebuilt)
    assert new_keys["Irish law applies."] == old_keys["Irish law applies."]
    assert len(rebuilt_sets) == 1
    assert rebuilt_sets[0].counts["modified"] == 1

    # A live snapshot after the rebuild: compared with the rebuilt chain, so only the real edit is reported.
    third = await capture(url, differ_settings.blob_dir, 3, PAGE_3)
    async with running_differ(differ_settings) as (runtime, listener):
        await runtime.bus("test").publish(third)
        await listener.wait(lambda: len(listener.changes) == 2)
    async with db.session() as session:
        change_set = (
            await session.exec(select(ChangeSet).where(ChangeSet.id == listener.changes[-1].change_set_id))
        ).one()
    await db.dispose()
    assert listener.changes[-1].counts.modified == 1
    assert listener.changes[-1].counts.removed == 0
    assert change_set.previous_version_id == rebuilt[1].id
    # Rebuilding published nothing: the two ChangeDetected events are the two live changes.
    assert len({c.version_id for c in listener.changes}) == 2


async def test_a_new_extractor_without_reextract_does_not_alert_on_its_own_changes(
    differ_settings: DifferSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the extractor changed since the last version, the previous snapshot is re-extracted before comparing."""
    url = differ_settings.database_url
    await add_catalogue(url)
    first = await capture(url, differ_settings.blob_dir, 1, PAGE)
    async with running_differ(differ_settings) as (runtime, listener):
        await runtime.bus("test").publish(first)
        await listener.wait(lambda: len(listener.versions) == 1)
    db = Database(url)
    async with db.session() as session:
        document = await store_module.document(session, "acme/privacy-policy")
        assert document is not None
        document.spec = {"remove": [".promo"]}
        session.add(document)
    await db.dispose()
    _use_extractor(monkeypatch, "fixed-2")
    second = await capture(url, differ_settings.blob_dir, 2, PAGE_2)
    async with running_differ(differ_settings) as (runtime, listener):
        await runtime.bus("test").publish(second)
        await listener.wait(lambda: len(listener.changes) == 1)
    event = listener.changes[0]
    # Only the fee changed: the promo the fix dropped is not reported as removed.
    assert event.counts.model_dump() == {"added": 0, "removed": 0, "modified": 1, "moved": 0}
