"""Errors the management functions raise; each maps to one HTTP status for the API."""

from __future__ import annotations

from clausewatch_notifier.schedule import ScheduleError
from clausewatch_notifier.ssrf import UnsafeTargetError
from clausewatch_notifier.tiers import TierError


class NotFoundError(LookupError):
    """The subscriber, platform, endpoint or delivery named does not exist (HTTP 404)."""


class ConflictError(ValueError):
    """The request clashes with what exists, e.g. an e-mail already subscribed (HTTP 409)."""


class SignupClosedError(PermissionError):
    """Self-service sign-up is turned off on this server (HTTP 403)."""


class LinkGoneError(LookupError):
    """A confirmation link that was used already or has expired (HTTP 410); the message says which and what to do."""


class RateLimitedError(Exception):
    """Too many requests of one kind lately (HTTP 429); `retry_after` is when a place frees, in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


HTTP_STATUS: dict[type[Exception], int] = {
    LinkGoneError: 410,  # before NotFoundError: both are LookupErrors
    NotFoundError: 404,
    SignupClosedError: 403,
    RateLimitedError: 429,
    ConflictError: 409,
    TierError: 403,
    UnsafeTargetError: 422,
    ScheduleError: 422,
    ValueError: 422,  # any other invalid argument (a malformed e-mail address, an hour out of range); keep last
}


def http_status(exc: Exception) -> int:
    """Return the HTTP status an API should answer with for a management error (500 for anything else)."""
    for kind, status in HTTP_STATUS.items():
        if isinstance(exc, kind):
            return status
    return 500


__all__ = [
    "ConflictError",
    "LinkGoneError",
    "NotFoundError",
    "RateLimitedError",
    "ScheduleError",
    "SignupClosedError",
    "TierError",
    "UnsafeTargetError",
    "http_status",
]
