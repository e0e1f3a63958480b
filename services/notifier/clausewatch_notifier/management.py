"""Managing subscribers: plain async functions over a Database, used by the CLI and (re-wired) by the HTTP API.

Each function validates, writes in one transaction and returns a pydantic model; errors are the typed ones in
`errors` (NotFoundError 404, ConflictError 409, TierError 403, UnsafeTargetError / ScheduleError 422). Secrets
(API keys, signing secrets) are returned once, when made, and stored hashed (API keys) or only used to sign.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import store
from clausewatch_notifier.errors import ConflictError, NotFoundError
from clausewatch_notifier.plan import Planned, Recipient, plan
from clausewatch_notifier.planning import delivery_rows
from clausewatch_notifier.schedule import next_slot, parse_weekday, zone
from clausewatch_notifier.schemas import (
    AttemptOut,
    DeliveryOut,
    EndpointOut,
    EndpointSecret,
    ReplayResult,
    SubscriberCreated,
    SubscriberOut,
)
from clausewatch_notifier.senders import redact_url
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.targets import check_apprise_target, check_target
from clausewatch_notifier.tiers import (
    TierError,
    check_channel,
    check_follow,
    check_tier_change,
    get_tier,
    normalise_filters,
)
from clausewatch_notifier.webhook import live_secrets, new_secret
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.ids import new_id
from clausewatch_shared.models import (
    ChangeAssessment,
    ChangeSet,
    Delivery,
    Document,
    Platform,
    Subscriber,
    Subscription,
    WebhookEndpoint,
)
from clausewatch_shared.models.notify import DeliveryAttempt

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def hash_api_key(key: str) -> str:
    """Return the stored form of a subscriber API key (SHA-256 hex: keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


async def _subscriber(session: AsyncSession, subscriber_id: str) -> Subscriber:
    subscriber = await session.get(Subscriber, subscriber_id)
    if subscriber is None:
        msg = f"no subscriber {subscriber_id!r}"
        raise NotFoundError(msg)
    return subscriber


async def _platforms(session: AsyncSession, subscriber_id: str) -> list[str]:
    rows = await session.exec(
        select(Subscription.platform_id).where(Subscription.subscriber_id == subscriber_id)
    )
    return sorted(rows.all())


async def _out(session: AsyncSession, subscriber: Subscriber, now: datetime | None = None) -> SubscriberOut:
    tier = get_tier(subscriber.tier)
    next_digest = (
        None
        if tier.same_day
        else next_slot(
            now or utcnow(), subscriber.timezone, subscriber.digest_weekday, subscriber.digest_hour
        )
    )
    return SubscriberOut(
        id=subscriber.id,
        email=subscriber.email,
        tier=subscriber.tier,
        timezone=subscriber.timezone,
        digest_weekday=subscriber.digest_weekday,
        digest_hour=subscriber.digest_hour,
        filters=dict(subscriber.filters or {}),
        platforms=await _platforms(session, subscriber.id),
        active=subscriber.active,
        created_at=subscriber.created_at,
        next_digest_at=next_digest,
    )


def _endpoint_out(endpoint: WebhookEndpoint, now: datetime) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        subscriber_id=endpoint.subscriber_id,
        kind=endpoint.kind,
        # An Apprise URL carries its token; show only scheme://host/path.
        url=endpoint.url if endpoint.kind == "webhook" else redact_url(endpoint.url),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        disabled_at=endpoint.disabled_at,
        consecutive_failures=endpoint.consecutive_failures,
        secrets_live=len(live_secrets(endpoint.secrets, now)),
        created_at=endpoint.created_at,
    )


# --- subscribers ---------------------------------------------------------------------------------------------------


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
    email = email.strip().lower()
    if not _EMAIL.match(email):
        msg = f"not an e-mail address: {email!r}"
        raise ValueError(msg)
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
    )
    try:
        async with db.session() as session:
            session.add(subscriber)
            await session.flush()
            out = await _out(session, subscriber, now)
    except IntegrityError:
        msg = f"{email} is already subscribed"
        raise ConflictError(msg) from None
    return SubscriberCreated(subscriber=out, api_key=api_key, unsubscribe_token=token)


