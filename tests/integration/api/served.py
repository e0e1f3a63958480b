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
from tests.support.nats import free_port

Prepare = Callable[[Database, FilesystemBlobStore], Awaitable[None]]


class ApiThread(threading.Thread):
    """uvicorn serving the api; `prepare` fills the database on the server's own loop before it listens."""

    def __init__(
        self, database_url: str, blob_dir: Path, port: int, api_keys: list[str], prepare: Prepare
    ) -> None:
        super().__init__(daemon=True)
        self.database_url, self.blob_dir, self.port = database_url, blob_dir, port
        self.api_keys, self.prepare = api_keys, prepare
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
        await self.server.serve()
        await db.dispose()


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@contextlib.contextmanager
def served_api(tmp: Path, api_keys: list[str], prepare: Prepare) -> Iterator[ApiThread]:
    """Migrate a SQLite database in tmp, serve the api over it until the block ends."""
    url = f"sqlite+aiosqlite:///{tmp / 'clausewatch.db'}"
    upgrade(url)
    running = ApiThread(url, tmp / "blobs", free_port(), api_keys, prepare)
    running.start()
    deadline = time.monotonic() + 30
    while not _listening(running.port):
        assert time.monotonic() < deadline, "the api did not start"
        time.sleep(0.05)
    try:
        yield running
    finally:
        assert running.server is not None
        running.server.should_exit = True
        running.join(10)


def app_schema_document() -> dict[str, object]:
    """The OpenAPI document the app itself publishes (building the app connects to nothing)."""
    memory = "sqlite+aiosqlite:///:memory:"
    app = create_api(ApiSettings(database_url=memory), Database(memory), FilesystemBlobStore(Path(".")))
    return app.openapi()
