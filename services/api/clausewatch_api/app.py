"""The api inside a runtime: `register` adds a task serving the FastAPI app with uvicorn; it consumes no events."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import structlog
import uvicorn
from faststream import FastStream

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.events import Message
from clausewatch_shared.runtime import Runtime, finish_within
from clausewatch_shared.settings import CommonSettings, load_settings

log = structlog.get_logger("clausewatch.api")
# On stop: uvicorn's own bound for requests in flight, and ours for the whole server (a little longer).
GRACEFUL_SECONDS = 8
DRAIN_SECONDS = 10.0


def _api_settings(settings: CommonSettings) -> ApiSettings:
    """Accept common settings (the embedded runner may pass them) and fill the api's own fields from the env."""
    if isinstance(settings, ApiSettings):
        return settings
    return load_settings(ApiSettings, **settings.model_dump())


class _RuntimeOwnedServer(uvicorn.Server):
    """A uvicorn server that leaves signals alone: the runtime (FastStream or the embedded runner) owns Ctrl-C and
    SIGTERM and stops us by cancelling our task, after which we drain in-flight requests."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_server(runtime: Runtime, settings: ApiSettings) -> uvicorn.Server:
    """Return a uvicorn server for the app over the runtime's database and blob store."""
    bus = runtime.bus("api")

    async def publish(event: Message) -> bool:
        return await bus.publish(event)

    app = create_api(settings, runtime.db, runtime.blobs, publish=publish)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # structlog already owns logging
        access_log=False,
        lifespan="off",  # the runtime owns start-up and shut-down, not uvicorn
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    return _RuntimeOwnedServer(config)


async def serve(server: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
    """Serve until cancelled (on `sockets` if given, else binding the configured host and port), then let in-flight
    requests finish and close the sockets.

    The runtime stops this task before it drains the broker and closes the database, so requests in flight can
    still publish and query. `finish_within` keeps the drain going through the runtime's repeated cancels; uvicorn
    cuts what is left a little before that bound, so requests end with an answer rather than a dropped socket.
    """
    # Only pass `sockets` when given: a server whose serve() already carries its sockets (tests wrap it) keeps them.
    task = asyncio.create_task(server.serve() if sockets is None else server.serve(sockets=sockets))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await finish_within(task, DRAIN_SECONDS)
        raise


def register(runtime: Runtime, settings: CommonSettings, sock: socket.socket | None = None) -> None:
    """Add a runtime task that serves the HTTP app (pages, feeds, JSON API) on settings.host:settings.port, or on
    `sock`, a socket already listening (the embedded runner binds it first so no other process can take the port)."""
    api_settings = _api_settings(settings)

    async def run() -> None:
        server = build_server(runtime, api_settings)
        host, port = sock.getsockname()[:2] if sock is not None else (api_settings.host, api_settings.port)
        log.info("api_listening", url=f"http://{host}:{port}")
        await serve(server, [sock] if sock is not None else None)

    runtime.add_task("api-http", run)


def create_app(settings: ApiSettings | None = None) -> FastStream:
    """Return the FastStream app of a process running only the api (`clausewatch run api`)."""
    settings = settings or load_settings(ApiSettings)
    runtime = Runtime.create(settings, "api")
    register(runtime, settings)
    return runtime.app()
