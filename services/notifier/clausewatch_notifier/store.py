"""Database access for the notifier: reading the pipeline's rows into alerts, and once-only writes of deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier.alerts import AlertView, build_alert
from clausewatch_notifier.plan import Recipient
from clausewatch_notifier.tiers import TIERS
from clausewatch_shared.db import insert_ignore as insert_ignore  # the notifier's once-only writes
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Delivery,
    Document,
    Platform,
    Subscriber,
    Subscription,
    WebhookEndpoint,
)

UNLIMITED_TIERS = tuple(name for name, tier in TIERS.items() if tier.max_platforms is None)


async def load_alert(
    session: AsyncSession,
    change_set_id: str,
    public_base_url: str,
    *,
    summary: str | None = None,
    escalations: int | None = None,
) -> AlertView | None:
    """Build the alert of a change set from the differ's, analyzer's and fetcher's rows; None if it is missing."""
    found = (
        await session.exec(
            select(ChangeSet, Document, Platform)
            .join(Document, col(Document.id) == ChangeSet.document_id)
            .join(Platform, col(Platform.id) == Document.platform_id)
            .where(ChangeSet.id == change_set_id)
        )
    ).first()
    if found is None:  # the change set, its document or its platform is missing
        return None
    change_set, document, platform = found
    # The changes with their assessments (one per change, a unique key) in one query.
    rows = (
        await session.exec(
            select(Change, ChangeAssessment)
            .join(ChangeAssessment, col(ChangeAssessment.change_id) == col(Change.id), isouter=True)
            .where(Change.change_set_id == change_set_id)
        )
    ).all()
    return build_alert(
        change_set=change_set,
        document=document,
        platform=platform,
        changes=[change for change, _ in rows],
        assessments={assessment.change_id: assessment for _, assessment in rows if assessment is not None},
        public_base_url=public_base_url,
        summary=summary,
        escalations=escalations,
    )


async def load_recipients(
    session: AsyncSession, platform_id: str, subscriber_id: str | None = None
) -> list[Recipient]:
    """Return active subscribers who may care about a platform: its followers and the unlimited tiers."""
    followers = select(Subscription.subscriber_id).where(Subscription.platform_id == platform_id)
    query = select(Subscriber).where(
        Subscriber.active == True,  # noqa: E712  (SQL comparison)
        or_(col(Subscriber.id).in_(followers), col(Subscriber.tier).in_(UNLIMITED_TIERS)),
    )
    if subscriber_id is not None:
        query = query.where(Subscriber.id == subscriber_id)
    subscribers = (await session.exec(query)).all()
    if not subscribers:
        return []
    ids = [s.id for s in subscribers]
    follows: dict[str, set[str]] = {i: set() for i in ids}
    for row in (
        await session.exec(select(Subscription).where(col(Subscription.subscriber_id).in_(ids)))
    ).all():
        follows[row.subscriber_id].add(row.platform_id)
    endpoints: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    query_endpoints = select(WebhookEndpoint).where(
        col(WebhookEndpoint.subscriber_id).in_(ids),
        WebhookEndpoint.enabled == True,  # noqa: E712
    )
    for endpoint in (await session.exec(query_endpoints)).all():
        endpoints[endpoint.subscriber_id].append((endpoint.id, endpoint.kind))
    return [
        Recipient(
            subscriber_id=s.id,
            email=s.email,
            tier=s.tier,
            filters=dict(s.filters or {}),
            follows=frozenset(follows[s.id]),
            endpoints=tuple(sorted(endpoints[s.id])),
        )
        for s in subscribers
    ]


async def claim_due(session: AsyncSession, now: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries by moving them to `sending` with a lease; return those this call won.

    A read finds the oldest due ids (an idle tick stops there, taking no write lock), then one UPDATE … RETURNING
    claims those still due when it reaches them: with several notifier replicas each row goes to one of them
    (PostgreSQL re-checks the condition on a row another replica just updated; SQLite writes one transaction at a
    time). A `sending` row whose lease ran out (its sender crashed) is due again, so nothing is lost. The rows come
    back as claimed, for the sender to use without reading them again.
    """
    due = and_(col(Delivery.status).in_(("pending", "sending")), col(Delivery.next_attempt_at) <= now)
    ids = (
        await session.exec(
            select(Delivery.id).where(due).order_by(col(Delivery.next_attempt_at)).limit(limit)
        )
    ).all()
    if not ids:
        return []
    statement = (
        update(Delivery)
        .where(col(Delivery.id).in_(ids), due)
        .values(status="sending", next_attempt_at=now + timedelta(seconds=lease_seconds))
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    won = (await session.exec(statement)).scalars().all()
    return sorted(won, key=lambda d: (d.created_at, d.id))


async def send_context(
    session: AsyncSession, deliveries: Sequence[Delivery]
) -> tuple[dict[str, Subscriber], dict[str, WebhookEndpoint]]:
    """Return the subscribers and endpoints a batch of deliveries goes to, by id: two queries for the whole batch."""
    subscriber_ids = {d.subscriber_id for d in deliveries}
    endpoint_ids = {d.target for d in deliveries if d.channel in ("webhook", "apprise")}
    subscribers = (
        (await session.exec(select(Subscriber).where(col(Subscriber.id).in_(subscriber_ids)))).all()
        if subscriber_ids
        else []
    )
    endpoints = (
        (await session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(endpoint_ids)))).all()
        if endpoint_ids
        else []
    )
    return {s.id: s for s in subscribers}, {e.id: e for e in endpoints}


async def count_endpoint_result(session: AsyncSession, endpoint_id: str, *, ok: bool) -> int | None:
    """Reset or increment an endpoint's consecutive failures in the database; return the new count (None if gone)."""
    counter = col(WebhookEndpoint.consecutive_failures)
    result = await session.exec(
        update(WebhookEndpoint)
        .where(col(WebhookEndpoint.id) == endpoint_id)
        .values(consecutive_failures=0 if ok else counter + 1)
        .returning(counter)
    )
    value = result.scalar_one_or_none()
    return None if value is None else int(value)
