"""Who hears about an assessed change set, and on which channels. Pure.

Same-day tiers get an e-mail now plus one delivery per enabled push endpoint; the weekly tier gets a digest item
that the digest loop gathers at the subscriber's slot. Every planned delivery has a derived id and a unique key
(subscriber, change set, channel, target), so planning the same event twice plans the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clausewatch_notifier.tiers import TIERS, matches
from clausewatch_shared.ids import derived_id
from clausewatch_shared.models import Delivery


@dataclass(frozen=True)
class Recipient:
    """A subscriber as the planner sees them."""

    subscriber_id: str
    email: str
    tier: str
    filters: dict[str, object]
    follows: frozenset[str]
    endpoints: tuple[tuple[str, str], ...] = field(default=())  # (endpoint id, kind), enabled ones only


@dataclass(frozen=True)
class Planned:
    """A delivery to create."""

    id: str
    subscriber_id: str
    dedup_key: str
    kind: str  # alert | digest_item
    channel: str  # email | webhook | apprise | digest
    target: str  # e-mail address or endpoint id


def dedup_key_for(change_set_id: str) -> str:
    """Return the once-only key of a change set's alert."""
    return f"change:{change_set_id}"


def delivery_id(subscriber_id: str, dedup_key: str, channel: str, target: str) -> str:
    """Return the stable id of a delivery (also the webhook-id and CloudEvent id a receiver deduplicates on)."""
    return str(derived_id("delivery", subscriber_id, dedup_key, channel, target))


# E-mails about the subscriber's own account (a disabled endpoint, a trial, a sign-up's confirmation), not alerts:
# their words are rendered when queued, and no AlertDelivered or AlertFailed event is published for them.
NOTICE, CONFIRMATION = "notice", "confirmation"
ACCOUNT_KINDS = (NOTICE, CONFIRMATION)
# A test event an endpoint's owner asked for (decision 0176): tried once, never counted against the endpoint.
PING = "ping"


def due_delivery(
    subscriber_id: str, key: str, kind: str, channel: str, target: str, payload: dict[str, Any], now: datetime
) -> Delivery:
    """Return a pending delivery to one subscriber, due now, its id derived from (subscriber, key, channel, target),
    so writing it twice writes one row."""
    return Delivery(
        id=delivery_id(subscriber_id, key, channel, target),
        subscriber_id=subscriber_id,
        dedup_key=key[:120],
        kind=kind,
        channel=channel,
        target=target,
        status="pending",
        next_attempt_at=now,
        payload=payload,
        created_at=now,
    )


def email_delivery(
    subscriber_id: str, address: str, key: str, kind: str, payload: dict[str, Any], now: datetime
) -> Delivery:
    """Return a pending e-mail to one subscriber, due now (a digest, a notice, a sign-up's confirmation)."""
    return due_delivery(subscriber_id, key, kind, "email", address, payload, now)


def follows_platform(recipient: Recipient, platform_id: str) -> bool:
    """Return True if the recipient watches the platform (an unlimited tier following nothing watches all)."""
    if platform_id in recipient.follows:
        return True
    tier = TIERS.get(recipient.tier)
    return bool(tier and tier.max_platforms is None and not recipient.follows)


def _planned(recipient: Recipient, key: str, kind: str, channel: str, target: str) -> Planned:
    return Planned(
        delivery_id(recipient.subscriber_id, key, channel, target),
        recipient.subscriber_id,
        key,
        kind,
        channel,
        target,
    )


def plan(
    recipients: Iterable[Recipient],
    *,
    change_set_id: str,
    platform_id: str,
    severity: str,
    clause_types: Iterable[str],
    regulations: Iterable[str],
    provisions: Iterable[str] = (),
    alternates: bool = False,
) -> list[Planned]:
    """Return the deliveries one assessed, substantive change set calls for.

    A change set of a page that goes back and forth between texts (`alternates`, decision 0162) brings nothing a
    subscriber has not been told of twice: same-day tiers get it in their weekly digest, not by e-mail or chat; a
    webhook, which a program reads, still gets it at once, marked.
    """
    types, regs, keys = list(clause_types), list(regulations), list(provisions)
    key = dedup_key_for(change_set_id)
    out: list[Planned] = []
    for r in recipients:
        tier = TIERS.get(r.tier)
        if tier is None or not follows_platform(r, platform_id):
            continue
        if tier.filters and not matches(
            r.filters, severity=severity, clause_types=types, regulations=regs, provisions=keys
        ):
            continue
        if not tier.same_day or alternates:
            out.append(_planned(r, key, "digest_item", "digest", r.email))
        if not tier.same_day:
            continue
        if not alternates:
            out.append(_planned(r, key, "alert", "email", r.email))
        for endpoint_id, kind in r.endpoints:
            if (kind == "webhook" and tier.webhooks) or (kind == "apprise" and tier.chat and not alternates):
                out.append(_planned(r, key, "alert", kind, endpoint_id))
    return out
