"""Helpers shared by the management modules: loading a subscriber and turning rows into output models."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier.errors import NotFoundError
from clausewatch_notifier.schedule import next_slot
from clausewatch_notifier.schemas import (
    EndpointOut,
    SubscriberOut,
)
from clausewatch_notifier.senders import redact_url
from clausewatch_notifier.tiers import (
    get_tier,
)
from clausewatch_notifier.webhook import live_secrets
from clausewatch_shared.clock import utcnow
from clausewatch_shared.models import (
    Delivery,
    Subscriber,
    Subscription,
    WebhookEndpoint,
)

EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MAX_EMAIL_LENGTH = 320


def normalise_email(email: str) -> str:
    """Return an e-mail address as subscribers are keyed by (trimmed, lower case); ValueError if it is not one."""
    address = email.strip().lower()
    if not EMAIL_PATTERN.match(address) or len(address) > MAX_EMAIL_LENGTH:
        msg = f"not an e-mail address: {email!r}"
        raise ValueError(msg)
    return address


def hash_api_key(key: str) -> str:
    """Return the stored form of a subscriber API key (SHA-256 hex: keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


async def get_subscriber_row(session: AsyncSession, subscriber_id: str) -> Subscriber:
    subscriber = await session.get(Subscriber, subscriber_id)
    if subscriber is None:
        msg = f"no subscriber {subscriber_id!r}"
        raise NotFoundError(msg)
    return subscriber


async def platforms_of(session: AsyncSession, subscriber_id: str) -> list[str]:
    rows = await session.exec(
        select(Subscription.platform_id).where(Subscription.subscriber_id == subscriber_id)
    )
    return sorted(rows.all())


async def subscriber_out(
    session: AsyncSession, subscriber: Subscriber, now: datetime | None = None
) -> SubscriberOut:
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
        platforms=await platforms_of(session, subscriber.id),
        active=subscriber.active,
        created_at=subscriber.created_at,
        next_digest_at=next_digest,
        trial_ends_at=subscriber.trial_ends_at,
        confirmed_at=subscriber.confirmed_at,
    )


def endpoint_out(endpoint: WebhookEndpoint, now: datetime) -> EndpointOut:
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


async def release_digest_items(session: AsyncSession, subscriber: Subscriber, now: datetime) -> None:
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
