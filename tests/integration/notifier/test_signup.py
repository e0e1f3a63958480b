"""Self-service sign-up on SQLite and PostgreSQL, with a real SMTP server: the confirmation e-mail goes out through
the outbox to an address not yet active, its link confirms once, and the limits, the known addresses and the purge
behave as decision 0169 says."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlmodel import col, func, select

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.errors import LinkGoneError, NotFoundError, RateLimitedError, SignupClosedError
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.signups import SENT_LINK
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery, DeliveryAttempt, SignupConfirmation, Subscriber
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_platform
from tests.integration.notifier.servers import Inbox
from tests.support.ports import closed_port

pytestmark = pytest.mark.integration

LINK = re.compile(r"https://clausewatch\.test/signup/confirm/([A-Za-z0-9_-]+)")


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> NotifierSettings:
    """Notifier settings on this test's database and SMTP server (no NATS: nothing here publishes)."""
    return make_settings(tmp_path, "nats://127.0.0.1:1", database_url, smtp[1])


@pytest.fixture
async def db(settings: NotifierSettings) -> Database:
    database = Database(settings.database_url)
    await add_platform(database)
    await add_platform(database, "anthropic", "Anthropic")
    yield database  # type: ignore[misc]
    await database.dispose()


async def send_outbox(db: Database, settings: NotifierSettings, at: datetime | None = None) -> None:
    """Run the notifier's delivery loop once (at a later time, for what a future `now` queued)."""
    worker = DeliveryWorker(db, settings, clock=(lambda: at) if at else utcnow)
    try:
        await worker.run_once()
    finally:
        await worker.aclose()


def signups_counted(outcome: str) -> float:
    """Return this process's count of sign-ups with an outcome (the Prometheus counter the ops port serves)."""
    return REGISTRY.get_sample_value("clausewatch_signups_total", {"outcome": outcome}) or 0.0


