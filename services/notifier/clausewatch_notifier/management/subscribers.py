"""Subscribers: creation, tier, follows, filters, digest schedule, API keys and unsubscribing."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import store
from clausewatch_notifier.errors import ConflictError, NotFoundError
from clausewatch_notifier.management._common import (
    get_subscriber_row,
    hash_api_key,
    normalise_email,
    platforms_of,
    release_digest_items,
    subscriber_out,
)
from clausewatch_notifier.schedule import parse_weekday, zone
from clausewatch_notifier.schemas import (
    Preferences,
    SubscriberCreated,
    SubscriberOut,
)
from clausewatch_notifier.signups import State
from clausewatch_notifier.tiers import (
    check_filters,
    check_follow,
    check_tier_change,
    get_tier,
    normalise_filters,
)
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.ids import new_id
from clausewatch_shared.models import (
    Platform,
    Provision,
    Subscriber,
    Subscription,
)


async def create_subscriber(
    db: Database,
    email: str,
    *,
    tier: str = "free",
    timezone: str = "UTC",
    digest_weekday: int | str = 0,
    digest_hour: int = 8,
    now: datetime | None = None,
) -> SubscriberCreated:
    """Create a subscriber; returns their API key and unsubscribe token (shown only now)."""
    email = normalise_email(email)
    get_tier(tier)
    zone(timezone)
    weekday = parse_weekday(digest_weekday)
    if not 0 <= digest_hour <= 23:
        msg = "digest hour must be 0-23"
        raise ValueError(msg)
    api_key = "cwk_" + secrets.token_urlsafe(32)
    token = secrets.token_urlsafe(32)
    subscriber = Subscriber(
        id=new_id(),
        email=email,
        tier=tier,
        timezone=timezone,
        digest_weekday=weekday,
        digest_hour=digest_hour,
        api_key_hash=hash_api_key(api_key),
        unsubscribe_token=token,
        created_at=now or utcnow(),
        confirmed_at=now or utcnow(),  # an operator vouches for the address they enter
    )
    try:
        async with db.session() as session:
            session.add(subscriber)
            await session.flush()
            out = await subscriber_out(session, subscriber, now)
    except IntegrityError:
        msg = f"{email} is already subscribed"
        raise ConflictError(msg) from None
    return SubscriberCreated(subscriber=out, api_key=api_key, unsubscribe_token=token)


async def get_subscriber(db: Database, subscriber_id: str) -> SubscriberOut:
    """Return one subscriber."""
    async with db.session() as session:
        return await subscriber_out(session, await get_subscriber_row(session, subscriber_id))


async def list_subscribers(
    db: Database,
    *,
    state: State | None = None,
    tier: str | None = None,
    on_trial: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[SubscriberOut], int]:
    """Return subscribers, newest first, and how many match: by state (active; pending, a sign-up not confirmed;
    unsubscribed), tier, or only those on a trial (decisions 0169, 0171)."""
    conditions: list[Any] = []
    if state == "pending":
        conditions.append(col(Subscriber.confirmed_at).is_(None))
    elif state is not None:
        conditions += [
            col(Subscriber.confirmed_at).is_not(None),
            col(Subscriber.active).is_(state == "active"),
        ]
    if tier is not None:
        get_tier(tier)
        conditions.append(Subscriber.tier == tier)
    if on_trial:
        conditions.append(col(Subscriber.trial_ends_at).is_not(None))
    async with db.session() as session:
        total = (await session.exec(select(func.count()).select_from(Subscriber).where(*conditions))).one()
        rows = await session.exec(
            select(Subscriber)
            .where(*conditions)
            .order_by(col(Subscriber.created_at).desc(), col(Subscriber.id))
            .limit(limit)
            .offset(offset)
        )
        return [await subscriber_out(session, row) for row in rows.all()], int(total)


async def authenticate(db: Database, api_key: str) -> SubscriberOut | None:
    """Return the active subscriber owning an API key, or None."""
    async with db.session() as session:
        row = (
            await session.exec(select(Subscriber).where(Subscriber.api_key_hash == hash_api_key(api_key)))
        ).first()
        return await subscriber_out(session, row) if row is not None and row.active else None


async def change_tier(db: Database, subscriber_id: str, tier: str) -> SubscriberOut:
    """Move a subscriber to another tier; refused if they follow more platforms than it allows."""
    new = get_tier(tier)
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        check_tier_change(new, len(await platforms_of(session, subscriber_id)))
        if not new.filters:
            subscriber.filters = {}
        if new.same_day and not get_tier(subscriber.tier).same_day:
            await release_digest_items(session, subscriber, utcnow())
        subscriber.tier = new.name
        session.add(subscriber)
        return await subscriber_out(session, subscriber)


async def follow(db: Database, subscriber_id: str, platform_id: str) -> SubscriberOut:
    """Follow a platform, within the tier's limit (following one already followed is a no-op)."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        if await session.get(Platform, platform_id) is None:
            msg = f"no platform {platform_id!r} in the catalogue"
            raise NotFoundError(msg)
        followed = await platforms_of(session, subscriber_id)
        if platform_id not in followed:
            check_follow(get_tier(subscriber.tier), len(followed))
            await store.insert_ignore(
                session, [Subscription(subscriber_id=subscriber_id, platform_id=platform_id)]
            )
        return await subscriber_out(session, subscriber)


