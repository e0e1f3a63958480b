"""Webhook target safety: refuse URLs that would make the notifier call into its own network (SSRF). Pure.

A webhook URL is chosen by a subscriber, so without a check anyone could make our servers POST to
http://169.254.169.254/ (cloud metadata), http://127.0.0.1:8222/ (the NATS monitor) or the office intranet.
The URL's host is resolved and every address it resolves to must be public; the check runs when the endpoint is
registered and again before every send, and the send connects to the address that was checked (`pin`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit


class UnsafeTargetError(ValueError):
    """A webhook URL the notifier refuses to call, with the reason."""


def check_url_shape(url: str, *, require_https: bool) -> str:
    """Return the URL's host if the URL is an absolute http(s) URL without credentials; raise otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        msg = f"not a valid URL: {exc}"
        raise UnsafeTargetError(msg) from None
    if parts.scheme not in ("http", "https"):
        msg = f"webhook URLs must be http(s), not {parts.scheme or 'relative'}"
        raise UnsafeTargetError(msg)
    if require_https and parts.scheme != "https":
        msg = "webhook URLs must use https outside development"
        raise UnsafeTargetError(msg)
    if parts.username or parts.password:
        msg = "webhook URLs must not carry credentials; use the signing secret to authenticate"
        raise UnsafeTargetError(msg)
    if not parts.hostname:
        msg = "webhook URL has no host"
        raise UnsafeTargetError(msg)
    if port == 0:
        msg = "webhook URL has port 0"
        raise UnsafeTargetError(msg)
    return parts.hostname


def address_problem(address: str) -> str | None:
    """Return why an IP address is not a public unicast address, or None if it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_private, "private"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    return None


def check_addresses(host: str, addresses: Iterable[str], *, allow_private: bool) -> None:
    """Raise UnsafeTargetError if the host resolved to nothing or to any non-public address (unless allowed)."""
    found = list(addresses)
    if not found:
        msg = f"{host} does not resolve"
        raise UnsafeTargetError(msg)
    if allow_private:
        return
    for address in found:
        problem = address_problem(address)
        if problem:
            msg = (
                f"{host} resolves to {address}, a {problem} address: webhooks may only target public hosts "
                "(an operator can allow private targets with CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS)"
            )
            raise UnsafeTargetError(msg)


def pin(url: str, address: str) -> tuple[str, str, str]:
    """Return (the URL aimed at `address`, the Host header, the TLS server name) for a checked URL.

    Connecting to the address we checked, rather than letting the HTTP client resolve the name again, closes the
    DNS-rebinding gap between check and use; the Host header and TLS SNI keep the original name, so virtual hosts
    and certificate verification work as before.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    literal = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    pinned = urlunsplit((parts.scheme, literal + port, parts.path, parts.query, ""))
    host_header = (f"[{host}]" if ":" in host else host) + port
    return pinned, host_header, host
