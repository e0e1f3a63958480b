"""Publishing and consuming events over JetStream with FastStream: dedup, bounded retries and dead letters.

FastStream's default ack policy (REJECT_ON_ERROR) drops a message for good when its handler raises. We take
acknowledgement into our own hands (`AckPolicy.MANUAL`) so that every message ends in exactly one of three ways:
- handled: acked after the server confirms (`ack_sync`), so a crash right after does not redeliver it;
- failed with a transient error: nacked with an exponential, jittered delay, up to `max_deliveries` tries;
- not ready yet (`RetryLaterError`, e.g. a slot another worker holds under a lease): nacked with the delay it names;
- malformed (bad JSON, unknown schema version) or out of tries: published to `clausewatch.v1.deadletter.<service>`
  with the reason, then terminated so the server stops redelivering it. The service keeps consuming.
- cut short by a stop (its handler cancelled): handed back with a nak, so another replica takes it at once instead
  of after the consumer's ack_wait (decision 0178; `stop_consuming` makes that the exception, not the rule).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import nats.errors
import structlog
from faststream import AckPolicy
from faststream._internal.endpoint.subscriber.mixins import ConcurrentMixin
from faststream.message import StreamMessage
from faststream.nats import JStream, NatsBroker, NatsMessage, NatsRouter, PullSub
from faststream.nats.subscriber.usecases.stream_pull_subscriber import PullStreamSubscriber
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError

from clausewatch_shared import subjects
from clausewatch_shared.events import DeadLetter, Message
from clausewatch_shared.metrics import DEAD_LETTERS, EVENTS_HANDLED, EVENTS_PUBLISHED, HANDLE_SECONDS
from clausewatch_shared.streams import (
    DEADLETTER,
    SERVER_SPARE_DELIVERIES,
    STREAMS,
    ConsumerSpec,
    ensure_streams,
    until_leader,
)

E = TypeVar("E", bound=Message)
Handler = Callable[[E], Awaitable[None]]

_PAYLOAD_LIMIT = 64 * 1024
_MAX_BACKOFF_SECONDS = 300.0
# How long one pull waits for messages when there are none. A stopping service waits for its pulls to return
# (`stop_consuming`), so this bounds how long an idle service takes to stop; a pull per second is nothing to NATS.
_PULL_WAIT_SECONDS = 1.0
# The broker's own wait for handlers in flight when it stops. The runtime has waited for them already, for the
# configured grace, and handed back what outlasted it (`stop_consuming`): this is only a last call.
_LAST_CALL_SECONDS = 1.0
log = structlog.get_logger("clausewatch.messaging")


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (the referenced row is gone, the blob fails its hash...)."""


class RetryLaterError(Exception):
    """Raised by a handler when the message cannot be handled *yet*, for a reason that passes by itself.

    Not a failure (another worker's lease that ends at a known time): the message is nacked with `delay_seconds`
    and never dead-lettered for it, so the handler must only raise it for a wait that is bounded.
    """

    def __init__(self, reason: str, delay_seconds: float) -> None:
        super().__init__(reason)
        self.delay_seconds = delay_seconds


class HandedBack(Exception):  # noqa: N818 - not a failure: what a dead letter says of a message a stop handed back
    """Dead-letter reason for a message handed back by a stopping service on the last delivery the server makes."""


BROKER_LOGGER = "faststream.clausewatch"


