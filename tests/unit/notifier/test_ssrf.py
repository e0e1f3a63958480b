"""The SSRF guard on webhook URLs."""

from __future__ import annotations

import re

import pytest

from clausewatch_notifier.ssrf import (
    UnsafeTargetError,
    address_problem,
    check_addresses,
    check_url_shape,
    pin,
)
from clausewatch_notifier.targets import check_apprise_target


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "private"),
        ("100.64.0.1", "not globally routable"),
    ],
)
def test_internal_addresses_are_named(address: str, problem: str) -> None:
    """Loopback, private, link-local, mapped and shared addresses are refused with their kind."""
    assert address_problem(address) == problem


def test_public_addresses_pass() -> None:
    """A public address has no problem."""
    assert address_problem("93.184.216.34") is None
    assert address_problem("2606:4700::1111") is None


def test_one_bad_address_among_good_ones_refuses_the_host() -> None:
    """A host resolving to a public and a private address is refused (DNS could answer either)."""
    with pytest.raises(UnsafeTargetError, match=re.escape("10.0.0.1, a private address")):
        check_addresses("mixed.example", ["93.184.216.34", "10.0.0.1"], allow_private=False)
    check_addresses("mixed.example", ["93.184.216.34", "10.0.0.1"], allow_private=True)


def test_unresolvable_hosts_are_refused() -> None:
    """A host with no address is refused even when private targets are allowed."""
    with pytest.raises(UnsafeTargetError, match="does not resolve"):
        check_addresses("nowhere.invalid", [], allow_private=True)


def test_url_shape() -> None:
    """Only absolute http(s) URLs without credentials pass, and https when required."""
    assert check_url_shape("https://hooks.example.com/x", require_https=True) == "hooks.example.com"
    for bad, why in [
        ("ftp://x.example/", "http"),
        ("/relative", "relative"),
        ("http://x.example/", "https"),
        ("https://user:pw@x.example/", "credentials"),
        ("https:///nohost", "no host"),
    ]:
        with pytest.raises(UnsafeTargetError, match=why):
            check_url_shape(bad, require_https=True)


async def test_self_hosted_apprise_targets_are_checked_and_hosted_ones_pass() -> None:
    """A json:// Apprise URL to a loopback or metadata address is refused; a slack:// token URL is not a host and passes."""
    for url in ("json://127.0.0.1:8222/x", "ntfys://user:pw@169.254.169.254/topic", "form://[::1]/f"):
        with pytest.raises(UnsafeTargetError):
            await check_apprise_target(url, allow_private=False)
    await check_apprise_target("json://127.0.0.1:8222/x", allow_private=True)
    await check_apprise_target("slack://TokenA/TokenB/TokenC/#general", allow_private=False)
    with pytest.raises(UnsafeTargetError, match="not an Apprise URL"):
        await check_apprise_target("no-scheme", allow_private=False)


def test_pin_aims_at_the_checked_address_and_keeps_the_name() -> None:
    """A pinned URL connects to the checked address while Host and TLS server name stay the original host."""
    assert pin("https://hooks.example.com:8443/cw?x=1#f", "93.184.216.34") == (
        "https://93.184.216.34:8443/cw?x=1",
        "hooks.example.com:8443",
        "hooks.example.com",
    )
    assert pin("https://hooks.example.com/cw", "2606:4700::1111") == (
        "https://[2606:4700::1111]/cw",
        "hooks.example.com",
        "hooks.example.com",
    )
    assert pin("http://[2606:4700::1111]:80/x", "2606:4700::1111")[1] == "[2606:4700::1111]:80"
