"""The api inside a runtime: `register` serves HTTP once the app starts and frees the port when it stops."""

from __future__ import annotations

import contextlib
import socket

import httpx
import pytest

from clausewatch_api.app import register
from clausewatch_api.settings import ApiSettings
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from tests.support.nats import free_port
from tests.support.pipeline import wait_for

pytestmark = pytest.mark.integration


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


async def test_registered_api_serves_and_stops_with_the_runtime(settings: CommonSettings) -> None:
    """After start the pages answer on the configured port; after stop nothing listens there any more."""
    port = free_port()
    api_settings = ApiSettings(**{**settings.model_dump(), "port": port, "host": "127.0.0.1"})
    runtime = Runtime.create(api_settings, "api")
    register(runtime, api_settings)
    app = runtime.app()
    await app.start()
    try:
        await wait_for(lambda: _listening(port), timeout=10, what="the api port")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).json() == {"status": "ok", "database": True}
            home = await client.get("/")
            assert home.status_code == 200
            assert "Latest changes" in home.text
    finally:
        await app.stop()
    assert not _listening(port)