def build_broker(nats_url: str, name: str) -> NatsBroker:
    """Return a broker for the given servers; it does not connect until started."""
    servers = [s.strip() for s in nats_url.split(",") if s.strip()]
    # FastStream logs every message received and processed; our Bus writes one canonical line per message
    # instead, so FastStream's own lines are demoted to DEBUG. Its default logger also prints to stdout through a
    # handler of its own, in colour, past our JSON logging: a logger under "faststream" that propagates sends its
    # records through the root handler instead, at the level logging.configure_logging sets for "faststream".
    return NatsBroker(
        servers,
        name=f"clausewatch-{name}",
        logger=logging.getLogger(BROKER_LOGGER),
        graceful_timeout=_LAST_CALL_SECONDS,
        max_reconnect_attempts=-1,
        # A loaded machine or a server still starting can take more than the client's default 2 s to answer.
        connect_timeout=10,
        log_level=logging.DEBUG,
        # No dependency injection: our one handler shape takes the body and reads the message from the context.
        # With it, FastDepends resolved the `NatsMessage` argument by a synchronous call in a worker thread, a
        # thread hop per message that cost more CPU than the rest of consuming it (bench/bus.py, decision 0091).
        apply_types=False,
    )


async def jetstream(broker: NatsBroker) -> JetStreamContext:
    """Connect the broker if needed and return a JetStream context on its connection."""
    connection = await broker.connect()
    return connection.jetstream()


def backoff_delay(deliveries: int, base: float) -> float:
    """Return the redelivery delay after `deliveries` tries: base * 2^(n-1), capped, with ±25% jitter."""
    delay = min(base * (2.0 ** max(deliveries - 1, 0)), _MAX_BACKOFF_SECONDS)
    return delay * random.uniform(0.75, 1.25)


def _payload_text(body: bytes) -> str:
    cut = body[:_PAYLOAD_LIMIT]
    try:
        return cut.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(cut).decode("ascii")


# How long a publish waits out a stream's leader election (a few seconds in a healthy cluster); with a try timing
# out at 10 s, a publish gives up within about 20 s, well inside every consumer's ack wait (60 s at least).
PUBLISH_LEADER_WAIT_SECONDS = 15.0


