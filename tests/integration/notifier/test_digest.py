"""Weekly digests on a frozen clock: at the subscriber's local slot, grouped by platform, never twice, caught up after downtime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select
from standardwebhooks import Webhook

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.digest import DigestWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery, DigestRun
from clausewatch_shared.runtime import Runtime
from tests.integration.notifier.conftest import make_settings, wait_for
from tests.integration.notifier.harness import consumer_idle, running_notifier
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver
from tests.support.nats import NatsServer

JOINED = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday, after that day's slot


@dataclass
class FrozenClock:
    """A clock a test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def test_weekly_digest_at_the_local_slot_grouped_and_sent_once(
    tmp_path: Path, nats_server: NatsServer, database_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A free subscriber's changes wait until Monday 08:00 Paris time, then arrive in one digest grouped by platform, and only once."""
    inbox, port = smtp
    # A long digest tick: the test runs digest passes itself, so it knows exactly when each happened.
    settings = make_settings(tmp_path, nats_server.url, database_url, port, digest_tick_seconds=3600)
    db = Database(database_url)
    for pid, name in (("acme", "Acme"), ("zeta", "Zeta"), ("beta", "Beta")):
        await add_platform(db, pid, name)
    sub = (
        await management.create_subscriber(
            db,
            "free@example.org",
            timezone="Europe/Paris",
            digest_weekday="monday",
            digest_hour=8,
            now=JOINED,
        )
    ).subscriber
    await management.follow(db, sub.id, "acme")
    events = [
        await add_change_set(db, "acme", 1),
        await add_change_set(db, "zeta", 1),
        await add_change_set(db, "acme", 2),
    ]
    clock = FrozenClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    digests = DigestWorker(db, settings, clock=clock)

    async with running_notifier(settings, clock=clock) as (runtime, worker):
        bus = runtime.bus("analyzer")
        for event in events:
            await bus.publish(event)
        await wait_for(lambda: consumer_idle(runtime, 3))
        assert await digests.run_once() == []
        clock.now = datetime(2026, 11, 23, 6, 59, tzinfo=UTC)  # 07:59 in Paris: not yet
        assert await digests.run_once() == []
        assert await worker.run_once() == 0
        assert inbox.messages == []

        clock.now = datetime(2026, 11, 23, 7, 0, 30, tzinfo=UTC)  # 08:00:30 in Paris
        assert await digests.run_once() == [f"{sub.id}:2026-W48"]
        await wait_for(lambda: len(inbox.messages) == 1)
        clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        assert await digests.run_once() == []
        assert await worker.run_once() == 0

        # A change after the digest waits for the next week's, which carries only it.
        await bus.publish(await add_change_set(db, "acme", 3))
        await wait_for(lambda: consumer_idle(runtime, 4))
        clock.now = datetime(2026, 11, 30, 7, 5, tzinfo=UTC)
        assert await digests.run_once() == [f"{sub.id}:2026-W49"]
        await wait_for(lambda: len(inbox.messages) == 2)

    first, second = inbox.messages
    # A subject that fits in 78 characters only without "Subject: " is folded right after the colon, and Python's
    # parser keeps the fold's space (mail clients drop it): compared stripped.
    assert (
        first["Subject"].strip() == "Your clausewatch weekly digest (2026-W48): 2 document updates (2 high)"
    )
    assert first["List-Unsubscribe"].startswith("<https://clausewatch.test/unsubscribe/")
    text = first.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("== Acme ==") == 1
    assert "Zeta" not in text
    assert "/changes/cs-acme-1" in text
    assert "/changes/cs-acme-2" in text
    # The digest links the preferences page on the same token as its unsubscribe link (decision 0170).
    token = first["List-Unsubscribe"].removeprefix("<https://clausewatch.test/unsubscribe/").removesuffix(">")
    assert f"Manage your subscription: https://clausewatch.test/preferences/{token}" in text
    assert (
        second["Subject"].strip() == "Your clausewatch weekly digest (2026-W49): 1 document update (1 high)"
    )
    assert "/changes/cs-acme-3" in second.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    async with db.session() as s:
        runs = (await s.exec(select(DigestRun).order_by(DigestRun.period))).all()  # type: ignore[arg-type]
    assert [(r.period, r.change_count, r.scheduled_for) for r in runs] == [
        ("2026-W48", 2, datetime(2026, 11, 23, 7, 0, tzinfo=UTC)),
        ("2026-W49", 1, datetime(2026, 11, 30, 7, 0, tzinfo=UTC)),
    ]
    assert runs[1].window_start == runs[0].window_end
    await db.dispose()


async def test_catch_up_after_downtime(
    tmp_path: Path, nats_server: NatsServer, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """Changes assessed while the notifier was down reach same-day subscribers and the missed digest when it returns; a restart sends nothing again."""
    inbox, port = smtp
    settings = make_settings(tmp_path, nats_server.url, sqlite_url, port)
    db = Database(sqlite_url)
    await add_platform(db, "acme", "Acme")
    free = (await management.create_subscriber(db, "free@example.org", now=JOINED)).subscriber
    monitor = (
        await management.create_subscriber(db, "mon@example.org", tier="monitor", now=JOINED)
    ).subscriber
    for sub in (free, monitor):
        await management.follow(db, sub.id, "acme")

    # The notifier is down: the analyzer publishes into JetStream on Thursday, and Monday's 08:00 UTC slot passes.
    analyzer = Runtime.create(settings, "analyzer")
    await analyzer.start()
    await analyzer.bus("analyzer").publish(await add_change_set(db, "acme", 1))
    await analyzer.broker.stop()

    clock = FrozenClock(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # Wednesday after the missed slot
    async with running_notifier(settings, clock=clock):
        await wait_for(lambda: len(inbox.messages) == 2)
    by_rcpt = {m["To"]: str(m["Subject"]).strip() for m in inbox.messages}
    assert by_rcpt["mon@example.org"].startswith("[HIGH] Acme")
    assert (
        by_rcpt["free@example.org"] == "Your clausewatch weekly digest (2026-W48): 1 document update (1 high)"
    )

    # Back again (another restart): nothing is due, nothing is sent twice.
    async with running_notifier(settings, clock=clock) as (runtime, worker):
        await wait_for(lambda: consumer_idle(runtime, 1))
        assert await DigestWorker(db, settings, clock=clock).run_once() == []
        assert await worker.run_once() == 0
    assert len(inbox.messages) == 2
    async with db.session() as s:
        statuses = sorted((d.kind, d.status) for d in (await s.exec(select(Delivery))).all())
    assert statuses == [("alert", "delivered"), ("digest", "delivered"), ("digest_item", "digested")]
    await db.dispose()


async def test_upgrading_sends_what_waited_for_the_digest(
    tmp_path: Path, nats_server: NatsServer, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A free subscriber who upgrades to a same-day tier gets the changes queued for their digest as alerts at once, and no digest later."""
    inbox, port = smtp
    settings = make_settings(tmp_path, nats_server.url, sqlite_url, port)
    db = Database(sqlite_url)
    await add_platform(db, "acme", "Acme")
    sub = (await management.create_subscriber(db, "free@example.org", now=JOINED)).subscriber
    await management.follow(db, sub.id, "acme")
    await AssessmentHandler(db, settings)(await add_change_set(db, "acme", 1))
    worker = DeliveryWorker(db, settings)
    assert await worker.run_once() == 0
    await management.change_tier(db, sub.id, "watcher")
    assert await worker.run_once() == 1
    await worker.webhooks.aclose()
    assert [str(m["Subject"]) for m in inbox.messages] == [
        "[HIGH] Acme · Privacy Policy: AI training on prompts now opt-out only"
    ]
    later = FrozenClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert await DigestWorker(db, settings, clock=later).run_once() == []
    await db.dispose()


async def test_a_page_going_back_and_forth_waits_for_the_digest_but_not_its_webhook(
    tmp_path: Path, nats_server: NatsServer, database_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A change set that goes back to an earlier text, after one that did too (decision 0162): a same-day
    subscriber gets no e-mail that day but a digest at their slot, which says the page goes back and forth; a
    webhook gets it at once, marked. A week with nothing held back gives a same-day subscriber no digest at all."""
    inbox, port = smtp
    settings = make_settings(tmp_path, nats_server.url, database_url, port, digest_tick_seconds=3600)
    db = Database(database_url)
    await add_platform(db)
    monitor = (
        await management.create_subscriber(
            db,
            "ana@example.org",
            tier="monitor",
            timezone="Europe/Paris",
            digest_weekday="monday",
            now=JOINED,
        )
    ).subscriber
    await management.follow(db, monitor.id, "leonardo-ai")
    compliance = (
        await management.create_subscriber(
            db, "legal@example.org", tier="compliance", timezone="Europe/Paris", now=JOINED
        )
    ).subscriber
    clock = FrozenClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    event = await add_change_set(db, restores_at=datetime(2026, 11, 2, tzinfo=UTC), alternates=True)
    with webhook_receiver() as receiver:
        endpoint = await management.register_endpoint(db, settings, compliance.id, receiver.url())
        await AssessmentHandler(db, settings, clock=clock)(event)
        worker = DeliveryWorker(db, settings)
        await worker.run_once()
        await worker.webhooks.aclose()
    assert len(receiver.requests) == 1
    payload = Webhook(endpoint.secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    assert payload["data"]["alternates"] is True
    assert inbox.messages == []  # no same-day e-mail to either

    clock.now = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # Monday 08:05 in Paris: both slots passed
    assert sorted(await DigestWorker(db, settings, clock=clock).run_once()) == sorted(
        [f"{monitor.id}:2026-W48", f"{compliance.id}:2026-W48"]
    )
    worker = DeliveryWorker(db, settings)
    await worker.run_once()
    await worker.webhooks.aclose()
    await wait_for(lambda: len(inbox.messages) == 2)
    held = inbox.to("ana@example.org")[0]
    assert (
        str(held["Subject"])
        .strip()
        .startswith("Held from your clausewatch alerts (2026-W48): 1 document update")
    )
    text = held.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Back to its text of 02 Nov 2026 again, going back and forth." in text

    # The next week holds nothing back: no digest, and no empty digest run, for a same-day subscriber.
    clock.now = datetime(2026, 11, 30, 7, 5, tzinfo=UTC)
    assert await DigestWorker(db, settings, clock=clock).run_once() == []
    async with db.session() as session:
        runs = (await session.exec(select(DigestRun).where(DigestRun.subscriber_id == monitor.id))).all()
    assert [run.period for run in runs] == ["2026-W48"]
