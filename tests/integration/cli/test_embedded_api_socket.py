"""The api port of `clausewatch up`: bound once and served as is, so no other process can take it in between."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clausewatch import cli, embedded
from tests.support.nats import NatsServer
from tests.support.ports import taken_port


def _port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def test_a_free_preferred_port_is_bound_and_listening() -> None:
    # A port the kernel just handed out and took back: nothing else asks for that very number in between.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        preferred = _port(probe)

    with embedded.bind_api_socket(preferred) as sock:
        assert _port(sock) == preferred
        with socket.create_connection(("127.0.0.1", preferred), timeout=2):
            pass  # accepted into the backlog: the socket listens before any server runs


def test_a_taken_preferred_port_gives_another_port_that_listens() -> None:
    with taken_port() as preferred, embedded.bind_api_socket(preferred) as sock:
        assert _port(sock) not in (0, preferred)
        with socket.create_connection(("127.0.0.1", _port(sock)), timeout=2):
            pass


async def test_the_api_serves_on_the_socket_it_was_handed(tmp_path: Path, nats_server: NatsServer) -> None:
    with taken_port() as preferred, embedded.bind_api_socket(preferred) as sock:
        port = _port(sock)
        config = embedded.EmbeddedConfig(
            data_dir=tmp_path / "data", nats_url=nats_server.url, services=("api",), api_socket=sock
        )
        system = await embedded.build(config)
        assert system.describe()["web"] == f"http://127.0.0.1:{port}/"
        assert system.settings["api"].public_base_url == f"http://127.0.0.1:{port}"
        # Connected before the server starts: only a server accepting on this very socket can answer it.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await system.app.start()
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), timeout=10)
        finally:
            writer.close()
            await system.app.stop()

    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert json.loads(body)["status"] == "ok"


def test_up_prints_the_port_it_serves_when_the_preferred_one_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[embedded.EmbeddedConfig] = []

    async def record(config: embedded.EmbeddedConfig) -> None:
        served.append(config)
        assert config.api_socket is not None
        config.api_socket.close()

    monkeypatch.setattr(embedded, "run", record)
    with taken_port() as preferred:
        result = CliRunner().invoke(cli.app, ["up", "--data-dir", str(tmp_path), "--port", str(preferred)])

    assert result.exit_code == 0, result.output
    [config] = served
    assert config.api_port != preferred
    assert f"web on http://127.0.0.1:{config.api_port}/" in result.output