@dataclass
class Bus:
    """One service's view of the event bus: publish events, subscribe handlers, dead-letter what cannot be handled."""

    broker: NatsBroker
    service: str
    max_deliveries: int = 5
    backoff_seconds: float = 2.0
    stream_replicas: int = 1
    # Messages handled at once per subscription (FastStream workers, each acking its own message). A handler
    # whose events must not overlap for one key (the differ, per document) serialises them itself.
    concurrency: int = 1

    async def start(self) -> None:
        """Connect and declare the streams (idempotent): call from the app's on_startup hook."""
        await ensure_streams(await jetstream(self.broker), replicas=self.stream_replicas)

    async def publish(self, event: Message, *, msg_id: str | None = None) -> bool:
        """Publish an event to its stream with `Nats-Msg-Id` = its id; return False if the server had it already.

        A replicated stream answers no publish while it elects a leader (just created, or its leader's node lost):
        the publish is tried again for up to PUBLISH_LEADER_WAIT_SECONDS. Trying again is safe: the id makes the
        stream drop a second copy of an event a timed-out try did store.
        """
        body = event.model_dump_json().encode()
        headers = {"Nats-Msg-Id": msg_id or event.event_id, "Clausewatch-Schema": str(event.schema_version)}
        ack = await until_leader(
            lambda: self.broker.publish(
                body,
                event.subject,
                headers=headers,
                correlation_id=event.correlation_id,
                stream=_stream_for(event.subject),
                timeout=10.0,
            ),
            wait_s=PUBLISH_LEADER_WAIT_SECONDS,
        )
        duplicate = bool(ack is not None and ack.duplicate)
        EVENTS_PUBLISHED.labels(self.service, event.subject, str(duplicate).lower()).inc()
        return not duplicate

    async def dead_letter(self, msg: NatsMessage, reason: str, error_type: str, deliveries: int) -> None:
        """Publish a message's body and the reason it failed to this service's dead-letter subject."""
        raw = msg.raw_message
        letter = DeadLetter(
            service=self.service,
            original_subject=raw.subject,
            reason=reason[:4000],
            error_type=error_type,
            deliveries=deliveries,
            payload=_payload_text(raw.data or b""),
            headers={k: v for k, v in (raw.headers or {}).items() if isinstance(v, str)},
        )
        seq = raw.metadata.sequence.stream if raw.metadata else int(time.time_ns())
        await self.broker.publish(
            letter.model_dump_json().encode(),
            subjects.deadletter(self.service),
            headers={"Nats-Msg-Id": f"{self.service}:{raw.subject}:{seq}"},
            stream=DEADLETTER.name,
            timeout=10.0,
        )
        DEAD_LETTERS.labels(self.service, raw.subject, error_type).inc()
        log.warning(
            "dead_lettered", subject=raw.subject, reason=reason, error_type=error_type, deliveries=deliveries
        )

    def subscribe(
        self,
        registrar: NatsRouter | NatsBroker,
        spec: ConsumerSpec,
        model: type[E],
        handler: Handler[E],
        *,
        batch_size: int = 1,
    ) -> None:
        """Attach `handler` to a durable pull consumer; it receives validated events and may raise to retry.

        `batch_size` > 1 fetches that many at once and handles them together (the fetcher's captures); otherwise
        up to the bus's `concurrency` messages are handled at once, each started as soon as a worker is free.
        """

        async def consume(_body: bytes) -> None:
            # Looked up per message: an application built around the broker later brings its own context.
            msg: NatsMessage = self.broker.context.get_local("message")
            await self._process(msg, spec, model, handler)

        registrar.subscriber(
            spec.subject,
            stream=JStream(spec.stream.name, declare=False),
            durable=spec.durable,
            config=spec.config(self.max_deliveries),
            pull_sub=PullSub(batch_size=batch_size, timeout=_PULL_WAIT_SECONDS),
            max_workers=self.concurrency if batch_size == 1 else 1,
            ack_policy=AckPolicy.MANUAL,
            decoder=_raw_body,
            title=f"{self.service}:{spec.durable}",
        )(consume)

    async def _process(
        self, msg: NatsMessage, spec: ConsumerSpec, model: type[E], handler: Handler[E]
    ) -> None:
        raw = msg.raw_message
        deliveries = raw.metadata.num_delivered if raw.metadata else 1
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            service=self.service, subject=raw.subject, deliveries=deliveries
        )
        try:
            event = model.model_validate_json(raw.data or b"")
        except ValidationError as exc:
            reason = f"not a valid {model.__name__} (schema v1): " + "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
            )
            await self.dead_letter(msg, reason, "ValidationError", deliveries)
            await raw.term()
            EVENTS_HANDLED.labels(self.service, spec.subject, "dead_lettered").inc()
            return
        structlog.contextvars.bind_contextvars(
            event_id=event.event_id,
            correlation_id=event.correlation_id,
            document_id=getattr(event, "document_id", None),
        )
        consuming = _consuming(self.broker)
        if consuming.cut_off:  # pulled before the stop, reached after its grace: another replica handles it
            await self._hand_back(msg, spec, deliveries, "the service stopped before the handler started")
            return
        started = time.perf_counter()
        task = asyncio.current_task()
        if task is not None:
            consuming.handling.add(task)
        try:
            await handler(event)
        except asyncio.CancelledError:
            # Not raised again: FastStream would log the cancellation as the handler's error, and the task ends
            # here anyway (`stop_consuming` cancelled it; a cancel scope would cancel it again at its next wait).
            await self._hand_back(msg, spec, deliveries, "the service stopped before the handler finished")
            return
        except PermanentError as exc:
            await self._give_up(msg, spec, exc, deliveries)
            return
        except RetryLaterError as exc:
            why = f"deferred on the last delivery the server allows ({deliveries}): {exc}"
            if await self._nak(
                msg, spec, deliveries, exc.delay_seconds, RetryLaterError(why, exc.delay_seconds)
            ):
                log.info("handler_deferred", reason=str(exc), retry_in_s=round(exc.delay_seconds, 2))
                EVENTS_HANDLED.labels(self.service, spec.subject, "deferred").inc()
            return
        except Exception as exc:
            if deliveries >= self.max_deliveries:
                await self._give_up(msg, spec, exc, deliveries)
                return
            delay = backoff_delay(deliveries, self.backoff_seconds)
            log.warning(
                "handler_failed_will_retry", error=repr(exc), retry_in_s=round(delay, 2), exc_info=True
            )
            await raw.nak(delay=delay)
            EVENTS_HANDLED.labels(self.service, spec.subject, "retried").inc()
            return
        finally:
            consuming.handling.discard(task)
            HANDLE_SECONDS.labels(self.service, spec.subject).observe(time.perf_counter() - started)
        await raw.ack_sync()
        EVENTS_HANDLED.labels(self.service, spec.subject, "ok").inc()
        log.info("handled", seconds=round(time.perf_counter() - started, 4))

    async def _nak(
        self,
        msg: NatsMessage,
        spec: ConsumerSpec,
        deliveries: int,
        delay: float | None,
        last_words: Exception,
    ) -> bool:
        """Nak the message for redelivery (after `delay`) and return True; on the last delivery the server makes
        (its max_deliver), where a nak would end the message without a trace, dead-letter it with `last_words` and
        return False."""
        if deliveries >= self.max_deliveries + SERVER_SPARE_DELIVERIES:
            await self._give_up(msg, spec, last_words, deliveries)
            return False
        await msg.raw_message.nak(delay=delay)
        return True

    async def _hand_back(self, msg: NatsMessage, spec: ConsumerSpec, deliveries: int, reason: str) -> None:
        """Nak a message a stopping service cut short or did not start, so that another replica gets it at once.

        Shielded: the cancellation that stopped the handler would otherwise cancel the nak too. The handler may have
        done part of its work; every handler is written to be run again (redelivery is how retries work anyway).
        """
        last_words = HandedBack(f"{reason}, on the last delivery the server allows ({deliveries})")
        with anyio.CancelScope(shield=True):
            try:
                if not await self._nak(msg, spec, deliveries, None, last_words):
                    return
            except Exception as exc:  # already answered, or the connection is gone: ack_wait brings it back
                log.warning("hand_back_failed", error=repr(exc))
                return
        EVENTS_HANDLED.labels(self.service, spec.subject, "handed_back").inc()
        log.info("handed_back", reason=reason)

    async def _give_up(
        self, msg: NatsMessage, spec: ConsumerSpec, exc: BaseException, deliveries: int
    ) -> None:
        await self.dead_letter(msg, f"{type(exc).__name__}: {exc}", type(exc).__name__, deliveries)
        await msg.raw_message.term()
        EVENTS_HANDLED.labels(self.service, spec.subject, "dead_lettered").inc()


