"""`clausewatch status`: what the system holds and whether anything needs an operator's attention."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import nats
from sqlalchemy import and_, func
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.db import Database, execute, table_of
from clausewatch_shared.models import (
    CaptureFailure,
    ChangeSet,
    Delivery,
    Document,
    Platform,
    Snapshot,
    Subscriber,
    Version,
)
from clausewatch_shared.streams import CONSUMERS, STREAMS


@dataclass
class StatusReport:
    """A snapshot of the system's state."""

    counts: dict[str, int] = field(default_factory=dict)
    attention: list[dict[str, Any]] = field(default_factory=list)
    # Documents whose last captures failed but are not yet flagged: retried on the failure schedule (decision 0011).
    retrying: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[str, int] = field(default_factory=dict)
    # Subscribers by state and tier: "active free", "pending" (sign-ups not confirmed), "on trial" (decision 0171).
    subscribers: dict[str, int] = field(default_factory=dict)
    streams: dict[str, int] = field(default_factory=dict)
    consumers: dict[str, dict[str, int]] = field(default_factory=dict)
    broker_error: str | None = None


async def _subscribers(session: AsyncSession) -> dict[str, int]:
    """Count subscribers: the active ones by tier, the unsubscribed, the sign-ups not confirmed, those on a trial."""
    counts: dict[str, int] = {}
    pending = col(Subscriber.confirmed_at).is_(None)
    rows = await session.exec(
        select(Subscriber.tier, Subscriber.active, pending, func.count()).group_by(
            col(Subscriber.tier), col(Subscriber.active), pending
        )
    )
    for tier, active, waiting, count in rows.all():
        name = "pending" if waiting else f"active {tier}" if active else "unsubscribed"
        counts[name] = counts.get(name, 0) + int(count)
    trials = await session.exec(
        select(func.count()).select_from(Subscriber).where(col(Subscriber.trial_ends_at).is_not(None))
    )
    if on_trial := int(trials.one()):
        counts["on trial"] = on_trial
    return dict(sorted(counts.items()))


async def collect(database_url: str, nats_url: str | None) -> StatusReport:
    """Read counts and health from the database and, if reachable, the broker."""
    report = StatusReport()
    db = Database(database_url)
    try:
        async with db.session() as session:
            for name, model in (
                ("platforms", Platform),
                ("documents", Document),
                ("snapshots", Snapshot),
                ("versions", Version),
                ("change_sets", ChangeSet),
            ):
                report.counts[name] = (await session.exec(select(func.count()).select_from(model))).one()
            docs = await session.exec(select(Document).where(Document.needs_attention == True))  # noqa: E712
            report.attention = [
                {"document": d.id, "reason": d.attention_reason, "failures": d.consecutive_failures}
                for d in docs
            ]
            report.retrying = await _retrying(session)
            rows = await session.exec(select(Delivery.status, func.count()).group_by(Delivery.status))
            report.deliveries = {str(status): int(count) for status, count in rows.all()}
            report.subscribers = await _subscribers(session)
    finally:
        await db.dispose()
    if nats_url:
        await _broker_state(nats_url, report)
    return report


async def _retrying(session: AsyncSession) -> list[dict[str, Any]]:
    """Documents failing, not yet flagged, each with its last failure: an incomplete page or an older copy waiting to
    be confirmed (decisions 0151, 0155) or a wall that may lift is retried quietly, and an operator asking for the
    state sees it. One query: each document joined to its latest failure."""
    documents, failures = table_of(Document), table_of(CaptureFailure)
    latest = (
        core_select(failures.c.document_id, func.max(failures.c.at).label("at"))
        .group_by(failures.c.document_id)
        .subquery()
    )
    statement = (
        core_select(
            documents.c.id,
            documents.c.consecutive_failures,
            documents.c.next_due_at,
            failures.c.cause,
            failures.c.detail,
        )
        .where(documents.c.consecutive_failures > 0, documents.c.needs_attention == False)  # noqa: E712
        .outerjoin(latest, latest.c.document_id == documents.c.id)
        .outerjoin(failures, and_(failures.c.document_id == documents.c.id, failures.c.at == latest.c.at))
        .order_by(documents.c.id)
    )
    rows = (await execute(session, statement, {})).all()
    retrying: dict[str, dict[str, Any]] = {}
    for document_id, count, next_try, cause, detail in rows:
        # Two failures stored at the same instant would give a document twice: the first is kept.
        retrying.setdefault(
            document_id,
            {
                "document": document_id,
                "failures": count,
                "cause": cause,
                "detail": detail,
                "next_try": next_try,
            },
        )
    return list(retrying.values())


async def _broker_state(nats_url: str, report: StatusReport) -> None:
    try:
        nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0)
    except Exception as exc:
        report.broker_error = f"{type(exc).__name__}: {exc}"
        return
    try:
        js = nc.jetstream()
        for spec in STREAMS:
            with contextlib.suppress(Exception):
                info = await js.stream_info(spec.name)
                report.streams[spec.name] = info.state.messages
        for consumer in CONSUMERS:
            with contextlib.suppress(Exception):
                cinfo = await js.consumer_info(consumer.stream.name, consumer.durable)
                report.consumers[consumer.durable] = {
                    "pending": cinfo.num_pending or 0,
                    "in_flight": cinfo.num_ack_pending or 0,
                    "redelivered": cinfo.num_redelivered or 0,
                }
    finally:
        await nc.close()
