"""The embedded nats-server that `clausewatch up` starts: its own port, and a clear failure when a port is taken."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
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


def test_the_server_stops_when_the_process_that_started_it_is_killed(tmp_path: Path) -> None:
    """`pkill -f "clausewatch up"` during a demo left its nats-server running, holding the JetStream store (session
    17): a clausewatch killed before its shutdown ran takes its server with it."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from clausewatch.natsd import EmbeddedNats\n"
        f"server = EmbeddedNats(store_dir=Path({str(tmp_path / 'js')!r}))\n"
        "server.start()\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert _alive(server_pid)
        parent.kill()  # no shutdown of its own runs
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(server_pid)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie (the server's own session has no parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
