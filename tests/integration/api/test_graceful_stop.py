"""Stopping the api's HTTP task: a request in flight gets its answer, even while the runtime cancels repeatedly."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import uvicorn

from clausewatch_api.app import serve
from clausewatch_shared import runtime
from clausewatch_shared.runtime import stop_task
from tests.support.pipeline import wait_for
from tests.support.ports import bound_port

pytestmark = pytest.mark.integration


async def test_a_request_in_flight_is_answered_when_the_api_task_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The api task, stopped mid-request by the runtime (cancel, then cancel again), answers that request and ends."""
    monkeypatch.setattr(runtime, "_RECANCEL_SECONDS", 0.01)
    arrived, release = asyncio.Event(), asyncio.Event()

    async def slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        arrived.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4")]})
        await send({"type": "http.response.body", "body": b"done"})

    config = uvicorn.Config(slow_app, host="127.0.0.1", port=0, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(serve(server))
    await wait_for(lambda: server.started, timeout=10, what="uvicorn to start")
    port = bound_port(server)  # port 0: the kernel's pick, which no other process can hold

    async with httpx.AsyncClient(timeout=30) as client:
        request = asyncio.create_task(client.get(f"http://127.0.0.1:{port}/slow"))
        await arrived.wait()
        stopping = asyncio.create_task(stop_task(serving))
        for _ in range(5):  # let several of the runtime's repeated cancels land during the drain
            await asyncio.sleep(0.02)
        assert not serving.done()
        release.set()
        response = await request
        await stopping

    assert (response.status_code, response.text) == (200, "done")
    assert serving.cancelled()