async def get_subscriber(db: Database, subscriber_id: str) -> SubscriberOut:
    """Return one subscriber."""
    async with db.session() as session:
        return await _out(session, await _subscriber(session, subscriber_id))


async def authenticate(db: Database, api_key: str) -> SubscriberOut | None:
    """Return the active subscriber owning an API key, or None."""
    async with db.session() as session:
        row = (
            await session.exec(select(Subscriber).where(Subscriber.api_key_hash == hash_api_key(api_key)))
        ).first()
        return await _out(session, row) if row is not None and row.active else None


async def change_tier(db: Database, subscriber_id: str, tier: str) -> SubscriberOut:
    """Move a subscriber to another tier; refused if they follow more platforms than it allows."""
    new = get_tier(tier)
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
        check_tier_change(new, len(await _platforms(session, subscriber_id)))
        if not new.filters:
            subscriber.filters = {}
        if new.same_day and not get_tier(subscriber.tier).same_day:
            await _release_digest_items(session, subscriber, utcnow())
        subscriber.tier = new.name
        session.add(subscriber)
        return await _out(session, subscriber)


async def _release_digest_items(session: AsyncSession, subscriber: Subscriber, now: datetime) -> None:
    """On an upgrade to a same-day tier, send what was waiting for the weekly digest now, as alerts."""
    queued = await session.exec(
        select(Delivery).where(
            Delivery.subscriber_id == subscriber.id,
            Delivery.kind == "digest_item",
            Delivery.status == "queued",
        )
    )
    for item in queued.all():
        item.kind, item.channel, item.status, item.next_attempt_at = "alert", "email", "pending", now
        session.add(item)


async def follow(db: Database, subscriber_id: str, platform_id: str) -> SubscriberOut:
    """Follow a platform, within the tier's limit (following one already followed is a no-op)."""
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
        if await session.get(Platform, platform_id) is None:
            msg = f"no platform {platform_id!r} in the catalogue"
            raise NotFoundError(msg)
        followed = await _platforms(session, subscriber_id)
        if platform_id not in followed:
            check_follow(get_tier(subscriber.tier), len(followed))
            await store.insert_ignore(
                session, [Subscription(subscriber_id=subscriber_id, platform_id=platform_id)]
            )
        return await _out(session, subscriber)


async def unfollow(db: Database, subscriber_id: str, platform_id: str) -> SubscriberOut:
    """Stop following a platform."""
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
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
        return await _out(session, subscriber)


async def set_filters(db: Database, subscriber_id: str, filters: dict[str, Any]) -> SubscriberOut:
    """Set provision-level filters (clause_types, min_severity, regulations): compliance tier only."""
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
        subscriber.filters = normalise_filters(get_tier(subscriber.tier), filters)
        session.add(subscriber)
        return await _out(session, subscriber)


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
        subscriber = await _subscriber(session, subscriber_id)
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
        return await _out(session, subscriber)


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


# --- endpoints -----------------------------------------------------------------------------------------------------


async def register_endpoint(
    db: Database,
    settings: NotifierSettings,
    subscriber_id: str,
    url: str,
    *,
    kind: str = "webhook",
    now: datetime | None = None,
) -> EndpointSecret:
    """Register a webhook (checked against SSRF rules; returns its signing secret once) or an Apprise chat URL."""
    now = now or utcnow()
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
        check_channel(get_tier(subscriber.tier), kind)
    secret: str | None = None
    if kind == "apprise":
        await check_apprise_target(url, allow_private=settings.allow_private_webhook_targets)
    if kind == "webhook":
        await check_target(
            url, require_https=settings.https_required, allow_private=settings.allow_private_webhook_targets
        )
        secret = new_secret()
    endpoint = WebhookEndpoint(
        id=new_id(),
        subscriber_id=subscriber_id,
        kind=kind,
        url=url,
        secrets=[{"secret": secret, "created_at": now.isoformat(), "expires_at": None}] if secret else [],
        created_at=now,
    )
    async with db.session() as session:
        session.add(endpoint)
    return EndpointSecret(endpoint=_endpoint_out(endpoint, now), secret=secret)


