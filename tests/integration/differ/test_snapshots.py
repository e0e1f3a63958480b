"""The differ against a real nats-server and real databases: snapshots in, versions and change sets out."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import col, select

from clausewatch_differ.handlers import SnapshotHandler
from clausewatch_differ.settings import DifferSettings
from clausewatch_shared.db import Database
from clausewatch_shared.models import Change, ChangeSet, Provision, Version
from tests.integration.differ.conftest import Listener, add_catalogue, capture, running_differ

V1 = b"""<html><body><nav><a href="/">Home</a></nav>
<main><h1>Privacy Policy</h1><p>Last updated: March 1, 2026</p>
<h2>Retention</h2><p>We keep your data for 30 days after you close your account.</p>
<h2>Sharing</h2><ul><li>We share data with processors.</li><li>We never sell your data.</li></ul></main>
<footer>Copyright Acme</footer><div id="cookie-banner">We use cookies</div></body></html>"""
V2 = V1.replace(b"30 days", b"90 days").replace(b"March 1, 2026", b"April 2, 2026")
V2_NOISE = V2.replace(b"<p>We keep", b"<p>We   keep").replace(b"Copyright Acme", b"Copyright Acme 2027")


async def test_a_changed_snapshot_records_a_version_and_a_change_set(differ_settings: DifferSettings) -> None:
    """The first snapshot gives a version only; a changed one gives a version, change rows and ChangeDetected."""
    url = differ_settings.database_url
    await add_catalogue(url)
    first = await capture(url, differ_settings.blob_dir, 1, V1)
    second = await capture(url, differ_settings.blob_dir, 2, V2)
    async with running_differ(differ_settings) as (runtime, listener):
        bus = runtime.bus("test")
        await bus.publish(first)
        await listener.wait(lambda: len(listener.versions) == 1)
        await bus.publish(second)
        await listener.wait(lambda: len(listener.changes) == 1)
    assert listener.versions[0].previous_version_id is None
    event = listener.changes[0]
    assert event.substantive is True
    assert event.previous_version_id == listener.versions[0].version_id
    assert event.counts.modified == 2
    db = Database(url)
    async with db.session() as session:
        versions = (await session.exec(select(Version).order_by(col(Version.created_at)))).all()
        changes = (await session.exec(select(Change).order_by(col(Change.ordinal)))).all()
        change_set = (await session.exec(select(ChangeSet))).one()
        provisions = (
            await session.exec(select(Provision).where(Provision.version_id == versions[0].id))
        ).all()
    await db.dispose()
    assert [v.document_date for v in versions] == ["2026-03-01", "2026-04-02"]
    assert "Copyright" not in versions[0].text
    assert "cookies" not in versions[0].text
    assert change_set.id == event.change_set_id
    assert [c.id for c in changes] == event.change_ids
    retention = next(c for c in changes if "number_changed" in c.hints)
    assert retention.heading_path == ["Privacy Policy", "Retention"]
    assert ["-", "30"] in retention.diff
    assert ["+", "90"] in retention.diff
    # The modified paragraph keeps the key it had in the first version.
    old_retention = next(p for p in provisions if "30 days" in p.text)
    assert retention.provision_key == old_retention.key


async def test_noise_only_snapshot_records_nothing_and_reruns_publish_once(
    differ_settings: DifferSettings,
) -> None:
    """A snapshot differing only by whitespace and dropped footers makes no version; a redelivered one no duplicate."""
    url = differ_settings.database_url
    await add_catalogue(url)
    first = await capture(url, differ_settings.blob_dir, 1, V2)
    noisy = await capture(url, differ_settings.blob_dir, 2, V2_NOISE)
    async with running_differ(differ_settings) as (runtime, listener):
        bus = runtime.bus("test")
        await bus.publish(first)
        await listener.wait(lambda: len(listener.versions) == 1)
        # The same snapshot again under a new event id: the handler must find its version and create nothing.
        await bus.publish(first.model_copy(update={"event_id": "redelivered"}))
        await bus.publish(noisy)
        await bus.publish(noisy.model_copy(update={"event_id": "sentinel"}))
        await listener.wait_consumed(4)
    assert len(listener.versions) == 1
    assert listener.changes == []
    db = Database(url)
    async with db.session() as session:
        assert len((await session.exec(select(Version))).all()) == 1
    await db.dispose()


async def test_snapshots_of_one_document_handled_at_once_make_one_chain(
    differ_settings: DifferSettings,
) -> None:
    """Three snapshots of one document handled concurrently in one process give a single chain of versions, not forks."""
    url = differ_settings.database_url
    await add_catalogue(url)
    bodies = [V1, V2, V2.replace(b"never sell", b"may sell")]
    events = [await capture(url, differ_settings.blob_dir, n, body) for n, body in enumerate(bodies, 1)]
    async with running_differ(differ_settings) as (runtime, _listener):
        handler = SnapshotHandler(runtime.db, runtime.blobs, runtime.bus("differ"))
        await asyncio.gather(*(handler(event) for event in events))
    db = Database(url)
    async with db.session() as session:
        versions = (await session.exec(select(Version))).all()
    await db.dispose()
    assert len(versions) == 3
    roots = [v for v in versions if v.previous_version_id is None]
    assert len(roots) == 1
    # Each version is the previous of at most one other: a chain, in the order the snapshots arrived.
    previous = [v.previous_version_id for v in versions if v.previous_version_id is not None]
    assert len(set(previous)) == 2
    by_snapshot = {v.snapshot_id: v for v in versions}
    chain = [by_snapshot[e.snapshot_id] for e in events]
    assert [v.previous_version_id for v in chain] == [None, chain[0].id, chain[1].id]


async def _record_in_turn(differ_settings: DifferSettings, bodies: tuple[bytes, ...]) -> Listener:
    """Capture each page on its own day (1, 2, … November 2026) and let the real differ record each in turn; return
    the events it published once every page after the first has given a change set."""
    url = differ_settings.database_url
    await add_catalogue(url)
    snapshots = [await capture(url, differ_settings.blob_dir, n, body) for n, body in enumerate(bodies, 1)]
    async with running_differ(differ_settings) as (runtime, listener):
        bus = runtime.bus("test")
        for n, snapshot in enumerate(snapshots, 1):
            await bus.publish(snapshot)
            await listener.wait(lambda n=n: len(listener.versions) == n)
        await listener.wait(lambda: len(listener.changes) == len(bodies) - 1)
    return listener


async def test_a_version_that_goes_back_to_an_earlier_text_says_so(differ_settings: DifferSettings) -> None:
    """V1, V2, then V1 again (Bumble's policy, January 2023): the third change set restores the first version, and
    its summary opens with the date of that text; the second, a change of its own, restores nothing (0156)."""
    url = differ_settings.database_url
    listener = await _record_in_turn(differ_settings, (V1, V2, V1))
    first = listener.versions[0]
    forward, back = listener.changes
    assert forward.restores_version_id is None
    assert back.restores_version_id == first.version_id
    db = Database(url)
    async with db.session() as session:
        stored = (await session.exec(select(ChangeSet).where(ChangeSet.id == back.change_set_id))).one()
        restored = await session.get_one(Version, first.version_id)
    await db.dispose()
    assert stored.restores_version_id == first.version_id
    assert stored.summary.startswith(f"Back to its text of {restored.created_at:%d %b %Y}, word for word. ")
    assert back.counts.modified == 2


# X's page in a notice period (decision 0160): the coming policy, then its title again and "Effective until" above
# the policy in force, word for word V1's. The capture days are 2 and 3 November 2026; it takes effect on the 4th.
_V1_MAIN = V1.split(b"<main>")[1].split(b"</main>")[0]
NOTICE = V1.replace(
    b"<main>" + _V1_MAIN,
    b"<main>"
    + _V1_MAIN.replace(
        b"<p>Last updated: March 1, 2026</p>",
        b"<p><b>This version will go into effect on November 4, "
        b"2026. Until then, the current policy continues to apply.</b></p>",
    ).replace(b"30 days", b"12 months")
    + b"<h1>Privacy Policy</h1><h3>Effective until November 4, 2026</h3>"
    + _V1_MAIN.replace(b"<h1>Privacy Policy</h1>", b""),
)
IN_FORCE = V1.replace(b"30 days", b"12 months").replace(b"March 1, 2026", b"November 4, 2026")


async def test_a_notice_period_reports_what_the_coming_version_changes(
    differ_settings: DifferSettings,
) -> None:
    """V1, X's kind of notice page, then the announced policy in force: the notice's change set holds the coming
    policy's changes (the retention period), not the copy of the policy in force; the next one, on the 5th,
    says it is in force and holds only the notice giving way to the policy's date."""
    url = differ_settings.database_url
    listener = await _record_in_turn(differ_settings, (V1, NOTICE, IN_FORCE))
    announced, in_force = listener.changes
    assert announced.announces_effective_date == date(2026, 11, 4)
    assert in_force.takes_effect_date == date(2026, 11, 4)
    db = Database(url)
    async with db.session() as session:
        rows = (await session.exec(select(Change).order_by(col(Change.ordinal)))).all()
        notice_version = await session.get_one(Version, listener.versions[1].version_id)
    await db.dispose()
    by_set = {
        cs: [c for c in rows if c.change_set_id == cs]
        for cs in (announced.change_set_id, in_force.change_set_id)
    }
    notice_changes = by_set[announced.change_set_id]
    retention = next(c for c in notice_changes if c.kind == "modified" and "12 months" in (c.new_text or ""))
    assert "30 days" in (retention.old_text or "")
    assert not any("Effective until" in (c.new_text or "") for c in notice_changes)
    assert announced.counts.added <= 1  # the notice, not V1's provisions a second time
    assert "Effective until November 4, 2026" in notice_version.text  # the version keeps the page as shown
    assert sum(in_force.counts.model_dump().values()) <= 2


async def test_a_page_that_goes_back_and_forth_is_marked_from_its_second_return(
    differ_settings: DifferSettings,
) -> None:
    """V1, V2, V1, V2 (Cursor's policy alternated four times in three weeks): the first return is news; the second,
    after a version that was itself a return, marks the page as going back and forth (decision 0162)."""
    listener = await _record_in_turn(differ_settings, (V1, V2, V1, V2))
    forward, back, again = listener.changes
    assert (forward.restores_version_id, forward.alternates) == (None, False)
    assert back.restores_version_id == listener.versions[0].version_id
    assert back.alternates is False
    assert again.restores_version_id == listener.versions[1].version_id
    assert again.alternates is True
    db = Database(differ_settings.database_url)
    async with db.session() as session:
        stored = (await session.exec(select(ChangeSet).where(ChangeSet.id == again.change_set_id))).one()
    await db.dispose()
    assert stored.alternates is True
    assert "again: the page goes back and forth." in stored.summary