def token_in(inbox: Inbox, address: str, index: int = -1) -> str:
    """Return the token of the confirmation link in the address's latest (or `index`-th) e-mail."""
    message = inbox.to(address)[index]
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def test_a_new_address_is_mailed_a_link_that_makes_it_a_free_subscriber_once(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """Sign-up adds a subscriber that is not active and has no key; the confirmation e-mail still goes out to it; the
    link's page view changes nothing; its use activates the free tier, follows the platform and shows a working key;
    a second use is refused."""
    inbox, _ = smtp
    outcome = await management.request_signup(
        db, settings, " Legal@Example.org ", platform_id="leonardo-ai", client_address="203.0.113.9"
    )
    assert outcome.queued
    assert outcome.standing == "new"
    async with db.session() as session:
        pending = (await session.exec(select(Subscriber))).one()
    assert pending.email == "legal@example.org"
    assert not pending.active
    assert pending.api_key_hash is None
    assert pending.confirmed_at is None

    await send_outbox(db, settings)
    [message] = inbox.to("legal@example.org")
    assert message["Subject"] == "Confirm your free clausewatch account"
    assert "Leonardo AI" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert message.get_body(preferencelist=("html",)) is not None
    token = token_in(inbox, "legal@example.org")
    async with db.session() as session:
        stored = (await session.exec(select(SignupConfirmation))).one()
    assert stored.token_hash != token
    assert token not in stored.token_hash

    view = await management.view_signup(db, token)
    assert (view.email, view.standing, view.platform_name) == ("l***@example.org", "new", "Leonardo AI")
    assert (await management.get_subscriber(db, pending.id)).active is False  # looking is not confirming

    confirmed = await management.confirm_signup(db, token)
    assert confirmed.api_key is not None
    assert confirmed.followed == "leonardo-ai"
    assert confirmed.subscriber.active
    assert confirmed.subscriber.tier == "free"
    assert confirmed.subscriber.platforms == ["leonardo-ai"]
    assert confirmed.subscriber.next_digest_at is not None
    me = await management.authenticate(db, confirmed.api_key)
    assert me is not None
    assert me.id == pending.id

    with pytest.raises(LinkGoneError, match="was used on"):
        await management.confirm_signup(db, token)
    with pytest.raises(LinkGoneError):
        await management.view_signup(db, token)
    with pytest.raises(NotFoundError):
        await management.confirm_signup(db, "no-such-token")


async def test_an_expired_link_confirms_nothing(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """A link used after its life is refused, and the sign-up stays inactive."""
    asked = utcnow() - timedelta(hours=settings.signup_link_hours + 1)
    await management.request_signup(db, settings, "late@example.org", now=asked)
    await send_outbox(db, settings)
    token = token_in(smtp[0], "late@example.org")
    with pytest.raises(LinkGoneError, match="expired"):
        await management.confirm_signup(db, token)
    async with db.session() as session:
        row = (await session.exec(select(Subscriber).where(Subscriber.email == "late@example.org"))).one()
    assert not row.active
    assert row.api_key_hash is None


async def test_a_subscribed_address_keeps_its_key_unless_it_asks_for_a_new_one(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """Signing up a subscribed address mails a link that follows the platform within the tier and keeps the key;
    with `new_key` it issues another, and the old one stops working. A free tier already following a platform is
    told why the new one was not followed."""
    inbox, _ = smtp
    created = await management.create_subscriber(db, "dpo@example.org")
    outcome = await management.request_signup(db, settings, "dpo@example.org", platform_id="anthropic")
    assert outcome.standing == "existing"
    assert outcome.subscriber_id == created.subscriber.id
    await send_outbox(db, settings)
    assert inbox.to("dpo@example.org")[-1]["Subject"] == "Confirm: follow Anthropic on clausewatch"
    confirmed = await management.confirm_signup(db, token_in(inbox, "dpo@example.org"))
    assert confirmed.api_key is None
    assert confirmed.followed == "anthropic"
    assert await management.authenticate(db, created.api_key) is not None

    await management.request_signup(db, settings, "dpo@example.org", platform_id="leonardo-ai")
    await send_outbox(db, settings)
    again = await management.confirm_signup(db, token_in(inbox, "dpo@example.org"), new_key=True)
    assert again.followed is None
    assert again.note is not None
    assert "at most 1 platform" in again.note
    assert again.api_key is not None
    assert await management.authenticate(db, created.api_key) is None
    assert await management.authenticate(db, again.api_key) is not None


async def test_an_unsubscribed_address_comes_back_with_a_new_key(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """After unsubscribing, a sign-up's confirmation (mailed although the subscriber is inactive) turns alerts back
    on with a new key."""
    inbox, _ = smtp
    created = await management.create_subscriber(db, "back@example.org")
    assert await management.unsubscribe(db, created.unsubscribe_token)
    outcome = await management.request_signup(db, settings, "back@example.org")
    assert outcome.standing == "returning"
    await send_outbox(db, settings)
    assert inbox.to("back@example.org")[-1]["Subject"] == "Confirm: turn your clausewatch alerts back on"
    confirmed = await management.confirm_signup(db, token_in(inbox, "back@example.org"))
    assert confirmed.subscriber.active
    assert confirmed.api_key is not None
    assert await management.authenticate(db, created.api_key) is None
    assert await management.authenticate(db, confirmed.api_key) is not None


async def test_the_limits_refuse_a_busy_client_and_go_quiet_for_a_busy_address(
    db: Database, tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]
) -> None:
    """One address gets at most its daily number of e-mails (further requests queue nothing, and raise nothing); one
    client gets a RateLimitedError with a wait once over its hourly number; an unknown platform or a malformed
    address is refused before anything is counted, and a closed server refuses all."""
    settings = make_settings(
        tmp_path,
        "nats://127.0.0.1:1",
        database_url,
        smtp[1],
        signup_per_address_per_day=2,
        signup_per_client_per_hour=4,
    )
    before = {o: signups_counted(o) for o in ("queued", "quiet", "refused_client")}
    outcomes = [
        await management.request_signup(db, settings, "same@example.org", client_address="198.51.100.1")
        for _ in range(3)
    ]
    assert [o.queued for o in outcomes] == [True, True, False]
    # The limits count e-mails sent: the quiet third request above used none of the client's four.
    for address in ("other@example.org", "fourth@example.org"):
        await management.request_signup(db, settings, address, client_address="198.51.100.1")
    with pytest.raises(RateLimitedError) as refused:
        await management.request_signup(db, settings, "third@example.org", client_address="198.51.100.1")
    assert 3500 <= refused.value.retry_after <= 3601
    # Each outcome is counted for the operators' dashboards (clausewatch_signups_total).
    assert signups_counted("queued") - before["queued"] == 4
    assert signups_counted("quiet") - before["quiet"] == 1
    assert signups_counted("refused_client") - before["refused_client"] == 1
    # Another client is not held back by the first one's requests.
    assert (
        await management.request_signup(db, settings, "third@example.org", client_address="198.51.100.2")
    ).queued

    with pytest.raises(NotFoundError):
        await management.request_signup(db, settings, "x@example.org", platform_id="nowhere")
    with pytest.raises(ValueError, match="not an e-mail address"):
        await management.request_signup(db, settings, "not-an-address")
    closed = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, smtp[1], signup_enabled=False)
    with pytest.raises(SignupClosedError):
        await management.request_signup(db, closed, "y@example.org")

    await send_outbox(db, settings)
    assert len(smtp[0].to("same@example.org")) == 2
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Subscriber))).one()
    assert count == 4  # same, other, fourth, third: no row for the refused or malformed requests


