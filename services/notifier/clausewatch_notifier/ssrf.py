"""Webhook target safety: the shared SSRF guard (`clausewatch_shared.netguard`) worded for webhook URLs. Pure.

A webhook URL is chosen by a subscriber, so it is checked when the endpoint is registered and again before every
send, and the send connects to the address that was checked (`pin`).
"""

from __future__ import annotations

from collections.abc import Iterable

from clausewatch_shared.netguard import UnsafeURLError, address_problem, pin
from clausewatch_shared.netguard import check_addresses as _check_addresses
from clausewatch_shared.netguard import check_url_shape as _check_url_shape

UnsafeTargetError = UnsafeURLError

WHAT = "webhook URLs"
OVERRIDE = "CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS"


def check_url_shape(url: str, *, require_https: bool) -> str:
    """Return the webhook URL's host if it is an absolute http(s) URL without credentials; raise otherwise."""
    return _check_url_shape(url, require_https=require_https, what=WHAT)


def check_addresses(host: str, addresses: Iterable[str], *, allow_private: bool) -> None:
    """Raise UnsafeTargetError if the host resolved to nothing or to any non-public address (unless allowed)."""
    _check_addresses(host, addresses, allow_private=allow_private, what=WHAT, override=OVERRIDE)


__all__ = [
    "OVERRIDE",
    "WHAT",
    "UnsafeTargetError",
    "address_problem",
    "check_addresses",
    "check_url_shape",
    "pin",
]