async def unfollow(db: Database, subscriber_id: str, platform_id: str) -> SubscriberOut:
    """Stop following a platform."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        row = (
            await session.exec(
                select(Subscription).where(
                    Subscription.subscriber_id == subscriber_id, Subscription.platform_id == platform_id
                )
            )
        ).first()
        if row is not None:
            await session.delete(row)
            await session.flush()
        return await subscriber_out(session, subscriber)


async def set_filters(db: Database, subscriber_id: str, filters: dict[str, Any]) -> SubscriberOut:
    """Set provision-level filters (clause_types, min_severity, regulations, provisions): compliance tier only."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        subscriber.filters = normalise_filters(get_tier(subscriber.tier), filters)
        session.add(subscriber)
        return await subscriber_out(session, subscriber)


MAX_WATCHED_PROVISIONS = 100


def provision_reference(text: str) -> str:
    """Return the provision id or key a reference names: itself, or the segment after `/provisions/` in a page's
    address (what a reader copies from the browser)."""
    ref = text.strip()
    if "/provisions/" in ref:
        ref = ref.split("/provisions/", 1)[1]
    return ref.split("?", 1)[0].split("#", 1)[0].split("/", 1)[0].strip()


async def watch_provision(db: Database, subscriber_id: str, reference: str) -> SubscriberOut:
    """Watch one provision (decision 0172; tiers with filters): by its key, its id or its page's address. The filter
    keeps the key, which stays the same across versions, so the watch follows the provision as it is reworded."""
    ref = provision_reference(reference)
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        check_filters(get_tier(subscriber.tier))
        key = None
        if ref:
            found = await session.exec(
                select(Provision.key).where(or_(col(Provision.id) == ref, col(Provision.key) == ref)).limit(1)
            )
            key = found.first()
        if key is None:
            msg = f"no provision {ref or reference!r}: paste a provision page's address, or its key"
            raise NotFoundError(msg)
        watched = _watched(subscriber)
        if key not in watched and len(watched) >= MAX_WATCHED_PROVISIONS:
            msg = f"at most {MAX_WATCHED_PROVISIONS} provisions can be watched: stop watching one first"
            raise ValueError(msg)
        _store_watch(session, subscriber, [*watched, key])
        return await subscriber_out(session, subscriber)