@dataclass
class _Consuming:
    """A broker's consuming, as its stop sees it: the tasks running handlers, and whether the grace has run out."""

    handling: set[asyncio.Task[Any]] = field(default_factory=set)
    cut_off: bool = False


_CONSUMING: weakref.WeakKeyDictionary[NatsBroker, _Consuming] = weakref.WeakKeyDictionary()
# How long handlers cut short at the end of a stop's grace get to clean up (release a lease) and hand back.
_HAND_BACK_SECONDS = 5.0


def longest_stop_seconds(grace_seconds: float) -> float:
    """How long a stop can take with this grace: the grace, the hand-back window, the broker's last call."""
    return grace_seconds + _HAND_BACK_SECONDS + _LAST_CALL_SECONDS


def _consuming(broker: NatsBroker) -> _Consuming:
    state = _CONSUMING.get(broker)
    if state is None:
        state = _CONSUMING[broker] = _Consuming()
    return state


async def stop_consuming(broker: NatsBroker, grace_seconds: float) -> None:
    """Stop pulling messages and handle every message already pulled, or hand it back; bounded by the grace.

    FastStream's own stop turns its subscribers off, waits for the handlers already running, then cancels the pull
    loops; but a subscriber that is off passes over the messages it is given, so what a pull brought in meanwhile
    (the rest of a fetcher's batch, a message queued for a free worker) was dropped unanswered and came back only
    after the consumer's ack_wait (three minutes for captures). Called before the broker stops, this gives each
    pull loop a subscription that brings nothing more (`_NothingMore`) while the subscriber stays on, so what was
    pulled is handled as usual; a concurrent subscriber's queue is then closed, and its workers finish what it
    holds. When `grace_seconds` run out, the handlers still running are cancelled and whatever is still queued is
    not started: each message is handed back (`_hand_back`), while the connection is still open. Relies on the
    shape of FastStream 0.7's pull subscribers (pinned in shared/pyproject.toml; checked by
    tests/integration/ops/test_graceful_shutdown.py): the loop reads `subscriber.subscription` at every pull and
    hands each message over before pulling again; a concurrent subscriber's first task serves its queue.
    """
    deadline = time.monotonic() + grace_seconds
    draining: list[asyncio.Task[None]] = []
    for subscriber in broker.subscribers:
        if not isinstance(subscriber, PullStreamSubscriber) or subscriber.subscription is None:
            continue
        stand_in = _NothingMore(subscriber.subscription)
        subscriber.subscription = stand_in  # type: ignore[assignment]  # it answers what the loop asks of it
        draining.append(asyncio.create_task(_drain(subscriber, stand_in)))
    await _until_done(draining, deadline)
    # Past the grace: cut short what still runs, and hand back what a queue still holds as its workers reach it.
    consuming = _consuming(broker)
    consuming.cut_off = True
    running = list(consuming.handling)
    for task in running:
        task.cancel()
    await _until_done(draining + running, time.monotonic() + _HAND_BACK_SECONDS)
    for task in draining:
        task.cancel()


