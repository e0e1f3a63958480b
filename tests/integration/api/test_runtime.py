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
from tests.support.pipeline import wait_for
from tests.support.ports import api_servers, bound_port

pytestmark = pytest.mark.integration


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


async def test_registered_api_serves_and_stops_with_the_runtime(settings: CommonSettings) -> None:
    """After start the pages answer on the configured port; after stop nothing listens there any more."""
    # Port 0: uvicorn binds a port the kernel picks, read back from the server itself, so no other process can
    # hold it or answer in its place.
    api_settings = ApiSettings(**{**settings.model_dump(), "port": 0, "host": "127.0.0.1"})
    runtime = Runtime.create(api_settings, "api")
    register(runtime, api_settings)
    app = runtime.app()
    with api_servers() as built:  # the patch must last until the runtime's api task has built its server
        await app.start()
        try:
            await wait_for(
                lambda: bool(built) and bound_port(built[0]) is not None, timeout=10, what="the api port"
            )
            port = bound_port(built[0])
            assert port is not None
            assert _listening(port)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                assert (await client.get("/healthz")).json() == {"status": "ok", "database": True}
                home = await client.get("/")
                assert home.status_code == 200
                assert "Latest changes" in home.text
        finally:
            await app.stop()
    assert not _listening(port)


@pytest.mark.parametrize(("trusted", "limited_at"), [("127.0.0.1", 3), ("10.9.9.9", 2)])
async def test_the_sign_up_limit_counts_the_visitor_a_trusted_proxy_names(
    settings: CommonSettings, monkeypatch: pytest.MonkeyPatch, trusted: str, limited_at: int
) -> None:
    """Behind a proxy the api trusts (CLAUSEWATCH_FORWARDED_ALLOW_IPS), two visitors it names each have their own
    sign-up limit; from a proxy it does not trust, X-Forwarded-For is ignored and they share the proxy's."""
    monkeypatch.setenv("CLAUSEWATCH_SIGNUP_PER_CLIENT_PER_HOUR", "1")
    api_settings = ApiSettings(
        **{**settings.model_dump(), "port": 0, "host": "127.0.0.1", "forwarded_allow_ips": trusted}
    )
    runtime = Runtime.create(api_settings, "api")
    register(runtime, api_settings)
    app = runtime.app()
    with api_servers() as built:
        await app.start()
        try:
            await wait_for(
                lambda: bool(built) and bound_port(built[0]) is not None, timeout=10, what="the api port"
            )
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bound_port(built[0])}") as client:
                answers = [
                    await client.post(
                        "/api/v1/signup",
                        json={"email": f"v{n}@example.org"},
                        headers={"X-Forwarded-For": visitor},
                    )
                    for n, visitor in enumerate(("203.0.113.1", "203.0.113.2", "203.0.113.1"))
                ]
        finally:
            await app.stop()
    statuses = [a.status_code for a in answers]
    assert statuses.index(429) + 1 == limited_at, statuses
