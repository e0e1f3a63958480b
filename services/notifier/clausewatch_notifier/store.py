"""Database access for the notifier: reading the pipeline's rows into alerts, and once-only writes of deliveries.

The hot paths (planning an alert, claiming, sending and recording deliveries) use Core statements on the tables,
built once: rows come back as plain rows, without the ORM's identity map, unit of work and flush, which cost more
CPU than the round trips themselves (decision 0089).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, Row, TextClause, and_, bindparam, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import TextualSelect

from clausewatch_notifier.alerts import AlertView, build_alert
from clausewatch_notifier.plan import Recipient
from clausewatch_notifier.tiers import TIERS
from clausewatch_shared.db import Executor, connection_of, table_of
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
    Version,
    WebhookEndpoint,
)
from clausewatch_shared.models._types import UTCDateTime
from clausewatch_shared.models.notify import DeliveryAttempt

UNLIMITED_TIERS = tuple(name for name, tier in TIERS.items() if tier.max_platforms is None)

CHANGE_SET, DOCUMENT, PLATFORM = table_of(ChangeSet), table_of(Document), table_of(Platform)
CHANGE, ASSESSMENT = table_of(Change), table_of(ChangeAssessment)
SUBSCRIBER, SUBSCRIPTION, ENDPOINT = table_of(Subscriber), table_of(Subscription), table_of(WebhookEndpoint)
DELIVERY, ATTEMPT = table_of(Delivery), table_of(DeliveryAttempt)


RESTORED = table_of(Version).alias("restored")
_ALERT_HEAD = (
    select(
        CHANGE_SET.c.id,
        CHANGE_SET.c.summary,
        CHANGE_SET.c.created_at,
        CHANGE_SET.c.restores_version_id,
        RESTORED.c.created_at.label("restores_recorded_at"),
        CHANGE_SET.c.alternates,
        CHANGE_SET.c.announces_effective_date,
        CHANGE_SET.c.takes_effect_date,
        DOCUMENT.c.id.label("document_id"),
        DOCUMENT.c.title,
        DOCUMENT.c.urls,
        PLATFORM.c.id.label("platform_id"),
        PLATFORM.c.name,
    )
    .join(DOCUMENT, DOCUMENT.c.id == CHANGE_SET.c.document_id)
    .join(PLATFORM, PLATFORM.c.id == DOCUMENT.c.platform_id)
    .outerjoin(RESTORED, RESTORED.c.id == CHANGE_SET.c.restores_version_id)
    .where(CHANGE_SET.c.id == bindparam("change_set_id"))
)
_ASSESSMENT_COLUMNS = (
    "severity",
    "severity_before",
    "escalation",
    "clause_types",
    "regulations",
    "description",
    # the display names the analyzer recorded ("GDPR" for gdpr): without them e-mails printed "gdpr, uk gdpr"
    "texts",
)
_ALERT_CHANGES = (
    select(
        CHANGE.c.id,
        CHANGE.c.kind,
        CHANGE.c.significance,
        CHANGE.c.heading_path,
        CHANGE.c.summary,
        CHANGE.c.old_text,
        CHANGE.c.new_text,
        CHANGE.c.diff,
        CHANGE.c.ordinal,
        CHANGE.c.provision_key,
        ASSESSMENT.c.change_id.label("assessed"),
        *(ASSESSMENT.c[name] for name in _ASSESSMENT_COLUMNS),
    )
    .outerjoin(ASSESSMENT, ASSESSMENT.c.change_id == CHANGE.c.id)
    .where(CHANGE.c.change_set_id == bindparam("change_set_id"))
)


async def load_alert(
    session: Executor,
    change_set_id: str,
    public_base_url: str,
    *,
    summary: str | None = None,
    escalations: int | None = None,
) -> AlertView | None:
    """Build the alert of a change set from the differ's, analyzer's and fetcher's rows; None if it is missing."""
    conn = await connection_of(session)
    found = (await conn.execute(_ALERT_HEAD, {"change_set_id": change_set_id})).first()
    if found is None:  # the change set, its document or its platform is missing
        return None
    # The changes with their assessments (one per change, a unique key) in one query.
    rows = (await conn.execute(_ALERT_CHANGES, {"change_set_id": change_set_id})).all()
    return build_alert(
        change_set=SimpleNamespace(
            id=found.id,
            summary=found.summary,
            created_at=found.created_at,
            restores_version_id=found.restores_version_id,
            restores_recorded_at=found.restores_recorded_at,
            alternates=found.alternates,
            announces_effective_date=found.announces_effective_date,
            takes_effect_date=found.takes_effect_date,
        ),
        document=SimpleNamespace(id=found.document_id, title=found.title, urls=found.urls),
        platform=SimpleNamespace(id=found.platform_id, name=found.name),
        changes=rows,
        assessments={
            row.id: SimpleNamespace(**{name: row._mapping[name] for name in _ASSESSMENT_COLUMNS})
            for row in rows
            if row.assessed is not None
        },
        public_base_url=public_base_url,
        summary=summary,
        escalations=escalations,
    )