async def _endpoint(session: AsyncSession, endpoint_id: str, subscriber_id: str | None) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (subscriber_id is not None and endpoint.subscriber_id != subscriber_id):
        msg = f"no endpoint {endpoint_id!r}"
        raise NotFoundError(msg)
    return endpoint


async def rotate_secret(
    db: Database,
    settings: NotifierSettings,
    endpoint_id: str,
    *,
    subscriber_id: str | None = None,
    grace_seconds: float | None = None,
    now: datetime | None = None,
) -> EndpointSecret:
    """Give a webhook endpoint a new secret; the old one keeps signing (alongside) for the grace period."""
    now = now or utcnow()
    grace = settings.secret_grace_seconds if grace_seconds is None else grace_seconds
    expires = now + timedelta(seconds=grace)
    async with db.session() as session:
        endpoint = await _endpoint(session, endpoint_id, subscriber_id)
        if endpoint.kind != "webhook":
            msg = "only webhook endpoints have signing secrets"
            raise TierError(msg)
        secret = new_secret()
        kept = []
        for entry in endpoint.secrets:
            old_expiry = entry.get("expires_at")
            if old_expiry is None or datetime.fromisoformat(str(old_expiry)) > now:
                capped = min(expires, datetime.fromisoformat(str(old_expiry))) if old_expiry else expires
                kept.append({**entry, "expires_at": capped.isoformat()})
        endpoint.secrets = [{"secret": secret, "created_at": now.isoformat(), "expires_at": None}, *kept]
        session.add(endpoint)
        return EndpointSecret(
            endpoint=_endpoint_out(endpoint, now),
            secret=secret,
            previous_secret_expires_at=expires if kept else None,
        )


async def set_endpoint_enabled(
    db: Database, endpoint_id: str, enabled: bool, *, subscriber_id: str | None = None
) -> EndpointOut:
    """Enable (resetting its failure count) or disable an endpoint."""
    now = utcnow()
    async with db.session() as session:
        endpoint = await _endpoint(session, endpoint_id, subscriber_id)
        endpoint.enabled = enabled
        if enabled:
            endpoint.consecutive_failures, endpoint.disabled_reason, endpoint.disabled_at = 0, None, None
        else:
            endpoint.disabled_reason, endpoint.disabled_at = "disabled by request", now
        session.add(endpoint)
        return _endpoint_out(endpoint, now)


async def list_endpoints(db: Database, subscriber_id: str) -> list[EndpointOut]:
    """Return a subscriber's endpoints."""
    now = utcnow()
    async with db.session() as session:
        await _subscriber(session, subscriber_id)
        rows = await session.exec(
            select(WebhookEndpoint).where(WebhookEndpoint.subscriber_id == subscriber_id)
        )
        return [_endpoint_out(e, now) for e in rows.all()]


# --- deliveries ----------------------------------------------------------------------------------------------------


def _delivery_out(delivery: Delivery, history: list[DeliveryAttempt] | None = None) -> DeliveryOut:
    data = {k: getattr(delivery, k) for k in DeliveryOut.model_fields if k != "history"}
    return DeliveryOut(**data, history=[AttemptOut.model_validate(a) for a in history or []])


