"""The test-support helpers that give servers loopback ports: no port is handed over to be bound later, a start
that loses its port says so at once, and a first start moves to another port."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from tests.support.nats import NatsServer, NatsStartError, running_nats
from tests.support.ports import closed_port, retry_on_port_clash, taken_port

pytestmark = pytest.mark.integration


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A loopback port another process's plain listening socket holds for the test's duration."""
    with taken_port() as port:
        yield port


async def _round_trip(url: str) -> bytes:
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        sub = await nc.subscribe("ports.test")
        await nc.publish("ports.test", b"ping")
        return (await sub.next_msg(timeout=5)).data
    finally:
        await nc.close()


async def test_a_first_start_on_a_taken_port_ends_up_on_another_working_port(
    tmp_path: Path, occupied_port: int
) -> None:
    """running_nats asked for a port someone else holds starts on another one, which is its own and answers."""
    with running_nats(tmp_path / "jetstream", port=occupied_port) as server:
        assert server.port != occupied_port
        assert server.process is not None
        assert server.process.poll() is None
        assert await _round_trip(server.url) == b"ping"
        assert list((tmp_path / "jetstream").glob(f"*_{server.process.pid}.ports"))


def test_a_restart_on_a_taken_port_raises_a_clear_error_at_once(tmp_path: Path) -> None:
    """A restart keeps its port; when another process took it meanwhile, start() says so, with nats-server's
    stderr, as soon as the process exits rather than after a readiness timeout."""
    with running_nats(tmp_path / "jetstream") as server:
        server.stop()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", server.port))
            sock.listen()
            began = time.monotonic()
            with pytest.raises(NatsStartError) as raised:
                server.start()
            assert time.monotonic() - began < 10
    assert raised.value.address_in_use
    message = str(raised.value)
    assert "exited with code" in message
    assert "its port is taken by another process" in message
    assert "address already in use" in message


def test_another_nats_server_on_the_port_does_not_pass_for_the_one_starting(tmp_path: Path) -> None:
    """The old readiness check (a TCP connection) was satisfied by whatever listened on the port; now a server
    whose port another nats-server holds fails instead of reporting the other one as itself."""
    with running_nats(tmp_path / "first") as first:
        second = NatsServer(port=first.port, store=tmp_path / "second")
        with pytest.raises(NatsStartError) as raised:
            second.start()
        assert raised.value.address_in_use
        second.stop()
        assert first.process is not None
        assert first.process.poll() is None


def test_retry_on_port_clash_retries_clashes_only_and_gives_up() -> None:
    """Clashes move to a fresh port, up to the attempts; any other error is raised at once."""
    tried: list[int] = []

    def clashing(port: int) -> int:
        tried.append(port)
        if len(tried) < 3:
            raise OSError(98, "Address already in use")
        return port

    fresh = iter(range(2000, 2100))
    assert retry_on_port_clash(clashing, lambda e: isinstance(e, OSError), 1000, lambda: next(fresh)) == 2001
    assert tried == [1000, 2000, 2001]

    def broken(port: int) -> int:
        tried.append(port)
        raise ValueError(port)

    tried.clear()
    with pytest.raises(ValueError, match="1000"):
        retry_on_port_clash(broken, lambda e: isinstance(e, OSError), 1000, lambda: next(fresh))
    assert tried == [1000]

    tried.clear()
    with pytest.raises(OSError, match="Address already in use"):
        retry_on_port_clash(clashing, lambda e: isinstance(e, OSError), 1000, lambda: next(fresh), attempts=2)
    assert len(tried) == 2


def test_closed_port_refuses_connections_and_cannot_be_bound() -> None:
    """Nothing answers on a closed_port, and no other socket can listen there while it is held."""
    with closed_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        with socket.socket() as other:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError, match="in use"):
                other.bind(("127.0.0.1", port))
