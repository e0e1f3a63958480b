"""Turning an assessed change set into Delivery rows (shared by the event handler and replay)."""

from __future__ import annotations

from datetime import datetime

from clausewatch_notifier.alerts import AlertView
from clausewatch_notifier.plan import Planned
from clausewatch_shared.models import Delivery


def delivery_rows(
    planned: list[Planned], alert: AlertView, *, now: datetime, correlation_id: str | None
) -> list[Delivery]:
    """Return the rows for planned deliveries; digest items wait (`queued`) for the subscriber's digest."""
    payload = alert.model_dump(mode="json")
    return [
        Delivery(
            id=p.id,
            subscriber_id=p.subscriber_id,
            dedup_key=p.dedup_key,
            change_set_id=alert.change_set_id,
            kind=p.kind,
            channel=p.channel,
            target=p.target,
            status="queued" if p.kind == "digest_item" else "pending",
            next_attempt_at=None if p.kind == "digest_item" else now,
            payload=payload,
            correlation_id=correlation_id,
        )
        for p in planned
    ]