async def carry_watch(db: Database, subscriber_id: str, keys: Iterable[str]) -> list[str]:
    """Add provisions to a watch because a rewrite put them in the place of a watched one (decision 0174); return
    the keys added. Quietly adds nothing to a tier without filters (an operator changed it meanwhile) and stops at
    MAX_WATCHED_PROVISIONS; keys already watched are left as they are, so a redelivered event adds nothing."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        if not get_tier(subscriber.tier).filters:
            return []
        watched = _watched(subscriber)
        added = [key for key in dict.fromkeys(keys) if key not in watched]
        added = added[: max(0, MAX_WATCHED_PROVISIONS - len(watched))]
        if added:
            _store_watch(session, subscriber, [*watched, *added])
        return added


async def unwatch_provision(db: Database, subscriber_id: str, key: str) -> SubscriberOut:
    """Stop watching one provision (watching none: every change of the platforms followed, as other filters allow)."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        _store_watch(session, subscriber, [k for k in _watched(subscriber) if k != key])
        return await subscriber_out(session, subscriber)


def _watched(subscriber: Subscriber) -> list[str]:
    """The keys of the provisions a subscriber watches."""
    return list((subscriber.filters or {}).get("provisions") or ())


def _store_watch(session: AsyncSession, subscriber: Subscriber, keys: list[str]) -> None:
    """Set the watched provisions, the subscriber's other filters kept (checked and sorted as any filter is)."""
    filters = {**(subscriber.filters or {}), "provisions": keys}
    subscriber.filters = normalise_filters(get_tier(subscriber.tier), filters)
    session.add(subscriber)


async def set_digest_schedule(
    db: Database,
    subscriber_id: str,
    *,
    timezone: str | None = None,
    weekday: int | str | None = None,
    hour: int | None = None,
) -> SubscriberOut:
    """Change the time zone, day and hour of the weekly digest."""
    async with db.session() as session:
        subscriber = await get_subscriber_row(session, subscriber_id)
        if timezone is not None:
            zone(timezone)
            subscriber.timezone = timezone
        if weekday is not None:
            subscriber.digest_weekday = parse_weekday(weekday)
        if hour is not None:
            if not 0 <= hour <= 23:
                msg = "digest hour must be 0-23"
                raise ValueError(msg)
            subscriber.digest_hour = hour
        session.add(subscriber)
        return await subscriber_out(session, subscriber)


async def preferences(db: Database, token: str) -> Preferences | None:
    """Return the preferences of the subscriber whose e-mails carry this token (their unsubscribe and preferences
    links), or None.

    A sign-up never confirmed has a token too, but only its confirmation e-mail carried it: it has no preferences
    until the address is confirmed, so it reads as unknown.
    """
    async with db.session() as session:
        row = (await session.exec(select(Subscriber).where(Subscriber.unsubscribe_token == token))).first()
        if row is None or row.confirmed_at is None:
            return None
        out = await subscriber_out(session, row)
    tier = get_tier(out.tier)
    return Preferences(
        subscriber=out,
        max_platforms=tier.max_platforms,
        same_day=tier.same_day,
        filters=tier.filters,
        follows_all=tier.max_platforms is None and not out.platforms,
    )


async def resume(db: Database, token: str) -> bool:
    """Turn alerts back on for the confirmed subscriber holding a token (undoing an unsubscribe); False if none."""
    async with db.session() as session:
        subscriber = (
            await session.exec(select(Subscriber).where(Subscriber.unsubscribe_token == token))
        ).first()
        if subscriber is None or subscriber.confirmed_at is None:
            return False
        subscriber.active = True
        session.add(subscriber)
        return True


async def unsubscribe(db: Database, token: str) -> bool:
    """Deactivate the subscriber holding an unsubscribe token (one-click); False if no one holds it."""
    async with db.session() as session:
        subscriber = (
            await session.exec(select(Subscriber).where(Subscriber.unsubscribe_token == token))
        ).first()
        if subscriber is None:
            return False
        subscriber.active = False
        session.add(subscriber)
        return True