async def list_deliveries(
    db: Database,
    *,
    subscriber_id: str | None = None,
    change_set_id: str | None = None,
    status: str | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    with_history: bool = False,
) -> list[DeliveryOut]:
    """Return the delivery log, newest first, filtered; with each try's record when asked."""
    query = select(Delivery)
    for column, value in (
        (Delivery.subscriber_id, subscriber_id),
        (Delivery.change_set_id, change_set_id),
        (Delivery.status, status),
        (Delivery.channel, channel),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(col(Delivery.created_at) >= since)
    if until is not None:
        query = query.where(col(Delivery.created_at) < until)
    query = query.order_by(col(Delivery.created_at).desc(), col(Delivery.id)).limit(max(1, min(limit, 1000)))
    async with db.session() as session:
        rows = (await session.exec(query)).all()
        history: dict[str, list[DeliveryAttempt]] = {r.id: [] for r in rows}
        if with_history and rows:
            attempts = await session.exec(
                select(DeliveryAttempt)
                .where(col(DeliveryAttempt.delivery_id).in_(list(history)))
                .order_by(col(DeliveryAttempt.id))
            )
            for attempt in attempts.all():
                history[attempt.delivery_id].append(attempt)
        return [_delivery_out(r, history[r.id]) for r in rows]


async def get_delivery(db: Database, delivery_id: str) -> DeliveryOut:
    """Return one delivery with every try."""
    async with db.session() as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is None:
            msg = f"no delivery {delivery_id!r}"
            raise NotFoundError(msg)
        attempts = await session.exec(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(col(DeliveryAttempt.id))
        )
        return _delivery_out(delivery, list(attempts.all()))


async def replay(
    db: Database,
    settings: NotifierSettings,
    subscriber_id: str,
    *,
    change_set_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    channels: tuple[str, ...] = ("webhook",),
    endpoint_id: str | None = None,
    now: datetime | None = None,
) -> ReplayResult:
    """Send one change set's alert, or every alert of a time range, again to a subscriber's channels.

    Existing deliveries are queued again with a fresh retry budget and the same id (so `webhook-id` lets the
    receiver tell a replay from a new event); change sets in range that a channel never got (an endpoint added
    later) get new deliveries. The range is on when the change was assessed.
    """
    if change_set_id is None and since is None:
        msg = "replay needs a change set id or a start time"
        raise ValueError(msg)
    now = now or utcnow()
    async with db.session() as session:
        subscriber = await _subscriber(session, subscriber_id)
        change_sets = await _change_sets_to_replay(session, change_set_id, since, until or now)
        created: list[str] = []
        requeued: list[str] = []
        for cs_id, platform_id in change_sets:
            recipients = await store.load_recipients(session, platform_id, subscriber_id=subscriber.id)
            planned = [p for p in _plan_one(recipients, cs_id, platform_id) if p.channel in channels]
            if endpoint_id is not None:
                planned = [p for p in planned if p.target == endpoint_id]
            if not planned:
                continue
            alert = await store.load_alert(session, cs_id, settings.public_base_url)
            if alert is None:
                continue
            for row in delivery_rows(planned, alert, now=now, correlation_id=None):
                if await store.insert_ignore(session, [row]):
                    created.append(row.id)
                    continue
                existing = await session.get(Delivery, row.id)
                if existing is None or existing.status in ("pending", "sending"):
                    continue
                existing.status, existing.next_attempt_at, existing.attempts = "pending", now, 0
                existing.replays += 1
                session.add(existing)
                requeued.append(existing.id)
    return ReplayResult(requeued=requeued, created=created)


def _plan_one(recipients: list[Recipient], change_set_id: str, platform_id: str) -> list[Planned]:
    # Filters were applied when the change was first planned; a replay is an explicit request, so it sends the
    # change to every channel the subscriber has for that platform regardless of filters set since.
    return plan(
        [Recipient(r.subscriber_id, r.email, r.tier, {}, r.follows, r.endpoints) for r in recipients],
        change_set_id=change_set_id,
        platform_id=platform_id,
        severity="high",
        clause_types=[],
        regulations=[],
    )


async def _change_sets_to_replay(
    session: AsyncSession, change_set_id: str | None, since: datetime | None, until: datetime
) -> list[tuple[str, str]]:
    query = (
        select(ChangeSet.id, Document.platform_id)
        .join(Document, col(Document.id) == col(ChangeSet.document_id))
        .where(col(ChangeSet.substantive).is_(True))
    )
    if change_set_id is not None:
        query = query.where(ChangeSet.id == change_set_id)
    else:
        assessed = (
            select(ChangeAssessment.change_set_id)
            .group_by(col(ChangeAssessment.change_set_id))
            .having(func.max(ChangeAssessment.created_at) >= since)
            .having(func.max(ChangeAssessment.created_at) < until)
        )
        query = query.where(col(ChangeSet.id).in_(assessed))
    rows = (await session.exec(query)).all()
    if change_set_id is not None and not rows:
        msg = f"no substantive change set {change_set_id!r}"
        raise NotFoundError(msg)
    return [(r[0], r[1]) for r in rows]