_RECIPIENTS = select(SUBSCRIBER.c.id, SUBSCRIBER.c.email, SUBSCRIBER.c.tier, SUBSCRIBER.c.filters).where(
    SUBSCRIBER.c.active == True,  # noqa: E712  (SQL comparison)
    or_(
        SUBSCRIBER.c.id.in_(
            select(SUBSCRIPTION.c.subscriber_id).where(SUBSCRIPTION.c.platform_id == bindparam("platform_id"))
        ),
        SUBSCRIBER.c.tier.in_(UNLIMITED_TIERS),
    ),
)
_RECIPIENT = _RECIPIENTS.where(SUBSCRIBER.c.id == bindparam("subscriber_id"))
_FOLLOWS = select(SUBSCRIPTION.c.subscriber_id, SUBSCRIPTION.c.platform_id).where(
    SUBSCRIPTION.c.subscriber_id.in_(bindparam("ids", expanding=True))
)
_ENABLED_ENDPOINTS = select(ENDPOINT.c.subscriber_id, ENDPOINT.c.id, ENDPOINT.c.kind).where(
    ENDPOINT.c.subscriber_id.in_(bindparam("ids", expanding=True)),
    ENDPOINT.c.enabled == True,  # noqa: E712
)


async def load_recipients(
    session: Executor, platform_id: str, subscriber_id: str | None = None
) -> list[Recipient]:
    """Return active subscribers who may care about a platform: its followers and the unlimited tiers."""
    conn = await connection_of(session)
    params = {"platform_id": platform_id, "subscriber_id": subscriber_id}
    subscribers = (await conn.execute(_RECIPIENTS if subscriber_id is None else _RECIPIENT, params)).all()
    if not subscribers:
        return []
    ids = [s.id for s in subscribers]
    follows: dict[str, set[str]] = {i: set() for i in ids}
    for row in (await conn.execute(_FOLLOWS, {"ids": ids})).all():
        follows[row.subscriber_id].add(row.platform_id)
    endpoints: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    for endpoint in (await conn.execute(_ENABLED_ENDPOINTS, {"ids": ids})).all():
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


_DUE = and_(DELIVERY.c.status.in_(("pending", "sending")), DELIVERY.c.next_attempt_at <= bindparam("now"))
_DUE_IDS = select(DELIVERY.c.id).where(_DUE).order_by(DELIVERY.c.next_attempt_at).limit(bindparam("limit"))
_LEASE = {"status": "sending", "next_attempt_at": bindparam("lease_end")}
# SQLite (one writer): read first, so an idle tick takes no write lock, then claim those ids still due.
_CLAIM_IDS = (
    update(DELIVERY)
    .where(DELIVERY.c.id.in_(bindparam("ids", expanding=True)), _DUE)
    .values(_LEASE)
    .returning(*DELIVERY.c)
)