async def test_two_sign_ups_for_one_new_address_at_once_make_one_subscriber(
    db: Database, settings: NotifierSettings
) -> None:
    """Concurrent sign-ups for an address with no row meet on the unique e-mail: one subscriber, two links."""
    outcomes = await asyncio.gather(
        *(management.request_signup(db, settings, "race@example.org") for _ in range(2))
    )
    assert {o.subscriber_id for o in outcomes} == {outcomes[0].subscriber_id}
    async with db.session() as session:
        rows = (await session.exec(select(Subscriber).where(Subscriber.email == "race@example.org"))).all()
        links = (await session.exec(select(SignupConfirmation))).all()
    assert len(rows) == 1
    assert len(links) == 2


async def test_the_purge_deletes_only_sign_ups_never_confirmed_and_long_expired(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """A sign-up whose link expired over the retention ago goes with its e-mail and its tries; a sign-up with a live
    link and a confirmed subscriber stay."""
    old = utcnow() - timedelta(days=settings.unconfirmed_retention_days + 3)
    await management.request_signup(db, settings, "gone@example.org", now=old)
    await management.request_signup(db, settings, "waiting@example.org")
    await management.request_signup(db, settings, "also-gone@example.org", now=old)
    await send_outbox(db, settings)
    await management.confirm_signup(db, token_in(smtp[0], "waiting@example.org"))  # confirmed
    await management.request_signup(db, settings, "fresh@example.org")

    purged = await management.purge_signups(db, settings)
    assert purged.subscribers == 2  # gone@ and also-gone@: never confirmed, links long expired
    async with db.session() as session:
        left = set((await session.exec(select(Subscriber.email))).all())
        attempts = (await session.exec(select(func.count()).select_from(DeliveryAttempt))).one()
        deliveries = (
            await session.exec(select(Delivery.target).where(col(Delivery.kind) == "confirmation"))
        ).all()
    assert left == {"waiting@example.org", "fresh@example.org"}
    assert set(deliveries) == {"waiting@example.org", "fresh@example.org"}
    assert attempts == 1  # the confirmed address's one send; the purged ones' tries went with them


async def test_a_trial_runs_once_then_the_free_tier_keeps_the_first_platform(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """A trial sign-up confirms onto the trial tier until its end, following more than the free tier would; when it
    ends the subscriber is on the free tier with the platform followed first, and is told which were dropped; a
    second trial for the address gives the free tier and says why."""
    inbox, _ = smtp
    trial = management.Trial.offered(settings)
    assert trial == management.Trial("monitor", 14)
    await management.request_signup(db, settings, "try@example.org", platform_id="leonardo-ai", trial=True)
    await send_outbox(db, settings)
    assert inbox.to("try@example.org")[-1]["Subject"] == "Confirm your 14-day monitor trial on clausewatch"
    view = await management.view_signup(db, token_in(inbox, "try@example.org"), trial=trial)
    assert (view.trial_tier, view.trial_days) == ("monitor", 14)

    started = utcnow()
    confirmed = await management.confirm_signup(db, token_in(inbox, "try@example.org"), started, trial=trial)
    sub = confirmed.subscriber
    assert sub.tier == "monitor"
    assert sub.trial_ends_at == started + timedelta(days=14)
    assert confirmed.note is None
    await management.follow(db, sub.id, "anthropic")  # over the free tier's one platform

    # Three days before the end, once: when it ends and which platform the free tier keeps.
    assert await management.remind_trials(db, settings, started + timedelta(days=10)) == []
    assert await management.remind_trials(db, settings, started + timedelta(days=11, hours=1)) == [sub.id]
    assert await management.remind_trials(db, settings, started + timedelta(days=12)) == []
    await send_outbox(db, settings, at=started + timedelta(days=11, hours=2))
    reminder = inbox.to("try@example.org")[-1]
    ends = f"{started + timedelta(days=14):%d %b %Y}"
    assert reminder["Subject"] == f"Your clausewatch monitor trial ends on {ends}"
    reminder_text = reminder.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "The free tier keeps Leonardo AI, the platform you followed first." in reminder_text
    assert "You would stop following: Anthropic." in reminder_text
    assert await management.end_trials(db, settings, started + timedelta(days=13)) == []
    assert await management.end_trials(db, settings, started + timedelta(days=14, minutes=1)) == [sub.id]
    assert await management.end_trials(db, settings, started + timedelta(days=15)) == []  # once
    after = await management.get_subscriber(db, sub.id)
    assert after.tier == "free"
    assert after.platforms == ["leonardo-ai"]
    assert after.trial_ends_at is None

    await send_outbox(db, settings, at=started + timedelta(days=15))
    notice = inbox.to("try@example.org")[-1]
    assert notice["Subject"] == "Your clausewatch monitor trial has ended"
    text = notice.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "You still follow Leonardo AI." in text
    assert "You no longer follow: Anthropic" in text
    assert f"https://clausewatch.test/preferences/{confirmed.unsubscribe_token}" in text

    await management.request_signup(db, settings, "try@example.org", trial=True)
    await send_outbox(db, settings)
    again = await management.confirm_signup(db, token_in(inbox, "try@example.org"), trial=trial)
    assert again.subscriber.tier == "free"
    assert again.note is not None
    assert "the trial was taken on" in again.note


async def test_a_tier_the_operator_set_during_a_trial_outlasts_it(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int]
) -> None:
    """An operator's tier change during a trial is kept when the trial's time is up."""
    trial = management.Trial.offered(settings)
    await management.request_signup(db, settings, "kept@example.org", trial=True)
    await send_outbox(db, settings)
    confirmed = await management.confirm_signup(db, token_in(smtp[0], "kept@example.org"), trial=trial)
    await management.change_tier(db, confirmed.subscriber.id, "compliance")
    assert await management.end_trials(db, settings, utcnow() + timedelta(days=30)) == []
    after = await management.get_subscriber(db, confirmed.subscriber.id)
    assert after.tier == "compliance"
    assert after.trial_ends_at is None


async def test_a_server_without_a_trial_refuses_a_trial_sign_up(
    tmp_path: Path, database_url: str, db: Database, smtp: tuple[Inbox, int]
) -> None:
    """With no trial tier set, asking for a trial is a ValueError, and a trial tier that is not a paid tier is a
    settings error."""
    no_trial = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, smtp[1], signup_trial_tier="")
    assert management.Trial.offered(no_trial) is None
    with pytest.raises(ValueError, match="offers no trial"):
        await management.request_signup(db, no_trial, "t@example.org", trial=True)
    with pytest.raises(ValueError, match="unknown or free tier"):
        make_settings(tmp_path, "nats://127.0.0.1:1", database_url, smtp[1], signup_trial_tier="free")


