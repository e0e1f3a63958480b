"""The embedded runner: every service in one process, on a nats-server child process and a SQLite file.

This is `clausewatch up`. It is the same handler code as the containers run: each service's `register` attaches
its subscribers and tasks to one shared runtime (one broker connection, one database engine, one blob store).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faststream import FastStream

from clausewatch import services
from clausewatch.natsd import EmbeddedNats
from clausewatch_shared.logging import configure_logging
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings, load_settings

RUNTIME_FILE = "runtime.json"


@dataclass
class EmbeddedConfig:
    """Where the embedded system keeps its data and which ports it uses.

    With `api_socket` (from `bind_api_socket`) the api serves on that socket and `api_port` is its port; without
    it the api binds `api_port` itself when it starts.
    """

    data_dir: Path
    api_port: int = 8080
    nats_url: str | None = None
    service_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: tuple[str, ...] = services.SERVICE_NAMES
    api_socket: socket.socket | None = None

    def __post_init__(self) -> None:
        if self.api_socket is not None:
            self.api_port = int(self.api_socket.getsockname()[1])

    @property
    def database_url(self) -> str:
        """The SQLite database in the data directory."""
        return f"sqlite+aiosqlite:///{self.data_dir / 'clausewatch.db'}"

    def common(self, nats_url: str) -> dict[str, Any]:
        """Settings every service shares in embedded mode."""
        return {
            "nats_url": nats_url,
            "database_url": self.database_url,
            "blob_store": "filesystem",
            "blob_dir": self.data_dir / "blobs",
            "public_base_url": f"http://127.0.0.1:{self.api_port}",
        }


@dataclass
class EmbeddedSystem:
    """A running embedded system: its nats-server, its runtime and the FastStream app driving it."""

    config: EmbeddedConfig
    nats: EmbeddedNats | None
    runtime: Runtime
    app: FastStream
    settings: dict[str, CommonSettings]
    nats_url: str

    def describe(self) -> dict[str, str]:
        """Where everything is, for people and for `clausewatch status`."""
        return {
            "nats_url": self.nats_url,
            "database_url": self.config.database_url,
            "blob_dir": str(self.config.data_dir / "blobs"),
            "web": f"http://127.0.0.1:{self.config.api_port}/",
            "api": f"http://127.0.0.1:{self.config.api_port}/api/v1/",
            "data_dir": str(self.config.data_dir),
        }

    def stop_nats(self) -> None:
        """Stop the embedded nats-server, if this system started one."""
        if self.nats is not None:
            self.nats.stop()


async def build(config: EmbeddedConfig) -> EmbeddedSystem:
    """Start nats-server (unless a URL is given), migrate the database and register every service."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    nats: EmbeddedNats | None = None
    nats_url = config.nats_url
    if nats_url is None:
        nats = EmbeddedNats(
            store_dir=config.data_dir / "jetstream", log_file=config.data_dir / "nats-server.log"
        )
        nats.start()
        nats_url = nats.url
    common = config.common(nats_url)
    await upgrade_async(config.database_url)
    runtime = Runtime.create(load_settings(CommonSettings, **common), "embedded")
    all_settings: dict[str, CommonSettings] = {}
    for name in config.services:
        overrides = {**common, **config.service_overrides.get(name, {})}
        if name == "api":
            overrides.setdefault("port", config.api_port)
        settings = services.load_service_settings(name, **overrides)
        if name == "api" and config.api_socket is not None:
            from clausewatch_api import app as api_app

            api_app.register(runtime, settings, sock=config.api_socket)
        else:
            services.register(name, runtime, settings)
        all_settings[name] = settings
    system = EmbeddedSystem(config, nats, runtime, runtime.app(), all_settings, nats_url)
    (config.data_dir / RUNTIME_FILE).write_text(json.dumps(system.describe(), indent=2))
    return system


async def run(
    config: EmbeddedConfig,
    *,
    extra_tasks: dict[str, Callable[[], Awaitable[None]]] | None = None,
    quiet: bool = False,
) -> None:
    """Build the embedded system and run it until interrupted (Ctrl-C) or until a task asks it to exit."""
    configure_logging(level="WARNING" if quiet else "INFO")
    system = await build(config)
    for name, factory in (extra_tasks or {}).items():
        system.runtime.add_task(name, factory)
    try:
        await system.app.run()
    finally:
        system.stop_nats()
        if config.api_socket is not None:
            config.api_socket.close()


def bind_api_socket(preferred: int = 8080, host: str = "127.0.0.1") -> socket.socket:
    """Return a socket listening on host:preferred, or on a port the kernel picks if preferred is taken.

    The api serves on this very socket (`EmbeddedConfig.api_socket`): checking that a port is free, closing it and
    binding it again later would let another process (or another test worker) take it in between.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # As uvicorn does when it binds: a port left in TIME_WAIT by our previous run is free to us. A port that
        # another socket listens on stays taken on Linux, which is the case the fallback handles.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, preferred))
        except OSError:
            sock.bind((host, 0))
        # Listening now, not when the server starts, holds the port and queues early clients instead of refusing.
        sock.listen(socket.SOMAXCONN)
    except BaseException:
        sock.close()
        raise
    return sock