def _claim_due_postgres() -> TextualSelect:
    """PostgreSQL's claim as one statement, written out: rows another replica is claiming right now are skipped, not
    waited for, and an UPDATE that matches nothing writes nothing, so an idle tick takes no lock either.

    Text, not a Core expression: SQLAlchemy derives a Core statement's cache key by walking it on every execution,
    and the poll runs several times a second while idle; this costs about 40 % less CPU per poll.
    """
    table, columns = DELIVERY.name, ", ".join(c.name for c in DELIVERY.c)
    due = "status IN ('pending', 'sending') AND next_attempt_at <= :now"
    return (
        text(
            # Built from the table's own column names and constants: nothing from outside.
            f"UPDATE {table} SET status = 'sending', next_attempt_at = :lease_end WHERE id IN "  # noqa: S608
            f"(SELECT id FROM {table} WHERE {due} ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) "
            f"AND {due} RETURNING {columns}"
        )
        .bindparams(
            bindparam("now", type_=UTCDateTime),
            bindparam("lease_end", type_=UTCDateTime),
            bindparam("limit", type_=Integer),
        )
        .columns(*DELIVERY.c)
    )


_CLAIM_DUE = _claim_due_postgres()


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(**row._mapping)


async def claim_due(session: Executor, now: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries by moving them to `sending` with a lease; return those this call won.

    With several notifier replicas each row goes to one of them: PostgreSQL locks the rows it picks and skips those
    another replica holds, and re-checks the due condition on the rows it updates; SQLite writes one transaction at
    a time. A `sending` row whose lease ran out (its sender crashed) is due again, so nothing is lost. One statement
    on PostgreSQL, so the caller may run it outside a transaction (autocommit: one round trip). The rows come back
    as claimed, for the sender to use without reading them again.
    """
    conn = await connection_of(session)
    params: dict[str, Any] = {"now": now, "lease_end": now + timedelta(seconds=lease_seconds), "limit": limit}
    if conn.dialect.name == "postgresql":
        won = (await conn.execute(_CLAIM_DUE, params)).all()
    else:
        ids = (await conn.execute(_DUE_IDS, params)).scalars().all()
        if not ids:
            return []
        won = (await conn.execute(_CLAIM_IDS, {**params, "ids": list(ids)})).all()
    return sorted((_delivery(row) for row in won), key=lambda d: (d.created_at, d.id))


_SUBSCRIBERS = select(
    SUBSCRIBER.c.id,
    SUBSCRIBER.c.email,
    SUBSCRIBER.c.tier,
    SUBSCRIBER.c.active,
    SUBSCRIBER.c.unsubscribe_token,
    SUBSCRIBER.c.filters,  # an alert tells a watcher where a removed provision's watch went (decision 0174)
).where(SUBSCRIBER.c.id.in_(bindparam("ids", expanding=True)))
_ENDPOINTS = select(ENDPOINT.c.id, ENDPOINT.c.url, ENDPOINT.c.secrets, ENDPOINT.c.enabled).where(
    ENDPOINT.c.id.in_(bindparam("ids", expanding=True))
)


async def send_context(
    session: Executor, deliveries: Sequence[Delivery]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the subscribers and endpoints a batch of deliveries goes to, by id: two queries for the whole batch.

    Read when the batch is sent, never cached: an unsubscribe or a disabled endpoint counts from the next pass.
    """
    conn = await connection_of(session)
    subscriber_ids = sorted({d.subscriber_id for d in deliveries})
    endpoint_ids = sorted({d.target for d in deliveries if d.channel in ("webhook", "apprise")})
    subscribers = (await conn.execute(_SUBSCRIBERS, {"ids": subscriber_ids})).all() if subscriber_ids else []
    endpoints = (await conn.execute(_ENDPOINTS, {"ids": endpoint_ids})).all() if endpoint_ids else []
    return {s.id: s for s in subscribers}, {e.id: e for e in endpoints}


_COUNT_OK = (
    update(ENDPOINT)
    .where(ENDPOINT.c.id == bindparam("endpoint_id"))
    .values(consecutive_failures=0)
    .returning(ENDPOINT.c.consecutive_failures)
)
_COUNT_FAILED = (
    update(ENDPOINT)
    .where(ENDPOINT.c.id == bindparam("endpoint_id"))
    .values(consecutive_failures=ENDPOINT.c.consecutive_failures + 1)
    .returning(ENDPOINT.c.consecutive_failures)
)


async def count_endpoint_result(session: Executor, endpoint_id: str, *, ok: bool) -> int | None:
    """Reset or increment an endpoint's consecutive failures in the database; return the new count (None if gone)."""
    conn = await connection_of(session)
    result = await conn.execute(_COUNT_OK if ok else _COUNT_FAILED, {"endpoint_id": endpoint_id})
    value = result.scalar_one_or_none()
    return None if value is None else int(value)


_TRIED_COLUMNS = ("attempts", "status", "next_attempt_at", "response_status", "last_error", "delivered_at")
_RECORD_TRY = (
    update(DELIVERY)
    .where(DELIVERY.c.id == bindparam("delivery_id"))
    .values({name: bindparam(f"new_{name}") for name in _TRIED_COLUMNS})
)
_LOG_TRY = ATTEMPT.insert()


async def record_try(session: Executor, delivery: Delivery, attempt: dict[str, Any]) -> None:
    """Write a try: the delivery's new state (as `delivery` now holds it) and the attempt's log row."""
    conn = await connection_of(session)
    state = {f"new_{name}": getattr(delivery, name) for name in _TRIED_COLUMNS}
    await conn.execute(_RECORD_TRY, {"delivery_id": delivery.id, **state})
    await conn.execute(_LOG_TRY, attempt)


def _record_try_postgres(*, reset_endpoint: bool) -> TextClause:
    """PostgreSQL: the delivery's new state and the attempt's log row (and, for a webhook that answered, its endpoint's
    failure run reset) in one statement, so the caller may run it in autocommit: one round trip, atomic."""
    attempt = [c.name for c in ATTEMPT.c if c.name != "id"]
    tried = ", ".join(f"{name} = :new_{name}" for name in _TRIED_COLUMNS)
    reset = (
        f"reset AS (UPDATE {ENDPOINT.name} SET consecutive_failures = 0 WHERE id = :endpoint_id), "  # noqa: S608  (constants only)
        if reset_endpoint
        else ""
    )
    # Built from the tables' own column names and constants: nothing from outside.
    sql = (
        f"WITH {reset}tried AS (UPDATE {DELIVERY.name} SET {tried} WHERE id = :delivery_id) "  # noqa: S608
        f"INSERT INTO {ATTEMPT.name} ({', '.join(attempt)}) VALUES ({', '.join(':' + n for n in attempt)})"
    )
    types = {"new_next_attempt_at": UTCDateTime, "new_delivered_at": UTCDateTime, "at": UTCDateTime}
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in types.items()))


