"""The analyzer service: consumes VersionRecorded and ChangeDetected, publishes ChangeAssessed."""

from __future__ import annotations

from faststream import FastStream

from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.handlers import Handlers
from clausewatch_analyzer.settings import AnalyzerSettings
from clausewatch_analyzer.summarizer import Summarizer
from clausewatch_shared import streams
from clausewatch_shared.events import ChangeDetected, VersionRecorded
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import load_settings


def register(runtime: Runtime, settings: AnalyzerSettings) -> None:
    """Attach the analyzer's two subscribers to a runtime (loads the taxonomy and, if present, the model)."""
    bus = runtime.bus("analyzer")
    summarizer = None
    if settings.summarizer_enabled and settings.summarizer_url:
        key = settings.summarizer_api_key.get_secret_value() if settings.summarizer_api_key else None
        summarizer = Summarizer(
            settings.summarizer_url, settings.summarizer_model, key, settings.summarizer_timeout_seconds
        )
    engine = build_engine(
        settings.analyzer_model_path, use_model=settings.analyzer_use_model, summarizer=summarizer
    )
    handlers = Handlers(runtime.db, bus, engine, settings.analyzer_comparisons)
    bus.subscribe(runtime.broker, streams.ANALYZER_VERSIONS, VersionRecorded, handlers.on_version_recorded)
    bus.subscribe(runtime.broker, streams.ANALYZER_CHANGES, ChangeDetected, handlers.on_change_detected)


def create_app(settings: AnalyzerSettings | None = None) -> FastStream:
    """Build the analyzer's FastStream app (one service per process)."""
    settings = settings or load_settings(AnalyzerSettings)
    runtime = Runtime.create(settings, "analyzer")
    register(runtime, settings)
    return runtime.app()
