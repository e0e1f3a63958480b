"""Self-service sign-up: ask (a confirmation e-mail through the outbox), look at a link, confirm, purge (decision 0169).

The rules are `signups` (pure); this module reads and writes. The confirmation e-mail is a Delivery of kind
"confirmation" in the notifier's outbox, so it is retried like any e-mail and sent by the notifier's delivery loop,
also to a subscriber who is not active yet (the only kind that is).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import render, store
from clausewatch_notifier.alerts import preferences_link
from clausewatch_notifier.errors import LinkGoneError, NotFoundError, RateLimitedError, SignupClosedError
from clausewatch_notifier.management._common import (
    hash_api_key,
    normalise_email,
    platforms_of,
    release_digest_items,
    subscriber_out,
)
from clausewatch_notifier.metrics import SIGNUPS
from clausewatch_notifier.plan import CONFIRMATION, NOTICE, email_delivery
from clausewatch_notifier.schemas import SignupConfirmed, SignupView
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.signups import (
    ADDRESS_WINDOW,
    ALL_WINDOW,
    CLIENT_WINDOW,
    CONFIRM_PATH,
    SIGNUP_TIER,
    Recent,
    SignupLimits,
    client_key,
    decide,
    mask_email,
    new_token,
    standing,
    token_hash,
)
from clausewatch_notifier.tiers import TierError, check_follow, get_tier
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.ids import new_id
from clausewatch_shared.models import (
    Delivery,
    DeliveryAttempt,
    Platform,
    SignupConfirmation,
    Subscriber,
    Subscription,
)


@dataclass(frozen=True)
class SignupOutcome:
    """What a sign-up request did (for logs and tests: the public answer is the same either way)."""

    queued: bool  # a confirmation e-mail is in the outbox
    subscriber_id: str | None = None
    standing: str | None = None


def limits_of(settings: NotifierSettings) -> SignupLimits:
    """Return the sign-up limits of a server's settings."""
    return SignupLimits(
        per_client_per_hour=settings.signup_per_client_per_hour,
        per_address_per_day=settings.signup_per_address_per_day,
        per_hour=settings.signup_per_hour,
    )


def confirm_url(base_url: str, token: str) -> str:
    """Return the confirmation page's address for a token."""
    return f"{base_url.rstrip('/')}{CONFIRM_PATH}{token}"


# One advisory lock for every sign-up request on PostgreSQL (any 64-bit constant; this one spells "cwsignup").
_SIGNUP_LOCK = 0x6377_7369_676E_7570


async def _take_turn(session: AsyncSession) -> None:
    """Make sign-up requests count their limits and queue their e-mail one at a time, whichever api replica runs them.

    Counting the recent requests and inserting this one are two statements: without a turn, requests at once all
    counted the same rows before any inserted, and a client's limit of five let eight through. On PostgreSQL a
    transaction-scoped advisory lock (released at commit) serialises them across replicas; on SQLite a write first
    (an update of no row) takes the database's write lock, which the others then wait for (its busy timeout).
    Sign-ups are rare, so waiting costs nothing that matters.
    """
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGNUP_LOCK})
    else:
        await session.exec(
            update(SignupConfirmation)
            .where(col(SignupConfirmation.id) == "")
            .values(client=None)
            .execution_options(synchronize_session=False)
        )


async def _recent(session: AsyncSession, email: str, client: str | None, now: datetime) -> Recent:
    """Count the confirmations asked for lately (the limits' memory is the confirmation rows themselves)."""
    created = col(SignupConfirmation.created_at)
    all_since = now - ALL_WINDOW
    in_all, oldest_in_all = (
        await session.exec(select(func.count(), func.min(created)).where(created > all_since))
    ).one()
    by_client, oldest_by_client = 0, None
    if client is not None:
        by_client, oldest_by_client = (
            await session.exec(
                select(func.count(), func.min(created)).where(
                    SignupConfirmation.client == client, created > now - CLIENT_WINDOW
                )
            )
        ).one()
    for_address = (
        await session.exec(
            select(func.count())
            .select_from(SignupConfirmation)
            .join(Subscriber, col(Subscriber.id) == col(SignupConfirmation.subscriber_id))
            .where(Subscriber.email == email, created > now - ADDRESS_WINDOW)
        )
    ).one()
    return Recent(
        by_client=int(by_client),
        for_address=int(for_address),
        in_all=int(in_all),
        oldest_by_client=oldest_by_client,
        oldest_in_all=oldest_in_all,
    )


