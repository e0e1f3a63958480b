"""The SSRF guard's DNS half: one lookup per check, answers in the resolver's order, every address judged."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from clausewatch_shared.netguard import UnsafeURLError, check_host, resolve


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fake DNS at the process edge: rebind.test answers public then loopback, dual.test answers v4, v6 and v4."""
    seen: list[str] = []
    answers = {
        "rebind.test": [["93.184.216.34"], ["127.0.0.1"]],
        "dual.test": [["93.184.216.34", "2606:2800::1"]],
    }

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        queue = answers[host]
        found = queue.pop(0) if len(queue) > 1 else queue[0]
        found = [*found, found[0]]  # resolvers repeat an address once per socket type or protocol
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0)) for address in found]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen


async def test_resolve_keeps_the_resolvers_order_and_drops_repeats(lookups: list[str]) -> None:
    """Addresses come back once each, in the order the resolver prefers (the order to connect in), not sorted."""
    assert await resolve("dual.test") == ["93.184.216.34", "2606:2800::1"]


async def test_check_host_returns_the_addresses_it_judged_from_one_lookup(lookups: list[str]) -> None:
    """check_host looks a name up once and returns exactly the answers it checked, for the caller to connect to."""
    assert await check_host("rebind.test", allow_private=False) == ["93.184.216.34"]
    assert lookups == ["rebind.test"]
    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1, a loopback address"):
        await check_host("rebind.test", allow_private=False, what="document URLs")
    assert lookups == ["rebind.test", "rebind.test"]


async def test_an_ip_literal_is_judged_without_a_lookup(lookups: list[str]) -> None:
    """An address written in the URL is checked as is (brackets and all for IPv6) and never sent to DNS."""
    with pytest.raises(UnsafeURLError, match="link-local"):
        await check_host("169.254.169.254", allow_private=False)
    assert await check_host("[2606:4700::1111]", allow_private=False) == ["2606:4700::1111"]
    assert lookups == []
