"""What the management functions return: pydantic models the CLI prints and the API serialises as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from clausewatch_notifier.signups import subscriber_state


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class SubscriberOut(_Out):
    """A subscriber as shown to themselves or an operator (no secrets)."""

    id: str
    email: str
    tier: str
    timezone: str
    digest_weekday: int
    digest_hour: int
    filters: dict[str, Any]
    platforms: list[str]
    active: bool
    created_at: datetime
    next_digest_at: datetime | None = None
    trial_ends_at: datetime | None = None  # a trial tier taken at sign-up: the free tier follows then
    confirmed_at: datetime | None = None  # None: a sign-up waiting for its confirmation (decision 0169)

    @property
    def state(self) -> str:
        """active, pending (a sign-up not confirmed yet) or unsubscribed."""
        return subscriber_state(self.confirmed_at, self.active)


class SubscriberCreated(_Out):
    """A new subscriber, with the API key and unsubscribe token shown this once."""

    subscriber: SubscriberOut
    api_key: str
    unsubscribe_token: str


class Preferences(_Out):
    """What a subscriber's preferences page shows: the subscriber and what their tier allows."""

    subscriber: SubscriberOut
    max_platforms: int | None  # None: every platform
    same_day: bool  # alerts the day of the change (else a weekly digest)
    filters: bool = False  # the tier filters by clause type, severity, regulation and watched provision
    follows_all: bool  # an unlimited tier following nothing hears about every platform


class SignupView(_Out):
    """What a sign-up's confirmation link would confirm, as its page shows it before the click (address masked)."""

    email: str
    standing: str  # new | returning (unsubscribed before) | existing (subscribed now)
    tier: str
    platform_id: str | None
    platform_name: str | None
    expires_at: datetime
    trial_tier: str | None = None  # the trial the sign-up asked for (None: the free account)
    trial_days: int = 0


class SignupConfirmed(_Out):
    """A confirmed sign-up: the subscriber, and (unless they were subscribed already) their API key, shown this once."""

    subscriber: SubscriberOut
    standing: str
    api_key: str | None
    unsubscribe_token: str
    followed: str | None
    note: str | None = None


class EndpointOut(_Out):
    """A push endpoint without its secrets or (for chat) its token-bearing URL."""

    id: str
    subscriber_id: str
    kind: str
    url: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    consecutive_failures: int
    secrets_live: int
    created_at: datetime


class EndpointSecret(_Out):
    """An endpoint and its new signing secret, shown this once (at registration or rotation)."""

    endpoint: EndpointOut
    secret: str | None
    previous_secret_expires_at: datetime | None = None


class AttemptOut(_Out):
    """One try of a delivery."""

    attempt: int
    at: datetime
    destination: str
    ok: bool
    response_status: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(_Out):
    """One delivery in the log."""

    id: str
    subscriber_id: str
    change_set_id: str | None
    kind: str
    channel: str
    target: str
    status: str
    attempts: int
    replays: int
    next_attempt_at: datetime | None
    last_error: str | None
    response_status: int | None
    created_at: datetime
    delivered_at: datetime | None
    history: list[AttemptOut] = []


class ReplayResult(_Out):
    """What a replay queued: deliveries sent again and deliveries created for changes never sent to a channel."""

    requeued: list[str]
    created: list[str]