async def _subscriber_for(session: AsyncSession, email: str, now: datetime) -> Subscriber:
    """Return the address's subscriber row, adding one waiting for confirmation if it has none.

    Two sign-ups for one new address at once: the second insert hits the unique e-mail and reads the first's row.
    """
    found = (await session.exec(select(Subscriber).where(Subscriber.email == email))).first()
    if found is not None:
        return found
    pending = Subscriber(
        id=new_id(),
        email=email,
        tier=SIGNUP_TIER,
        api_key_hash=None,
        unsubscribe_token=secrets.token_urlsafe(32),
        active=False,
        created_at=now,
        confirmed_at=None,
    )
    try:
        async with session.begin_nested():
            session.add(pending)
    except IntegrityError:
        return (await session.exec(select(Subscriber).where(Subscriber.email == email))).one()
    return pending


async def request_signup(
    db: Database,
    settings: NotifierSettings,
    email: str,
    *,
    platform_id: str | None = None,
    client_address: str | None = None,
    trial: bool = False,
    honeypot: str | None = None,
    now: datetime | None = None,
) -> SignupOutcome:
    """Ask for a free account (or, for a known address, to follow a platform): queue a confirmation e-mail.

    Raises ValueError for a malformed address, NotFoundError for an unknown platform, SignupClosedError when sign-up
    is off and RateLimitedError when the client or the server is over its limit. An address over its own daily limit
    gets nothing more, silently: the caller answers alike whatever happened. `trial` asks for the server's trial tier
    (decision 0171): ValueError if it offers none. `honeypot` is the form's field people never see: filled in, the
    request is a script's, and nothing is sent (answered alike, so the script learns nothing).
    """
    if not settings.signup_enabled:
        msg = "sign-up is closed on this server: ask its operator for an account"
        raise SignupClosedError(msg)
    if trial and settings.signup_trial_tier is None:
        msg = "this server offers no trial: sign up for the free account"
        raise ValueError(msg)
    address = normalise_email(email)
    if honeypot:
        SIGNUPS.labels("honeypot").inc()
        return SignupOutcome(queued=False)
    now = now or utcnow()
    client = client_key(client_address)
    async with db.session() as session:
        await _take_turn(session)
        platform = None
        if platform_id:
            platform = await session.get(Platform, platform_id)
            if platform is None:
                msg = f"no platform {platform_id!r} in the catalogue"
                raise NotFoundError(msg)
        decision = decide(await _recent(session, address, client, now), limits_of(settings), now)
        if decision.refusal is not None:
            SIGNUPS.labels(f"refused_{decision.refused_by}").inc()
            raise RateLimitedError(decision.refusal, decision.retry_after)
        if not decision.send:
            SIGNUPS.labels("quiet").inc()
            return SignupOutcome(queued=False)
        subscriber = await _subscriber_for(session, address, now)
        who = standing(subscriber.confirmed_at, subscriber.active)
        token = new_token()
        confirmation = SignupConfirmation(
            id=new_id(),
            subscriber_id=subscriber.id,
            token_hash=token_hash(token),
            platform_id=platform.id if platform else None,
            trial=trial,
            client=client,
            created_at=now,
            expires_at=now + timedelta(hours=settings.signup_link_hours),
        )
        rendered = render.render_signup_confirmation(
            email=address,
            standing=who,
            platform_name=platform.name if platform else None,
            confirm_url=confirm_url(settings.public_base_url, token),
            expires_at=confirmation.expires_at,
            tier=subscriber.tier,
            trial_tier=settings.signup_trial_tier if trial else None,
            trial_days=settings.signup_trial_days,
        )
        key = f"signup:{confirmation.id}"
        session.add(confirmation)
        payload = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
        await store.insert_ignore(
            session, [email_delivery(subscriber.id, address, key, CONFIRMATION, payload, now)]
        )
    SIGNUPS.labels("queued").inc()
    return SignupOutcome(queued=True, subscriber_id=subscriber.id, standing=who)


async def _confirmation(session: AsyncSession, token: str) -> SignupConfirmation:
    found = (
        await session.exec(
            select(SignupConfirmation).where(SignupConfirmation.token_hash == token_hash(token))
        )
    ).first()
    if found is None:
        msg = "no such confirmation link: it may have been mistyped, or the sign-up was deleted after it expired"
        raise NotFoundError(msg)
    return found