_RECORD_EMAIL_TRY, _RECORD_WEBHOOK_SUCCESS = (_record_try_postgres(reset_endpoint=r) for r in (False, True))


async def record_try_at_once(
    conn: AsyncConnection, delivery: Delivery, attempt: dict[str, Any], *, reset_endpoint: bool
) -> None:
    """As `record_try` (plus resetting the endpoint's failure run if asked) in one statement: PostgreSQL only."""
    state = {f"new_{name}": getattr(delivery, name) for name in _TRIED_COLUMNS}
    statement = _RECORD_WEBHOOK_SUCCESS if reset_endpoint else _RECORD_EMAIL_TRY
    params = {"delivery_id": delivery.id, **state, **attempt}
    if reset_endpoint:
        params["endpoint_id"] = delivery.target
    await conn.execute(statement, params)


_CLOSE = (
    update(DELIVERY)
    .where(DELIVERY.c.id == bindparam("delivery_id"))
    .values(status=bindparam("new_status"), last_error=bindparam("reason"), next_attempt_at=None)
)


async def set_payload(session: Executor, delivery_id: str, payload: dict[str, Any]) -> None:
    """Replace a delivery's stored message (a confirmation's, its link's token taken out once it is over)."""
    conn = await connection_of(session)
    await conn.execute(update(DELIVERY).where(DELIVERY.c.id == delivery_id).values(payload=payload))


async def close(session: Executor, delivery_id: str, status: str, reason: str) -> None:
    """End a delivery without a try (cancelled: unsubscribed; skipped: endpoint gone); a missing row is no error."""
    conn = await connection_of(session)
    await conn.execute(_CLOSE, {"delivery_id": delivery_id, "new_status": status, "reason": reason})


async def discard(conn: AsyncConnection) -> None:
    """Close a connection that failed, invalidated so that the pool never hands it out again."""
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()
