"""Self-service sign-up's rules, pure: link tokens, the rate limits, and who a confirmation is for (decision 0169).

A sign-up is a subscriber row waiting for its address to be proven: a link with a random token is e-mailed, and only
its use turns the row into a free-tier subscriber with an API key. The limits keep the form from being used to mail
strangers: per asking client (429), per address (nothing more is sent, and the answer does not change, so the form
never tells whether an address is known), and in all (429, so a flood cannot spend the sender's reputation).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

CLIENT_WINDOW = timedelta(hours=1)
ADDRESS_WINDOW = timedelta(days=1)
ALL_WINDOW = timedelta(hours=1)
SIGNUP_TIER = "free"

# Where an address's subscriber row stands: a sign-up not confirmed yet, subscribed, or unsubscribed once confirmed.
State = Literal["pending", "active", "unsubscribed"]
# Who a sign-up's confirmation is for, by that state: new (no row, or a sign-up never confirmed), existing
# (subscribed now), returning (confirmed once, since unsubscribed).
Standing = Literal["new", "returning", "existing"]
_STANDING: dict[str, Standing] = {"pending": "new", "active": "existing", "unsubscribed": "returning"}


# The confirmation page's path; a token follows it in the link e-mailed.
CONFIRM_PATH = "/signup/confirm/"
SENT_LINK = CONFIRM_PATH + "(removed-once-sent)"
_CONFIRM_LINK = re.compile(re.escape(CONFIRM_PATH) + r"[A-Za-z0-9_-]+")


def without_link_tokens(payload: dict[str, Any]) -> dict[str, Any]:
    """Return a confirmation e-mail's stored parts with the link's token taken out.

    The token is stored hashed, but the e-mail's text holds it whole until the message is sent; once its delivery
    is over (sent, failed for good, or cancelled) nothing needs it, and whoever reads the outbox must not be able to
    confirm someone else's sign-up (which shows a new API key) with it.
    """
    return {k: _CONFIRM_LINK.sub(SENT_LINK, v) if isinstance(v, str) else v for k, v in payload.items()}


def new_token() -> str:
    """Return a confirmation link's token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the stored form of a token (SHA-256 hex; random tokens need no salt), so a database read cannot use one."""
    return hashlib.sha256(token.encode()).hexdigest()


def client_key(address: str | None) -> str | None:
    """Return what is kept of the asking client's address for its rate limit: a hash, never the address itself."""
    if not address:
        return None
    return hashlib.sha256(b"clausewatch-signup-client\0" + address.encode()).hexdigest()[:32]


def subscriber_state(confirmed_at: datetime | None, active: bool | None) -> State:
    """Return where a subscriber row stands (None values: no row, which reads as pending)."""
    if confirmed_at is None:
        return "pending"
    return "active" if active else "unsubscribed"


def standing(confirmed_at: datetime | None, active: bool | None) -> Standing:
    """Return who a sign-up for an address is for, from the address's subscriber row (None values: no row)."""
    return _STANDING[subscriber_state(confirmed_at, active)]


def mask_email(email: str) -> str:
    """Return an address as a confirmation page shows it to whoever holds the link: `l***@example.org`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@dataclass(frozen=True)
class SignupLimits:
    """The sign-up limits a server applies (from the notifier's settings)."""

    per_client_per_hour: int
    per_address_per_day: int
    per_hour: int


@dataclass(frozen=True)
class Recent:
    """The confirmations asked for lately: by this client in the last hour, for this address in the last day, and in
    all in the last hour; with the oldest of each still counted (when the window frees a place)."""

    by_client: int
    for_address: int
    in_all: int
    oldest_by_client: datetime | None = None
    oldest_in_all: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """Whether to send a confirmation; if refused, why and when to try again (seconds, for Retry-After)."""

    send: bool
    refusal: str | None = None
    retry_after: int = 0
    refused_by: Literal["client", "server"] | None = None  # whose limit: the asking client's, or the server's

    @property
    def refused(self) -> bool:
        """Whether the request is answered 429 (a silent skip for one address is not a refusal)."""
        return self.refusal is not None


def _until_free(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest counted request leaves its window (at least 1)."""
    if oldest is None:
        return int(window.total_seconds())
    return max(1, int((oldest + window - now).total_seconds()) + 1)


def decide(recent: Recent, limits: SignupLimits, now: datetime) -> Decision:
    """Return whether a sign-up may send its confirmation now."""
    if recent.by_client >= limits.per_client_per_hour:
        return Decision(
            send=False,
            refusal=f"too many sign-ups from your address: at most {limits.per_client_per_hour} an hour",
            retry_after=_until_free(recent.oldest_by_client, CLIENT_WINDOW, now),
            refused_by="client",
        )
    if recent.in_all >= limits.per_hour:
        return Decision(
            send=False,
            refusal="too many sign-ups on this server in the last hour",
            retry_after=_until_free(recent.oldest_in_all, ALL_WINDOW, now),
            refused_by="server",
        )
    # The address's own limit does not refuse: the answer must read the same whether or not the address is known.
    return Decision(send=recent.for_address < limits.per_address_per_day)
