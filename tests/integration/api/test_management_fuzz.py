"""Schemathesis against the management routes with real keys: a compliance subscriber's own key on /me and the
operator key on /subscribers, so generated requests get past authentication and reach the management functions.

The shared fuzz test (test_openapi_fuzz.py) sends no subscriber key, so there every /me route stops at 401. Here
each generated request must answer without a server error and as the schema says. Schema-valid requests may still
be refused by rules the schema cannot express (an id that does not exist, a tier limit), so the check that every
schema-valid request is accepted is left out. Registering an endpoint is left out too: it resolves the generated
host name, and tests never reach outside hosts (test_management_endpoints.py covers it)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_notifier import management
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.migrations import upgrade
from tests.integration.api.rows import write_rows
from tests.support.nats import free_port

pytestmark = pytest.mark.integration

ADMIN_KEY = "fuzz-admin-key"


class _Server(threading.Thread):
    """uvicorn serving the api in a thread with its own loop; the subscriber is made on that loop first."""

    def __init__(self, database_url: str, blob_dir: Path, port: int) -> None:
        super().__init__(daemon=True)
        self.database_url, self.blob_dir, self.port = database_url, blob_dir, port
        self.server: uvicorn.Server | None = None
        self.subscriber_key = ""

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        db = Database(self.database_url)
        blobs = FilesystemBlobStore(self.blob_dir)
        await write_rows(db, blobs)
        created = await management.create_subscriber(db, "fuzz@example.org", tier="compliance")
        await management.follow(db, created.subscriber.id, "acme")
        settings = ApiSettings(database_url=self.database_url, blob_dir=self.blob_dir, api_keys=[ADMIN_KEY])
        app = create_api(settings, db, blobs)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.subscriber_key = created.api_key
        await self.server.serve()
        await db.dispose()


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Server]:
    """The api under uvicorn over a migrated SQLite database with one compliance subscriber following acme."""
    tmp = tmp_path_factory.mktemp("management-fuzz")
    url = f"sqlite+aiosqlite:///{tmp / 'clausewatch.db'}"
    upgrade(url)
    running = _Server(url, tmp / "blobs", free_port())
    running.start()
    deadline = time.monotonic() + 30
    while not _listening(running.port):
        assert time.monotonic() < deadline, "the api did not start"
        time.sleep(0.05)
    yield running
    assert running.server is not None
    running.server.should_exit = True
    running.join(10)


def _management_schema() -> schemathesis.schemas.BaseSchema:
    """The app's own OpenAPI document, narrowed to the management routes (building the app connects nothing)."""
    memory = "sqlite+aiosqlite:///:memory:"
    app = create_api(ApiSettings(database_url=memory), Database(memory), FilesystemBlobStore(Path(".")))
    whole = schemathesis.openapi.from_dict(app.openapi())
    return whole.include(path_regex=r"^/api/v1/(me|subscribers)\b").exclude(
        path="/api/v1/me/endpoints", method="POST"
    )


schema = _management_schema()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_management_routes_answer_generated_requests_without_server_errors(
    case: schemathesis.Case, server: _Server
) -> None:
    """Every management operation, called with a valid key, answers generated requests without a 5xx and as its
    schema says."""
    own = case.path == "/api/v1/me" or case.path.startswith("/api/v1/me/")
    key = server.subscriber_key if own else ADMIN_KEY
    case.call_and_validate(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"X-API-Key": key},
        excluded_checks=[positive_data_acceptance],
    )
