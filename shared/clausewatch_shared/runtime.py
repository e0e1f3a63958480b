"""The process runtime: one broker, one database, one blob store, and the background tasks services need.

`Runtime` connects nothing when built. A service factory registers its handlers and tasks on it; `app()` returns
the FastStream application that starts them. The embedded runner registers every service on one runtime; a
container registers one. Either way the same handler code runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from faststream import FastStream
from faststream.nats import NatsBroker

from clausewatch_shared.blobstore import BlobStore, FilesystemBlobStore, NatsObjectBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.messaging import Bus, build_broker, jetstream, stop_consuming
from clausewatch_shared.ops import OpsServer, sample_consumer_lag
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import CONSUMERS

TaskFactory = Callable[[], Awaitable[None]]
log = structlog.get_logger("clausewatch.runtime")

# How often a task that is still running after cancel() is cancelled again, and when the runtime stops waiting.
# The give-up bound is above the longest drain a task may take on purpose (the notifier's delivery drain, 20 s).
_RECANCEL_SECONDS = 2.0
_GIVE_UP_SECONDS = 60.0


def stop_requested() -> bool:
    """Return True if the current task was asked to stop, even if the CancelledError never reached its code.

    Long-running loops check it each round: see `stop_task` for how a cancel() can be lost on the way.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop_task(task: asyncio.Task[None]) -> None:
    """Cancel a task and wait until it is done, cancelling it again while it still runs (bounded).

    One cancel() is not enough on Python 3.11: `asyncio.wait_for` swallows the CancelledError when the future it
    waits on completes in the same loop turn (CPython gh-86296, fixed in 3.12). nats-py's request() (every
    JetStream API call) uses it, so a loop task could miss its one cancel and run on, and awaiting it hung the
    shutdown. A task draining on purpose (`finish_within`) ignores the repeats until its own bound.
    """
    loop = asyncio.get_running_loop()
    give_up = loop.time() + _GIVE_UP_SECONDS
    task.cancel()
    while not task.done():
        await asyncio.wait({task}, timeout=_RECANCEL_SECONDS)
        if task.done():
            break
        if loop.time() > give_up:
            log.error("task_did_not_stop", task=task.get_name(), waited_s=_GIVE_UP_SECONDS)
            return
        task.cancel()
    if not task.cancelled() and task.exception() is not None:
        log.warning("task_failed_while_stopping", task=task.get_name(), error=repr(task.exception()))


