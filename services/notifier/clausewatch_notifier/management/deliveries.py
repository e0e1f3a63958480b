"""The delivery log and replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_notifier import store
from clausewatch_notifier.errors import NotFoundError
from clausewatch_notifier.management._common import (
    get_subscriber_row,
)
from clausewatch_notifier.plan import Planned, Recipient, plan
from clausewatch_notifier.planning import delivery_rows
from clausewatch_notifier.schemas import (
    AttemptOut,
    DeliveryOut,
    ReplayResult,
)
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import (
    ChangeAssessment,
    ChangeSet,
    Delivery,
    Document,
)
from clausewatch_shared.models.notify import DeliveryAttempt


def delivery_out(delivery: Delivery, history: list[DeliveryAttempt] | None = None) -> DeliveryOut:
    """Return a delivery as the API and CLI show it, with its tries when given."""
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
        return [delivery_out(r, history[r.id]) for r in rows]


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
        return delivery_out(delivery, list(attempts.all()))


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
        subscriber = await get_subscriber_row(session, subscriber_id)
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
