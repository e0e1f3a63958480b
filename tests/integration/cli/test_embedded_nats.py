"""The embedded nats-server that `clausewatch up` starts: its own port, and a clear failure when a port is taken."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from clausewatch.natsd import EmbeddedNats, NatsServerError
from tests.support.nats import running_nats


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(store_dir=tmp_path / "js", log_file=tmp_path / "nats.log")
    yield server
    server.stop()


async def _jetstream_answers(url: str) -> bool:
    client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        info = await client.jetstream().account_info()
        return info is not None
    finally:
        await client.close()


def test_the_server_binds_a_port_the_kernel_chooses_and_reports_it(embedded: EmbeddedNats) -> None:
    embedded.start()

    assert embedded.port > 0
    assert asyncio.run(_jetstream_answers(embedded.url))


def test_a_taken_port_fails_with_a_clear_error_instead_of_using_the_other_server(
    tmp_path: Path, embedded: EmbeddedNats
) -> None:
    # Another nats-server already listens: a connection check would succeed against it, the ports file cannot.
    with running_nats(tmp_path / "other") as other:
        embedded.port = other.port

        with pytest.raises(NatsServerError, match=rf"exited with code \d+ \(port {other.port} may be in use"):
            embedded.start()

    assert embedded.process is None
