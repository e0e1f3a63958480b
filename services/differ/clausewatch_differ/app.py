"""The differ's application: consume captured snapshots, record versions and change sets."""

from __future__ import annotations

from faststream import FastStream

from clausewatch_differ.handlers import SnapshotHandler
from clausewatch_differ.settings import DifferSettings
from clausewatch_shared import streams
from clausewatch_shared.events import SnapshotCaptured
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import load_settings


def register(runtime: Runtime, settings: DifferSettings) -> None:
    """Attach the differ's subscriber to a runtime (connects nothing)."""
    bus = runtime.bus("differ")
    handler = SnapshotHandler(runtime.db, runtime.blobs, bus, settings.max_document_bytes)
    bus.subscribe(runtime.broker, streams.DIFFER_SNAPSHOTS, SnapshotCaptured, handler)


def create_app(settings: DifferSettings | None = None) -> FastStream:
    """Return the differ as a FastStream application (one service per process)."""
    settings = settings or load_settings(DifferSettings)
    runtime = Runtime.create(settings, "differ")
    register(runtime, settings)
    return runtime.app()
