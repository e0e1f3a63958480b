"""Run the real services in-process for end-to-end tests: the embedded runner on a test's nats-server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml

from clausewatch import embedded
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.ids import derived_id, new_id


def write_catalogue(path: Path, platforms: list[dict[str, Any]]) -> Path:
    """Write a catalogue YAML file of the given platforms."""
    path.write_text(yaml.safe_dump({"platforms": platforms}))
    return path


@contextlib.asynccontextmanager
async def running_system(
    data_dir: Path,
    nats_url: str,
    *,
    catalogue: Path,
    smtp_port: int | None = None,
    api_port: int | None = None,
    services: tuple[str, ...] = ("fetcher", "differ", "analyzer", "notifier"),
    overrides: dict[str, dict[str, Any]] | None = None,
) -> AsyncIterator[embedded.EmbeddedSystem]:
    """Start the given services on one runtime against nats_url, with a fresh SQLite database in data_dir."""
    service_overrides: dict[str, dict[str, Any]] = {
        "fetcher": {"catalogue_path": catalogue, "schedule_enabled": False, "min_host_delay_seconds": 0.0},
        "notifier": {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port or 25,
            "allow_private_webhook_targets": True,
            "require_https": False,
            "delivery_tick_seconds": 0.2,
            "retry_schedule_seconds": (0.2, 0.4, 0.8),
        },
    }
    for name, values in (overrides or {}).items():
        service_overrides.setdefault(name, {}).update(values)
    # Without api_port the api serves on a socket bound here to a port the kernel picks: no other test worker can
    # take it before the api serves, and public_base_url names it. With api_port the caller owns the port.
    api_socket = embedded.bind_api_socket(0) if api_port is None and "api" in services else None
    config = embedded.EmbeddedConfig(
        data_dir=data_dir,
        api_port=api_port or 0,
        nats_url=nats_url,
        service_overrides=service_overrides,
        services=services,
        api_socket=api_socket,
    )
    try:
        system = await embedded.build(config)
        await system.app.start()
        try:
            yield system
        finally:
            await system.app.stop()
    finally:
        if api_socket is not None:
            api_socket.close()


async def request_capture(system: embedded.EmbeddedSystem, document_id: str, slot: str) -> None:
    """Ask the fetcher to capture a document now, as the schedule would."""
    bus = system.runtime.bus("test")
    await bus.publish(
        CaptureRequested(
            event_id=derived_id("capture", document_id, slot),
            correlation_id=new_id(),
            document_id=document_id,
            slot=slot,
            reason="manual",
        ),
        msg_id=f"capture:{document_id}:{slot}",
    )


async def wait_for(
    condition: Callable[[], Awaitable[bool]] | Callable[[], bool],
    timeout: float = 30.0,
    what: str = "condition",
) -> None:
    """Poll until condition() is true, or fail with a message naming what was awaited."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.1)
    msg = f"timed out after {timeout} s waiting for {what}"
    raise AssertionError(msg)
