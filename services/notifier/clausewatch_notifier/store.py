"""Database access for the notifier: reading the pipeline's rows into alerts, and once-only writes of deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier.alerts import AlertView, build_alert
from clausewatch_notifier.plan import Recipient
from clausewatch_notifier.tiers import TIERS
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


async def insert_ignore(session: AsyncSession, rows: Sequence[SQLModel]) -> int:
    """Insert table rows, silently skipping any that a unique key refuses; return how many were new.

    This is what makes planning idempotent: a redelivered event plans the same rows and inserts none of them.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    count = 0
    for row in rows:
        table = type(row).__table__  # type: ignore[attr-defined]
        values = {c.name: getattr(row, c.name) for c in table.columns if getattr(row, c.name) is not None}
        # RETURNING, not rowcount: psycopg reports -1 for a single INSERT … ON CONFLICT on some paths.
        statement = (
            insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
        )
        result = await session.exec(statement)
        count += 1 if result.first() is not None else 0
    return count


async def load_alert(
    session: AsyncSession,
    change_set_id: str,
    public_base_url: str,
    *,
    summary: str | None = None,
    escalations: int | None = None,
) -> AlertView | None:
    """Build the alert of a change set from the differ's, analyzer's and fetcher's rows; None if it is missing."""
    change_set = await session.get(ChangeSet, change_set_id)
    if change_set is None:
        return None
    document = await session.get(Document, change_set.document_id)
    if document is None:
        return None
    platform = await session.get(Platform, document.platform_id)
    if platform is None:
        return None
    changes = (await session.exec(select(Change).where(Change.change_set_id == change_set_id))).all()
    assessments = (
        await session.exec(select(ChangeAssessment).where(ChangeAssessment.change_set_id == change_set_id))
    ).all()
    return build_alert(
        change_set=change_set,
        document=document,
        platform=platform,
        changes=changes,
        assessments={a.change_id: a for a in assessments},
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

    The conditional UPDATE makes the claim safe with several notifier replicas: only one sees rowcount 1. A
    `sending` row whose lease ran out (its sender crashed) is due again, so nothing is lost.
    """
    due = (
        await session.exec(
            select(Delivery)
            .where(
                col(Delivery.status).in_(("pending", "sending")),
                col(Delivery.next_attempt_at) <= now,
            )
            .order_by(col(Delivery.next_attempt_at))
            .limit(limit)
        )
    ).all()
    lease_until = now + timedelta(seconds=lease_seconds)
    won: list[Delivery] = []
    for delivery in due:
        result = await session.exec(
            update(Delivery)
            .where(
                and_(
                    col(Delivery.id) == delivery.id,
                    col(Delivery.status) == delivery.status,
                    col(Delivery.next_attempt_at) == delivery.next_attempt_at,
                )
            )
            .values(status="sending", next_attempt_at=lease_until)
        )
        if getattr(result, "rowcount", 0) == 1:
            won.append(delivery)
    return won
