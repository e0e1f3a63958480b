"""Managing subscribers: plain async functions over a Database, used by the CLI and (re-wired) by the HTTP API.

Each function validates, writes in one transaction and returns a pydantic model; errors are the typed ones in
`errors` (NotFoundError 404, ConflictError 409, TierError 403, UnsafeTargetError / ScheduleError 422). Secrets
(API keys, signing secrets) are returned once, when made, and stored hashed (API keys) or only used to sign.
"""

from __future__ import annotations

from clausewatch_notifier.management._common import hash_api_key
from clausewatch_notifier.management.deliveries import get_delivery, list_deliveries, replay
from clausewatch_notifier.management.endpoints import (
    list_endpoints,
    register_endpoint,
    rotate_secret,
    send_test_event,
    set_endpoint_enabled,
)
from clausewatch_notifier.management.signup import (
    Purged,
    SignupOutcome,
    Trial,
    confirm_signup,
    end_trials,
    purge_signups,
    remind_trials,
    request_signup,
    view_signup,
)
from clausewatch_notifier.management.subscribers import (
    authenticate,
    carry_watch,
    change_tier,
    create_subscriber,
    follow,
    get_subscriber,
    list_subscribers,
    preferences,
    resume,
    set_digest_schedule,
    set_filters,
    unfollow,
    unsubscribe,
    unwatch_provision,
    watch_provision,
)
from clausewatch_notifier.schemas import (
    AttemptOut,
    DeliveryOut,
    EndpointOut,
    EndpointSecret,
    Preferences,
    ReplayResult,
    SignupConfirmed,
    SignupView,
    SubscriberCreated,
    SubscriberOut,
)

__all__ = [
    "AttemptOut",
    "DeliveryOut",
    "EndpointOut",
    "EndpointSecret",
    "Preferences",
    "Purged",
    "ReplayResult",
    "SignupConfirmed",
    "SignupOutcome",
    "SignupView",
    "SubscriberCreated",
    "SubscriberOut",
    "Trial",
    "authenticate",
    "carry_watch",
    "change_tier",
    "confirm_signup",
    "create_subscriber",
    "end_trials",
    "follow",
    "get_delivery",
    "get_subscriber",
    "hash_api_key",
    "list_deliveries",
    "list_endpoints",
    "list_subscribers",
    "preferences",
    "purge_signups",
    "register_endpoint",
    "remind_trials",
    "replay",
    "request_signup",
    "resume",
    "rotate_secret",
    "send_test_event",
    "set_digest_schedule",
    "set_endpoint_enabled",
    "set_filters",
    "unfollow",
    "unsubscribe",
    "unwatch_provision",
    "view_signup",
    "watch_provision",
]
