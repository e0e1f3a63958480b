"""Loopback ports for the servers tests start, without the race of picking a free port and binding it later.

Order of preference: a server binds port 0 and reports the port it got (`bound_port`, `logged_ops_port`, nats-server's
ports file); or the test binds the socket and hands it over (`held_socket`, `api_servers`); only where neither is
possible a picked port (`free_port`) with a retry when the start fails because another process took it
(`retry_on_port_clash`). Between 4 xdist workers, and other test runs on the same machine, a port that was free a
moment ago is no promise, and a readiness check that only connects may reach someone else's server.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from unittest import mock

if TYPE_CHECKING:
    import uvicorn

PORT_ATTEMPTS = 5
T = TypeVar("T")


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago.

    Racy by nature: anything may bind it before the caller does. Only for servers that cannot bind port 0 and
    report it, always with a retry on bind failure (`retry_on_port_clash`) and a readiness check that cannot be
    answered by another process.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def retry_on_port_clash(
    start: Callable[[int], T],
    clashed: Callable[[Exception], bool],
    first: int | None = None,
    fresh: Callable[[], int] = free_port,
    attempts: int = PORT_ATTEMPTS,
) -> T:
    """Return start(port), first on `first` (None: a fresh port), then on fresh ports while it fails with an
    error `clashed` recognises as the port having been taken by another process (at most `attempts` tries).

    For first starts only: a restart must come back on the port its clients know, and fails instead.
    """
    port = fresh() if first is None else first
    for attempt in range(1, attempts + 1):
        try:
            return start(port)
        except Exception as error:
            if attempt == attempts or not clashed(error):
                raise
        port = fresh()
    msg = "attempts must be at least 1"
    raise ValueError(msg)


def address_in_use(error: BaseException) -> bool:
    """True for the OSError a bind to a taken port raises (EADDRINUSE)."""
    return isinstance(error, OSError) and error.errno == errno.EADDRINUSE


@contextlib.contextmanager
def taken_port() -> Iterator[int]:
    """Yield a loopback port another socket listens on until the block ends (a port a server must not get)."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """Yield a loopback port where nothing listens and nothing can start listening until the block ends.

    The port stays bound (without SO_REUSEADDR, so no other socket can bind it) but never listens: connections to
    it are refused.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@contextlib.contextmanager
def held_socket() -> Iterator[socket.socket]:
    """Yield a loopback socket bound to a port the kernel picked, for a server to listen on; closed at the end."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def bound_port(server: uvicorn.Server) -> int | None:
    """The port a uvicorn server (configured with port 0) listens on; None until it has started."""
    if not server.started or not server.servers:
        return None
    return int(server.servers[0].sockets[0].getsockname()[1])


@contextlib.contextmanager
def api_servers(sock: socket.socket | None = None) -> Iterator[list[uvicorn.Server]]:
    """Record the uvicorn servers the api's runtime task builds (`clausewatch_api.app.build_server`) in the block.

    With `sock` (from `held_socket`) they serve on that socket instead of binding settings.port themselves: the
    port is the test's from the start, so the api's public_base_url can name it before the runtime starts. Without
    it, configure port 0 and read the port back with `bound_port`.
    """
    from clausewatch_api import app

    built: list[uvicorn.Server] = []
    build = app.build_server

    def recording(*args: Any, **kwargs: Any) -> uvicorn.Server:
        server = build(*args, **kwargs)
        if sock is not None:
            server.serve = functools.partial(server.serve, sockets=[sock])  # type: ignore[method-assign]
        built.append(server)
        return server

    with mock.patch.object(app, "build_server", recording):
        yield built


def logged_ops_port(log: Path) -> int | None:
    """The port a service process's ops endpoint bound, from its JSON log (`ops_endpoint_listening`).

    For processes started with CLAUSEWATCH_OPS_PORT=0 and CLAUSEWATCH_LOG_FORMAT=json; None until it has logged.
    """
    with contextlib.suppress(OSError):
        for raw in log.read_text(errors="replace").splitlines():
            if raw.startswith("{") and "ops_endpoint_listening" in raw:
                with contextlib.suppress(json.JSONDecodeError, KeyError, TypeError, ValueError):
                    line = json.loads(raw)
                    if line.get("event") == "ops_endpoint_listening":
                        return int(line["port"])
    return None


async def wait_logged_ops_port(log: Path, process: subprocess.Popen[bytes], timeout: float) -> int:
    """Wait until a process started with CLAUSEWATCH_OPS_PORT=0 logs its ops port; raise if it exits first."""
    deadline = time.monotonic() + timeout
    while (port := logged_ops_port(log)) is None:
        if process.poll() is not None:
            msg = f"the process exited with code {process.returncode} before its ops endpoint listened; see {log}"
            raise RuntimeError(msg)
        if time.monotonic() > deadline:
            msg = f"the process did not log its ops port within {timeout:.0f} s; see {log}"
            raise RuntimeError(msg)
        await asyncio.sleep(0.1)
    return port
