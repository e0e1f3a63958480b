"""Push endpoints: registering webhooks (SSRF-checked) and Apprise URLs, rotating secrets, enabling."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier.errors import ConflictError, NotFoundError
from clausewatch_notifier.management._common import (
    endpoint_out,
    get_subscriber_row,
)
from clausewatch_notifier.management.deliveries import delivery_out
from clausewatch_notifier.plan import PING, due_delivery
from clausewatch_notifier.schemas import (
    DeliveryOut,
    EndpointOut,
    EndpointSecret,
)
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.targets import check_apprise_target, check_target
from clausewatch_notifier.tiers import (
    TierError,
    check_channel,
    get_tier,
)
from clausewatch_notifier.webhook import new_secret
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.ids import new_id
from clausewatch_shared.models import (
    WebhookEndpoint,
)


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
        subscriber = await get_subscriber_row(session, subscriber_id)
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
    return EndpointSecret(endpoint=endpoint_out(endpoint, now), secret=secret)


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
            endpoint=endpoint_out(endpoint, now),
            secret=secret,
            previous_secret_expires_at=expires if kept else None,
        )


async def send_test_event(
    db: Database, endpoint_id: str, *, subscriber_id: str | None = None, now: datetime | None = None
) -> DeliveryOut:
    """Queue a test event for an endpoint (decision 0176): the delivery worker sends a signed
    `org.clausewatch.ping.v1` CloudEvent to a webhook, or a short message to a chat channel, at once. It is in the
    delivery log like any try (what the receiver answered, how long it took); it is tried once, and a failure does
    not count toward disabling the endpoint. A disabled endpoint is refused (ConflictError): enable it first."""
    now = now or utcnow()
    async with db.session() as session:
        endpoint = await _endpoint(session, endpoint_id, subscriber_id)
        if not endpoint.enabled:
            msg = f"endpoint {endpoint_id} is disabled ({endpoint.disabled_reason or 'by request'}): enable it, then test it"
            raise ConflictError(msg)
        payload = {"endpoint_id": endpoint.id, "requested_at": now.isoformat()}
        delivery = due_delivery(
            endpoint.subscriber_id, f"ping:{new_id()}", PING, endpoint.kind, endpoint.id, payload, now
        )
        session.add(delivery)
        await session.flush()
        return delivery_out(delivery)


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
        return endpoint_out(endpoint, now)


async def list_endpoints(db: Database, subscriber_id: str) -> list[EndpointOut]:
    """Return a subscriber's endpoints."""
    now = utcnow()
    async with db.session() as session:
        await get_subscriber_row(session, subscriber_id)
        rows = await session.exec(
            select(WebhookEndpoint).where(WebhookEndpoint.subscriber_id == subscriber_id)
        )
        return [endpoint_out(e, now) for e in rows.all()]