def _check_usable(confirmation: SignupConfirmation, now: datetime) -> None:
    if confirmation.confirmed_at is not None:
        msg = (
            f"this link was used on {confirmation.confirmed_at:%d %b %Y at %H:%M UTC}; the API key was shown then. "
            "Sign up again with the same address to get a new link."
        )
        raise LinkGoneError(msg)
    if confirmation.expires_at <= now:
        msg = f"this link expired on {confirmation.expires_at:%d %b %Y at %H:%M UTC}; sign up again for a new one"
        raise LinkGoneError(msg)


async def view_signup(
    db: Database, token: str, now: datetime | None = None, *, trial: Trial | None = None
) -> SignupView:
    """Return what a confirmation link would confirm, without confirming it (a GET: mail scanners follow links)."""
    now = now or utcnow()
    async with db.session() as session:
        confirmation = await _confirmation(session, token)
        _check_usable(confirmation, now)
        subscriber = await session.get(Subscriber, confirmation.subscriber_id)
        if subscriber is None:  # pragma: no cover - the foreign key keeps it
            msg = "no such confirmation link"
            raise NotFoundError(msg)
        platform = await session.get(Platform, confirmation.platform_id) if confirmation.platform_id else None
        return SignupView(
            email=mask_email(subscriber.email),
            standing=standing(subscriber.confirmed_at, subscriber.active),
            tier=subscriber.tier,
            platform_id=platform.id if platform else None,
            platform_name=platform.name if platform else None,
            expires_at=confirmation.expires_at,
            trial_tier=trial.tier if trial and confirmation.trial else None,
            trial_days=trial.days if trial and confirmation.trial else 0,
        )


