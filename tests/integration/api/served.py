"""The api served by uvicorn on a real port, in a thread with its own event loop, for schemathesis tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import uvicorn

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.migrations import upgrade

Prepare = Callable[[Database, FilesystemBlobStore], Awaitable[None]]


class ApiThread(threading.Thread):
    """uvicorn serving the api; `prepare` fills the database on the server's own loop before it listens.

    It serves on a socket bound here to a port the kernel picks, so no other process can take the port between
    choosing it and listening, and `port` is known before the thread starts.
    """

    def __init__(self, database_url: str, blob_dir: Path, api_keys: list[str], prepare: Prepare) -> None:
        super().__init__(daemon=True)
        self.database_url, self.blob_dir = database_url, blob_dir
        self.api_keys, self.prepare = api_keys, prepare
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.server: uvicorn.Server | None = None

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        db = Database(self.database_url)
        blobs = FilesystemBlobStore(self.blob_dir)
        await self.prepare(db, blobs)
        settings = ApiSettings(database_url=self.database_url, blob_dir=self.blob_dir, api_keys=self.api_keys)
        config = uvicorn.Config(
            create_api(settings, db, blobs),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        await self.server.serve(sockets=[self.socket])
        await db.dispose()


@contextlib.contextmanager
def served_api(tmp: Path, api_keys: list[str], prepare: Prepare) -> Iterator[ApiThread]:
    """Migrate a SQLite database in tmp, serve the api over it until the block ends."""
    url = f"sqlite+aiosqlite:///{tmp / 'clausewatch.db'}"
    upgrade(url)
    running = ApiThread(url, tmp / "blobs", api_keys, prepare)
    running.start()
    deadline = time.monotonic() + 30
    try:
        while running.server is None or not running.server.started:
            assert running.is_alive(), "the api thread ended before it listened (see its exception above)"
            assert time.monotonic() < deadline, "the api did not start"
            time.sleep(0.05)
        yield running
    finally:
        if running.server is not None:
            running.server.should_exit = True
        running.join(10)
        running.socket.close()


def app_schema_document() -> dict[str, object]:
    """The OpenAPI document the app itself publishes (building the app connects to nothing)."""
    memory = "sqlite+aiosqlite:///:memory:"
    app = create_api(ApiSettings(database_url=memory), Database(memory), FilesystemBlobStore(Path(".")))
    return app.openapi()
