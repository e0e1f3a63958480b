"""Wiring: the fetcher's subscriber, scheduler task, catalogue sync and resources on a Runtime."""

from __future__ import annotations

import os
import socket

import structlog
from faststream import FastStream

from clausewatch_fetcher.archive import Archiver
from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.capture import Capturer
from clausewatch_fetcher.catalogue import load_catalogue
from clausewatch_fetcher.handlers import CaptureHandler
from clausewatch_fetcher.http_fetch import HttpFetcher
from clausewatch_fetcher.politeness import HostThrottle
from clausewatch_fetcher.scheduler import Scheduler
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_fetcher.sync import sync_catalogue
from clausewatch_shared import streams
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import load_settings

log = structlog.get_logger("clausewatch.fetcher")


def worker_name() -> str:
    """Return this worker's name for slot leases and logs (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_capturer(settings: FetcherSettings) -> Capturer:
    """Return a Capturer with the HTTP client, browser pool and throttle the settings describe."""
    http = HttpFetcher(
        user_agent=settings.user_agent,
        timeout=settings.http_timeout_seconds,
        max_bytes=settings.max_bytes,
        max_ratio=settings.max_compression_ratio,
        max_redirects=settings.max_redirects,
        max_connections=settings.http_concurrency,
        allow_private_document_urls=settings.allow_private_document_urls,
    )
    browser = None
    if settings.browser_enabled:
        browser = BrowserPool(
            executable=settings.chromium_path,
            concurrency=settings.browser_concurrency,
            timeout=settings.browser_timeout_seconds,
            user_agent=settings.user_agent,
            block_resources=settings.browser_block_resources,
            same_host_only=settings.browser_same_host_only,
            loopback_only=settings.browser_loopback_only,
            make_ahead=settings.browser_make_ahead,
            settle_ms=settings.browser_settle_ms,
            max_bytes=settings.max_bytes,
            step_timeout=settings.browser_step_timeout_seconds,
        )
    return Capturer(http, browser, HostThrottle(settings.min_host_delay_seconds))


async def close_capturer(capturer: Capturer) -> None:
    """Close the capturer's HTTP client and browser."""
    await capturer.http.aclose()
    if capturer.browser is not None:
        await capturer.browser.aclose()


def register(runtime: Runtime, settings: FetcherSettings) -> None:
    """Attach the capture subscriber, the scheduler task and the catalogue sync to a runtime (connects nothing)."""
    bus = runtime.bus("fetcher")
    worker = worker_name()
    catalogue = load_catalogue(
        settings.catalogue_path
    )  # fail at start, with file and field, on a bad catalogue
    capturer = build_capturer(settings)
    archiver = (
        Archiver(
            settings.archive_endpoint,
            timeout=settings.archive_timeout_seconds,
            user_agent=settings.user_agent,
        )
        if settings.archive_endpoint
        else None
    )
    handler = CaptureHandler(runtime.db, runtime.blobs, bus, capturer, settings, worker, archiver)
    # Several requests at once per worker: captures mostly wait on the network; the browser pool bounds rendering.
    bus.subscribe(
        runtime.broker,
        streams.FETCHER_CAPTURE,
        CaptureRequested,
        handler,
        batch_size=max(settings.browser_concurrency, 4),
    )

    async def startup() -> None:
        counts = await sync_catalogue(
            runtime.db,
            catalogue,
            default_interval=settings.default_interval_seconds,
            initial_spread=settings.initial_spread_seconds,
        )
        log.info("catalogue_synced", path=str(settings.catalogue_path), **counts)

    async def shutdown() -> None:
        await close_capturer(capturer)
        if archiver is not None:
            await archiver.aclose()

    runtime.on_startup(startup)
    runtime.on_shutdown(shutdown)
    if settings.schedule_enabled:
        runtime.add_task("fetcher-scheduler", Scheduler(runtime.db, bus, settings, worker).run)


def create_app(settings: FetcherSettings | None = None) -> FastStream:
    """Return the fetcher as a FastStream app (one service per process)."""
    settings = settings or load_settings(FetcherSettings)
    runtime = Runtime.create(settings, "fetcher")
    register(runtime, settings)
    return runtime.app()