async def confirm_signup(
    db: Database,
    token: str,
    now: datetime | None = None,
    *,
    new_key: bool = False,
    trial: Trial | None = None,
) -> SignupConfirmed:
    """Use a confirmation link: the address is proven; the subscriber is active, follows the platform asked for (if
    the tier allows) and gets a new API key, shown this once, unless they were subscribed already and did not ask
    for one (`new_key`: how a subscriber who lost their key gets another; the old one stops working).

    A sign-up that asked for a trial starts the server's `trial` tier (decision 0171), once per address and only
    from the free tier. Raises NotFoundError for an unknown token and LinkGoneError for a used or expired one. One use
    only: the link is marked used by a conditional UPDATE, so two clicks at once cannot both go through.
    """
    now = now or utcnow()
    async with db.session() as session:
        confirmation = await _confirmation(session, token)
        _check_usable(confirmation, now)
        used = await session.exec(
            update(SignupConfirmation)
            .where(
                col(SignupConfirmation.id) == confirmation.id,
                col(SignupConfirmation.confirmed_at).is_(None),
            )
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:
            msg = "this link was used a moment ago; the API key was shown then"
            raise LinkGoneError(msg)
        subscriber = await session.get(Subscriber, confirmation.subscriber_id)
        assert subscriber is not None  # the foreign key keeps it
        who = standing(subscriber.confirmed_at, subscriber.active)
        api_key = None
        if who != "existing" or new_key:
            api_key = "cwk_" + secrets.token_urlsafe(32)
            subscriber.api_key_hash = hash_api_key(api_key)
            subscriber.active = True
            subscriber.confirmed_at = subscriber.confirmed_at or now
            session.add(subscriber)
        trial_note = None
        if confirmation.trial and trial is not None:
            trial_note = await _start_trial(session, subscriber, trial, now)
        followed, note = await _follow_asked(session, subscriber, confirmation.platform_id)
        note = "; ".join(n for n in (trial_note, note) if n) or None
        SIGNUPS.labels("confirmed").inc()
        await session.flush()
        return SignupConfirmed(
            subscriber=await subscriber_out(session, subscriber, now),
            standing=who,
            api_key=api_key,
            unsubscribe_token=subscriber.unsubscribe_token,
            followed=followed,
            note=note,
        )


@dataclass(frozen=True)
class Trial:
    """The trial a server offers at sign-up: which tier, for how many days."""

    tier: str
    days: int

    @classmethod
    def offered(cls, settings: NotifierSettings) -> Trial | None:
        """Return the trial the settings offer, or None."""
        tier = settings.signup_trial_tier
        return cls(tier, settings.signup_trial_days) if tier else None


async def _start_trial(
    session: AsyncSession, subscriber: Subscriber, trial: Trial, now: datetime
) -> str | None:
    """Put a free subscriber on the trial tier until its end; return why not, if it cannot start."""
    if subscriber.trial_started_at is not None:
        return (
            f"the trial was taken on {subscriber.trial_started_at:%d %b %Y} (one per address): you have the "
            f"{subscriber.tier} tier"
        )
    if subscriber.tier != SIGNUP_TIER:
        return f"you have the {subscriber.tier} tier already: no trial is needed"
    subscriber.tier = trial.tier
    subscriber.trial_started_at = now
    subscriber.trial_ends_at = now + timedelta(days=trial.days)
    session.add(subscriber)
    SIGNUPS.labels("trial_started").inc()
    if get_tier(trial.tier).same_day:
        await release_digest_items(session, subscriber, now)
    return None


async def _follow_asked(
    session: AsyncSession, subscriber: Subscriber, platform_id: str | None
) -> tuple[str | None, str | None]:
    """Follow the platform the sign-up named, if the tier has room; return it (or None) and a note if it could not."""
    if not platform_id:
        return None, None
    if await session.get(Platform, platform_id) is None:
        return (
            None,
            f"the platform {platform_id!r} has left the catalogue since the sign-up; follow another one",
        )
    followed = await platforms_of(session, subscriber.id)
    if platform_id in followed:
        return platform_id, None
    try:
        check_follow(get_tier(subscriber.tier), len(followed))
    except TierError as exc:
        return None, str(exc)
    await store.insert_ignore(session, [Subscription(subscriber_id=subscriber.id, platform_id=platform_id)])
    return platform_id, None


@dataclass(frozen=True)
class Purged:
    """What a purge removed."""

    subscribers: int
    confirmations: int


async def purge_signups(db: Database, settings: NotifierSettings, now: datetime | None = None) -> Purged:
    """Delete sign-ups never confirmed whose last link expired over the retention ago (with their confirmation
    e-mails), and used or expired confirmation rows of confirmed subscribers past it (they hold client hashes)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.unconfirmed_retention_days)
    async with db.session() as session:
        still_waiting = select(SignupConfirmation.subscriber_id).where(SignupConfirmation.expires_at > cutoff)
        stale = (
            await session.exec(
                select(Subscriber.id).where(
                    col(Subscriber.confirmed_at).is_(None),
                    col(Subscriber.created_at) < cutoff,
                    col(Subscriber.id).not_in(still_waiting),
                )
            )
        ).all()
        ids = list(stale)
        if ids:
            deliveries = select(Delivery.id).where(col(Delivery.subscriber_id).in_(ids))
            await session.exec(
                delete(DeliveryAttempt).where(col(DeliveryAttempt.delivery_id).in_(deliveries))
            )
            await session.exec(delete(Delivery).where(col(Delivery.subscriber_id).in_(ids)))
            await session.exec(delete(Subscription).where(col(Subscription.subscriber_id).in_(ids)))
            await session.exec(
                delete(SignupConfirmation).where(col(SignupConfirmation.subscriber_id).in_(ids))
            )
            await session.exec(delete(Subscriber).where(col(Subscriber.id).in_(ids)))
        old = await session.exec(
            delete(SignupConfirmation).where(
                col(SignupConfirmation.expires_at) < cutoff,
                col(SignupConfirmation.created_at) < now - ADDRESS_WINDOW,
            )
        )
        return Purged(subscribers=len(ids), confirmations=int(old.rowcount or 0))


TRIAL_REMINDER = timedelta(days=3)


async def remind_trials(db: Database, settings: NotifierSettings, now: datetime | None = None) -> list[str]:
    """E-mail each subscriber whose trial ends within three days, once, what happens then and how to choose the
    platform they keep (decision 0171); return who was reminded. A trial shorter than that gets no reminder: its
    confirmation gave the date a moment ago."""
    now = now or utcnow()
    reminded = []
    async with db.session() as session:
        sent = select(Delivery.subscriber_id).where(col(Delivery.dedup_key).startswith("trial-ending:"))
        due = (
            await session.exec(
                select(Subscriber).where(
                    col(Subscriber.trial_ends_at).is_not(None),
                    col(Subscriber.trial_ends_at) > now,
                    col(Subscriber.trial_ends_at) <= now + TRIAL_REMINDER,
                    col(Subscriber.id).not_in(sent),
                )
            )
        ).all()
        for subscriber in due:
            assert subscriber.trial_ends_at is not None
            assert subscriber.trial_started_at is not None
            if subscriber.trial_ends_at - subscriber.trial_started_at <= TRIAL_REMINDER:
                continue
            kept, dropped = await _kept_and_dropped(session, await _follows_in_order(session, subscriber.id))
            rendered = render.render_trial_ending(
                trial_tier=subscriber.tier,
                ends_at=subscriber.trial_ends_at,
                kept=kept,
                dropped=dropped,
                preferences_url=preferences_link(settings.public_base_url, subscriber.unsubscribe_token),
            )
            payload = {"subject": rendered.subject, "text": rendered.text}
            key = f"trial-ending:{subscriber.id}"
            await store.insert_ignore(
                session, [email_delivery(subscriber.id, subscriber.email, key, NOTICE, payload, now)]
            )
            reminded.append(subscriber.id)
    return reminded


async def _follows_in_order(session: AsyncSession, subscriber_id: str) -> list[Subscription]:
    """Return a subscriber's follows, first followed first (the one the free tier keeps after a trial)."""
    rows = await session.exec(
        select(Subscription)
        .where(Subscription.subscriber_id == subscriber_id)
        .order_by(col(Subscription.created_at), col(Subscription.id))
    )
    return list(rows.all())


async def _kept_and_dropped(
    session: AsyncSession, follows: list[Subscription]
) -> tuple[str | None, list[str]]:
    """Return the name of the platform the free tier keeps after a trial (the first followed) and those it drops."""
    ids = [f.platform_id for f in follows]
    rows = await session.exec(select(Platform.id, Platform.name).where(col(Platform.id).in_(ids)))
    known = dict(rows.all())
    names = [known.get(i, i) for i in ids]
    return (names[0] if names else None), names[1:]


async def end_trials(db: Database, settings: NotifierSettings, now: datetime | None = None) -> list[str]:
    """End every trial whose time is up (decision 0171); return the subscribers moved to the free tier.

    Each goes to the free tier with the platform it followed first (the others are unfollowed: the free tier follows
    one, and the planner would otherwise keep alerting on them) and no filters, and is told so by e-mail, with its
    preferences link to choose another. One subscriber per transaction, claimed by a conditional UPDATE, so two
    notifiers never end one trial twice. A subscriber an operator moved to another tier meanwhile keeps it.
    """
    now = now or utcnow()
    async with db.session() as session:
        due = (
            await session.exec(
                select(Subscriber.id).where(
                    col(Subscriber.trial_ends_at).is_not(None), col(Subscriber.trial_ends_at) <= now
                )
            )
        ).all()
    ended = []
    for subscriber_id in due:
        if await _end_trial(db, settings, subscriber_id, now):
            ended.append(subscriber_id)
    return ended


async def _end_trial(db: Database, settings: NotifierSettings, subscriber_id: str, now: datetime) -> bool:
    async with db.session() as session:
        claimed = await session.exec(
            update(Subscriber)
            .where(col(Subscriber.id) == subscriber_id, col(Subscriber.trial_ends_at).is_not(None))
            .values(trial_ends_at=None)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return False  # another notifier ended it
        subscriber = await session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        if subscriber.tier != settings.signup_trial_tier:
            return False  # the operator set a tier of their own meanwhile: it stays
        follows = await _follows_in_order(session, subscriber_id)
        dropped = follows[1:]
        if dropped:
            await session.exec(
                delete(Subscription).where(col(Subscription.id).in_([row.id for row in dropped]))
            )
        trial_tier = subscriber.tier
        subscriber.tier, subscriber.filters = SIGNUP_TIER, {}
        session.add(subscriber)
        kept_name, dropped_names = await _kept_and_dropped(session, follows)
        rendered = render.render_trial_ended(
            trial_tier=trial_tier,
            kept=kept_name,
            dropped=dropped_names,
            preferences_url=preferences_link(settings.public_base_url, subscriber.unsubscribe_token),
        )
        key = f"trial-ended:{subscriber_id}"
        payload = {"subject": rendered.subject, "text": rendered.text}
        await store.insert_ignore(
            session, [email_delivery(subscriber_id, subscriber.email, key, NOTICE, payload, now)]
        )
    SIGNUPS.labels("trial_ended").inc()
    return True