async def _drain(subscriber: PullStreamSubscriber, stand_in: _NothingMore) -> None:
    """Return once a subscriber holds no message: its loop has handed over its last pull, its queue is empty."""
    # A loop asks the stand-in once it has handed over everything its last real pull brought; a concurrent
    # subscriber's queue is closed only then (closed earlier, the hand-over of a message would fail and lose it).
    await stand_in.asked.wait()
    if isinstance(subscriber, ConcurrentMixin) and subscriber.tasks:
        subscriber.send_stream.close()
        await asyncio.wait([subscriber.tasks[0]])  # not `await task`: cancelling us must not cancel it


async def _until_done(tasks: Sequence[asyncio.Task[Any]], deadline: float) -> None:
    pending = [t for t in tasks if not t.done()]
    if pending:
        await asyncio.wait(pending, timeout=max(deadline - time.monotonic(), 0.0))


class _NothingMore:
    """Stands in for a pull subscription while its service stops: every pull waits, then finds nothing."""

    def __init__(self, subscription: Any) -> None:
        self._subscription = subscription
        self.asked = asyncio.Event()

    async def fetch(self, batch: int = 1, timeout: float | None = 5.0, **_: Any) -> list[Msg]:  # noqa: ASYNC109  # nats-py's signature
        self.asked.set()
        await asyncio.sleep(timeout or _PULL_WAIT_SECONDS)
        raise nats.errors.TimeoutError

    def __getattr__(self, name: str) -> Any:  # unsubscribe() and the rest go to the real subscription
        return getattr(self._subscription, name)


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    """The body as received: `_process` validates it against the event model (FastStream would parse the JSON)."""
    return message.body


def _stream_for(subject: str) -> str:
    for spec in STREAMS:
        for pattern in spec.subjects:
            if subject.startswith(pattern.removesuffix(">")):
                return spec.name
    msg = f"no stream takes subject {subject!r}"
    raise ValueError(msg)