async def confirmation_payload(db: Database) -> tuple[str, dict[str, object]]:
    """The status and stored message of the one confirmation e-mail in the outbox."""
    async with db.session() as session:
        row = (await session.exec(select(Delivery).where(Delivery.kind == "confirmation"))).one()
    return row.status, row.payload


async def test_the_outbox_keeps_a_link_s_token_only_until_its_e_mail_is_sent(
    db: Database, settings: NotifierSettings, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    """While the confirmation e-mail is retried its stored text keeps the link (the retry needs it); once sent, the
    token is gone from every part, so reading the outbox cannot confirm the sign-up, and the link still works."""
    inbox, _ = smtp
    await management.request_signup(db, settings, "legal@example.org", client_address="203.0.113.9")
    with closed_port() as port:  # no SMTP server answers there: the first try fails and is retried
        unreachable = make_settings(tmp_path, "nats://127.0.0.1:1", settings.database_url, port)
        await send_outbox(db, unreachable)
    status, payload = await confirmation_payload(db)
    assert status == "pending"
    assert all(LINK.search(str(payload[part])) for part in ("text", "html"))

    await send_outbox(db, settings, at=utcnow() + timedelta(minutes=5))
    token = token_in(inbox, "legal@example.org")
    status, payload = await confirmation_payload(db)
    assert status == "delivered"
    assert token not in json.dumps(payload)
    assert all(SENT_LINK in str(payload[part]) for part in ("text", "html"))
    assert (await management.confirm_signup(db, token)).api_key is not None


async def test_a_limit_holds_for_sign_ups_at_once_across_api_replicas(
    db: Database, settings: NotifierSettings
) -> None:
    """Eight sign-ups from one client at once, through two database pools (two api replicas): the client's limit of
    five queues five and refuses three, where counting without a lock let them all count four before any inserted."""
    limited = settings.model_copy(update={"signup_per_client_per_hour": 5})
    other = Database(settings.database_url)
    try:
        outcomes = await asyncio.gather(
            *(
                management.request_signup(
                    (db, other)[n % 2], limited, f"person{n}@example.org", client_address="198.51.100.7"
                )
                for n in range(8)
            ),
            return_exceptions=True,
        )
    finally:
        await other.dispose()
    refused = [o for o in outcomes if isinstance(o, RateLimitedError)]
    queued = [o for o in outcomes if not isinstance(o, BaseException) and o.queued]
    assert (len(queued), len(refused)) == (5, 3), outcomes
