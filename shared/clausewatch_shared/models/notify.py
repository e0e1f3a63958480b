"""The notifier's tables: subscribers and their tier, follows, endpoints, deliveries (with their log) and digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clausewatch_shared.models._types import json_field, utc_field


class Subscriber(SQLModel, table=True):
    """A person or organisation receiving alerts, with a tier that sets limits and timing."""

    id: str = Field(primary_key=True, max_length=64)
    email: str = Field(unique=True, max_length=320)
    tier: str = Field(max_length=20)
    timezone: str = Field(default="UTC", max_length=64)
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_hour: int = Field(default=8, ge=0, le=23)
    filters: dict[str, Any] = json_field(default_factory=dict)
    api_key_hash: str | None = Field(default=None, max_length=128, index=True)
    unsubscribe_token: str = Field(max_length=64, index=True)
    active: bool = True
    created_at: datetime = utc_field(default_now=True)
    # When the address was shown to be theirs: at creation for an operator's subscriber, at the confirmation link's
    # use for a self-service sign-up. None: a sign-up waiting for its confirmation (never sent alerts, purged later).
    confirmed_at: datetime | None = utc_field(nullable=True)
    # A trial of a higher tier taken at sign-up (one per address): when it began, and when it ends (None once ended).
    trial_started_at: datetime | None = utc_field(nullable=True)
    trial_ends_at: datetime | None = utc_field(nullable=True, index=True)


class SignupConfirmation(SQLModel, table=True):
    """One confirmation e-mail of a self-service sign-up: its link's token (hashed), what it confirms, its life.

    The rows are also the sign-up rate limits' memory: how many were asked for by one client or for one address lately.
    """

    id: str = Field(primary_key=True, max_length=64)
    subscriber_id: str = Field(foreign_key="subscriber.id", index=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    platform_id: str | None = Field(default=None, max_length=120)
    trial: bool = False  # the sign-up asked for the server's trial tier, not the free one
    client: str | None = Field(
        default=None, index=True, max_length=64
    )  # a hash of the asking address, never it
    created_at: datetime = utc_field(default_now=True, index=True)
    expires_at: datetime = utc_field()
    confirmed_at: datetime | None = utc_field(nullable=True)


class Subscription(SQLModel, table=True):
    """A subscriber follows a platform."""

    __table_args__ = (UniqueConstraint("subscriber_id", "platform_id", name="uq_subscription"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: str = Field(foreign_key="subscriber.id", index=True, max_length=64)
    platform_id: str = Field(foreign_key="platform.id", index=True, max_length=120)
    created_at: datetime = utc_field(default_now=True)


class WebhookEndpoint(SQLModel, table=True):
    """A subscriber's push channel: a signed webhook URL (secrets newest first) or an Apprise chat URL."""

    id: str = Field(primary_key=True, max_length=64)
    subscriber_id: str = Field(foreign_key="subscriber.id", index=True, max_length=64)
    kind: str = Field(default="webhook", max_length=20)
    url: str = Field(max_length=2000)
    secrets: list[dict[str, Any]] = json_field()
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=2000)
    disabled_at: datetime | None = utc_field(nullable=True)
    consecutive_failures: int = 0
    created_at: datetime = utc_field(default_now=True)


class Delivery(SQLModel, table=True):
    """One alert to one channel: the unique key (subscriber, dedup key, channel, target) makes it happen once."""

    __table_args__ = (
        UniqueConstraint("subscriber_id", "dedup_key", "channel", "target", name="uq_delivery_once"),
    )

    id: str = Field(primary_key=True, max_length=64)
    subscriber_id: str = Field(foreign_key="subscriber.id", index=True, max_length=64)
    dedup_key: str = Field(max_length=120)
    change_set_id: str | None = Field(default=None, index=True, max_length=64)
    kind: str = Field(max_length=20)
    channel: str = Field(max_length=20)
    target: str = Field(max_length=2000)
    status: str = Field(max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = utc_field(nullable=True, index=True)
    last_error: str | None = Field(default=None, max_length=4000)
    response_status: int | None = None
    payload: dict[str, Any] = json_field(default_factory=dict)
    correlation_id: str | None = Field(default=None, max_length=64)
    replays: int = 0
    created_at: datetime = utc_field(default_now=True, index=True)
    delivered_at: datetime | None = utc_field(nullable=True)


class DeliveryAttempt(SQLModel, table=True):
    """One try of one delivery: when, where, what came back. The proof of where an alert went."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(foreign_key="delivery.id", index=True, max_length=64)
    attempt: int
    at: datetime = utc_field(default_now=True, index=True)
    destination: str = Field(max_length=2000)
    ok: bool
    response_status: int | None = None
    error: str | None = Field(default=None, max_length=4000)
    duration_ms: int = 0


class DigestRun(SQLModel, table=True):
    """A weekly digest sent (or being sent) to one subscriber for one week: never twice, covering a gapless window."""

    __table_args__ = (UniqueConstraint("subscriber_id", "period", name="uq_digest_period"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: str = Field(foreign_key="subscriber.id", index=True, max_length=64)
    period: str = Field(max_length=20)
    status: str = Field(max_length=20)
    change_count: int = 0
    window_start: datetime | None = utc_field(nullable=True)
    window_end: datetime | None = utc_field(nullable=True)
    scheduled_for: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)
