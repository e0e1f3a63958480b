"""JetStream streams and durable consumers, declared in one place and created idempotently at start.

Three streams:
- CW_COMMANDS: a work queue for capture requests. A message is removed once one fetcher acks it, and the
  duplicate window drops a second request for the same (document, slot) from another scheduler replica.
- CW_EVENTS: facts, kept for 30 days so a consumer can be replayed or a new one can catch up.
- CW_DEADLETTER: messages a service gave up on, with the reason, kept for 30 days for inspection and re-drive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NoStreamResponseError, NotFoundError, ServiceUnavailableError

from clausewatch_shared import subjects

DAY = 24 * 3600.0
# How long stream creation waits for a JetStream that has no leader yet (a cluster starting beside the services).
LEADER_WAIT_SECONDS = 60.0

T = TypeVar("T")


@dataclass(frozen=True)
class StreamSpec:
    """A stream's name, subjects and retention."""

    name: str
    subjects: tuple[str, ...]
    retention: RetentionPolicy
    max_age_seconds: float
    duplicate_window_seconds: float


COMMANDS = StreamSpec("CW_COMMANDS", subjects.COMMAND_SUBJECTS, RetentionPolicy.WORK_QUEUE, 7 * DAY, 3600.0)
EVENTS = StreamSpec("CW_EVENTS", subjects.EVENT_SUBJECTS, RetentionPolicy.LIMITS, 30 * DAY, 3600.0)
DEADLETTER = StreamSpec(
    "CW_DEADLETTER", subjects.DEADLETTER_SUBJECTS, RetentionPolicy.LIMITS, 30 * DAY, 120.0
)
STREAMS = (COMMANDS, EVENTS, DEADLETTER)


# The server's max_deliver is this much above the services' own count of tries: a backstop for deliveries the services
# do not count as failures (a deferral, a hand-back by a stopping service). At max_deliver the server delivers no more.
SERVER_SPARE_DELIVERIES = 2


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer: which service owns it, what it reads and how long one try may take."""

    durable: str
    stream: StreamSpec
    subject: str
    ack_wait_seconds: float = 60.0
    max_ack_pending: int = 256

    def config(self, max_deliveries: int) -> ConsumerConfig:
        """Return the consumer's config; the server's max_deliver backs up the service's own dead-letter count."""
        return ConsumerConfig(
            durable_name=self.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_seconds,
            max_deliver=max_deliveries + SERVER_SPARE_DELIVERIES,
            filter_subject=self.subject,
            max_ack_pending=self.max_ack_pending,
        )


FETCHER_CAPTURE = ConsumerSpec(
    "fetcher-capture", COMMANDS, subjects.CAPTURE_REQUESTED, ack_wait_seconds=180.0
)
DIFFER_SNAPSHOTS = ConsumerSpec("differ-snapshots", EVENTS, subjects.SNAPSHOT_CAPTURED)
ANALYZER_VERSIONS = ConsumerSpec(
    "analyzer-versions", EVENTS, subjects.VERSION_RECORDED, ack_wait_seconds=120.0
)
ANALYZER_CHANGES = ConsumerSpec("analyzer-changes", EVENTS, subjects.CHANGE_DETECTED, ack_wait_seconds=120.0)
NOTIFIER_ASSESSMENTS = ConsumerSpec(
    "notifier-assessments", EVENTS, subjects.CHANGE_ASSESSED, ack_wait_seconds=120.0
)
CONSUMERS = (FETCHER_CAPTURE, DIFFER_SNAPSHOTS, ANALYZER_VERSIONS, ANALYZER_CHANGES, NOTIFIER_ASSESSMENTS)


async def until_leader(call: Callable[[], Awaitable[T]], wait_s: float = LEADER_WAIT_SECONDS) -> T:
    """Run a JetStream call, again while JetStream answers "no leader yet" or not at all, up to `wait_s`.

    A cluster that has just started (or lost a node) elects its meta leader in a few seconds; until then API
    requests time out or come back 503. Services starting beside it should wait that out, not crash-loop. A
    replicated stream just created (the blob bucket's, say) elects its own leader the same way, and a publish to it
    meanwhile gets no response (NoStreamResponseError).
    """
    deadline = time.monotonic() + wait_s
    pause = 0.2
    while True:
        try:
            return await call()
        except (NatsTimeoutError, ServiceUnavailableError, NoStreamResponseError):
            if time.monotonic() + pause > deadline:
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)


async def ensure_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create or update every stream so that starting any service (or several at once) is safe."""
    await until_leader(lambda: _ensure_streams(js, replicas))


async def _ensure_streams(js: JetStreamContext, replicas: int) -> None:
    for spec in STREAMS:
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            retention=spec.retention,
            storage=StorageType.FILE,
            max_age=spec.max_age_seconds,
            duplicate_window=spec.duplicate_window_seconds,
            num_replicas=replicas,
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            # Already there with other settings (an upgrade, or a replica racing us): bring it in line.
            await js.update_stream(config)


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec, max_deliveries: int) -> None:
    """Create a durable consumer if it is missing; leave an existing one (and its position) alone."""
    try:
        await js.consumer_info(spec.stream.name, spec.durable)
    except NotFoundError:
        try:
            await js.add_consumer(spec.stream.name, spec.config(max_deliveries))
        except BadRequestError:
            # Another replica created it between our look and our add.
            await js.consumer_info(spec.stream.name, spec.durable)
