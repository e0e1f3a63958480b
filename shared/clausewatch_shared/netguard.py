"""Outbound-URL safety: refuse URLs that would make a service call into its own network (SSRF).

Some URLs we fetch are chosen by people outside the operator's review: a subscriber's webhook endpoint, a document
URL added through the API. Without a check, anyone could make our servers call http://169.254.169.254/ (cloud
metadata), http://127.0.0.1:8222/ (the NATS monitor) or the office intranet. A URL passes when it is an absolute
http(s) URL without credentials and every address its host resolves to is public. Callers check at registration
and again right before each request (DNS answers change), and connect to the address that was checked (the notifier
with `pin`, the fetcher with a network backend calling `check_host`), so a name cannot answer one address to the check
and another to the connect (DNS rebinding).

The shape and address checks are pure; `resolve`, `check_host` and `check_url` do the DNS lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit


class UnsafeURLError(ValueError):
    """A URL a service refuses to call, with the reason."""


def check_url_shape(url: str, *, require_https: bool, what: str = "URLs") -> str:
    """Return the URL's host if the URL is an absolute http(s) URL without credentials; raise otherwise.

    `what` names the URLs in messages ("webhook URLs", "document URLs").
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        msg = f"not a valid URL: {exc}"
        raise UnsafeURLError(msg) from None
    if parts.scheme not in ("http", "https"):
        msg = f"{what} must be http(s), not {parts.scheme or 'relative'}"
        raise UnsafeURLError(msg)
    if require_https and parts.scheme != "https":
        msg = f"{what} must use https outside development"
        raise UnsafeURLError(msg)
    if parts.username or parts.password:
        msg = f"{what} must not carry credentials"
        raise UnsafeURLError(msg)
    if not parts.hostname:
        msg = f"{what.removesuffix('s')} has no host"
        raise UnsafeURLError(msg)
    if port == 0:
        msg = f"{what.removesuffix('s')} has port 0"
        raise UnsafeURLError(msg)
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


def check_addresses(
    host: str, addresses: Iterable[str], *, allow_private: bool, what: str = "URLs", override: str = ""
) -> None:
    """Raise UnsafeURLError if the host resolved to nothing or to any non-public address (unless allowed).

    `override` names the setting that allows private targets, so the message tells an operator what to change.
    """
    found = list(addresses)
    if not found:
        msg = f"{host} does not resolve"
        raise UnsafeURLError(msg)
    if allow_private:
        return
    for address in found:
        problem = address_problem(address)
        if problem:
            hint = f" (an operator can allow private targets with {override})" if override else ""
            msg = f"{host} resolves to {address}, a {problem} address: {what} may only target public hosts{hint}"
            raise UnsafeURLError(msg)


async def resolve(host: str) -> list[str]:
    """Return the addresses a host name resolves to, in the resolver's order of preference, each once.

    An IP literal resolves to itself. The resolver's order (RFC 6724: IPv4 first on a host without IPv6 routes) is
    the order to try connecting in.
    """
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        # UnicodeError: the IDNA codec refuses labels over 63 characters or empty ones; no such host exists.
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_host(host: str, *, allow_private: bool, what: str = "URLs", override: str = "") -> list[str]:
    """Resolve a host once and return its addresses if they are all allowed; raise otherwise.

    Connect only to the addresses returned: resolving the name again to connect reopens the rebinding gap.
    """
    addresses = await resolve(host)
    check_addresses(host, addresses, allow_private=allow_private, what=what, override=override)
    return addresses


async def check_url(
    url: str, *, require_https: bool, allow_private: bool, what: str = "URLs", override: str = ""
) -> list[str]:
    """Return the URL's host's addresses if the URL is well formed and they are all allowed; raise otherwise."""
    host = check_url_shape(url, require_https=require_https, what=what)
    return await check_host(host, allow_private=allow_private, what=what, override=override)


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