async def finish_within(task: asyncio.Future[Any], seconds: float) -> None:
    """Give a task up to `seconds` to finish, ignoring cancellation meanwhile, then cancel it.

    For a stop path that must let work in flight complete (a send the channel accepted gets recorded, an HTTP
    request gets its answer): `stop_task` cancels repeatedly, and each repeat must not cut the drain short.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not task.done() and (left := deadline - loop.time()) > 0:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({task}, timeout=left)
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({task}, timeout=_RECANCEL_SECONDS)


class _LazyNatsBlobs:
    """Object Store blobs whose bucket is opened on first use, once the broker is connected."""

    def __init__(self, broker: NatsBroker, bucket: str, replicas: int) -> None:
        self._broker, self._bucket, self._replicas = broker, bucket, replicas
        self._store: NatsObjectBlobStore | None = None

    async def _get(self) -> NatsObjectBlobStore:
        if self._store is None:
            self._store = NatsObjectBlobStore(await jetstream(self._broker), self._bucket, self._replicas)
        return self._store

    async def put(self, data: bytes) -> str:
        return await (await self._get()).put(data)

    async def get(self, key: str) -> bytes:
        return await (await self._get()).get(key)

    async def exists(self, key: str) -> bool:
        return await (await self._get()).exists(key)


@dataclass
class Runtime:
    """Shared resources of one process and the lifecycle that starts and stops them."""

    settings: CommonSettings
    broker: NatsBroker
    db: Database
    blobs: BlobStore
    services: list[str] = field(default_factory=list)
    _tasks: list[tuple[str, TaskFactory]] = field(default_factory=list)
    _running: list[asyncio.Task[None]] = field(default_factory=list)
    _startups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _shutdowns: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    ops: OpsServer | None = None
    started: bool = False

    @classmethod
    def create(cls, settings: CommonSettings, name: str = "clausewatch") -> Runtime:
        """Build the runtime's parts without connecting to anything."""
        broker = build_broker(settings.nats_url, name)
        blobs: BlobStore
        if settings.blob_store == "nats":
            blobs = _LazyNatsBlobs(broker, settings.blob_bucket, settings.stream_replicas)
        else:
            blobs = FilesystemBlobStore(settings.blob_dir)
        return cls(settings=settings, broker=broker, db=Database(settings.database_url), blobs=blobs)

    def bus(self, service: str) -> Bus:
        """Return the event bus as seen by one service (its name labels dead letters and metrics)."""
        if service not in self.services:
            self.services.append(service)
        return Bus(
            self.broker,
            service,
            max_deliveries=self.settings.max_deliveries,
            backoff_seconds=self.settings.retry_backoff_seconds,
            stream_replicas=self.settings.stream_replicas,
            concurrency=self.settings.effective_handler_concurrency,
        )

    def add_task(self, name: str, factory: TaskFactory) -> None:
        """Run a long-lived coroutine (a scheduler, a retry loop) while the app runs; restart it if it crashes."""
        self._tasks.append((name, factory))

    def on_startup(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run a hook once the broker is connected and streams exist, before tasks start."""
        self._startups.append(hook)

    def on_shutdown(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run a hook when the app stops (after tasks are cancelled and in-flight messages are drained)."""
        self._shutdowns.append(hook)

    async def start(self) -> None:
        """Serve the ops endpoint (if configured), connect, declare streams, run start-up hooks."""
        await self.start_ops()
        await Bus(self.broker, "runtime", stream_replicas=self.settings.stream_replicas).start()
        for hook in self._startups:
            await hook()

    async def start_ops(self) -> None:
        """Serve /healthz, /readyz and /metrics on `settings.ops_port`.

        Started first, so liveness answers while the broker connects.
        """
        if self.settings.ops_port is None or self.ops is not None:
            return

        async def broker_connected() -> bool:
            return await self.broker.ping(timeout=1.0)

        async def started() -> bool:
            # Ready only once subscribers consume and tasks (the API's HTTP server) run, not merely connected.
            return self.started

        async def lag() -> None:
            owned = [c for c in CONSUMERS if c.durable.split("-", 1)[0] in self.services]
            await sample_consumer_lag(await jetstream(self.broker), owned)

        self.ops = OpsServer(
            self.settings.ops_host,
            self.settings.ops_port,
            {"started": started, "broker": broker_connected, "database": self.db.ping},
            sampler=lag,
        )
        await self.ops.start()

    async def begin_shutdown(self) -> None:
        """Turn readiness off, stop background tasks, stop pulling and finish the messages held (bounded).

        What still runs after `shutdown_grace_seconds` is cut short and handed back to the stream (`stop_consuming`).
        """
        if self.ops is not None:
            self.ops.shutting_down = True
        await self._cancel_tasks()
        await stop_consuming(self.broker, self.settings.shutdown_grace_seconds)

    async def _cancel_tasks(self) -> None:
        await asyncio.gather(*(stop_task(task) for task in self._running))
        self._running.clear()

    async def start_tasks(self) -> None:
        """Start background tasks (after the broker's subscribers are running)."""
        for name, factory in self._tasks:
            self._running.append(asyncio.create_task(self._supervise(name, factory), name=name))
        self.started = True

    async def _supervise(self, name: str, factory: TaskFactory) -> None:
        delay = 1.0
        while True:
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if stop_requested():
                    return  # failed while stopping (its cancel was swallowed): do not restart it
                log.exception("task_crashed_restarting", task=name, restart_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def stop(self) -> None:
        """Cancel tasks, run shutdown hooks, close the database and the ops endpoint."""
        await self._cancel_tasks()
        for hook in self._shutdowns:
            with contextlib.suppress(Exception):
                await hook()
        await self.db.dispose()
        if self.ops is not None:
            await self.ops.stop()
            self.ops = None

    def app(self) -> FastStream:
        """Return the FastStream application running this runtime."""
        return FastStream(
            self.broker,
            on_startup=[self.start],
            after_startup=[self.start_tasks],
            # FastStream runs on_shutdown hooks before it stops (drains) the broker: closing resources there
            # would pull them from under in-flight handlers. So only readiness, background tasks and pulling
            # stop first, and the messages held are finished; resources close after the drain.
            on_shutdown=[self.begin_shutdown],
            after_shutdown=[self.stop],
        )
