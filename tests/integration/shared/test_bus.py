"""The event bus against a real nats-server: dedup, retries, dead letters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import nats

from clausewatch_shared import subjects
from clausewatch_shared.events import DeadLetter, SnapshotUnchanged
from clausewatch_shared.messaging import RetryLaterError, stop_consuming
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import EVENTS, ConsumerSpec, ensure_streams

SPEC = ConsumerSpec("test-unchanged", EVENTS, subjects.SNAPSHOT_UNCHANGED, ack_wait_seconds=5)


def _unchanged(**kw: object) -> SnapshotUnchanged:
    base = {
        "correlation_id": "corr-1",
        "document_id": "acme/privacy-policy",
        "platform_id": "acme",
        "sha256": "0" * 64,
        "captured_at": "2026-11-22T06:00:00Z",
    }
    return SnapshotUnchanged.model_validate({**base, **kw})


async def _deadletters(url: str, expected: int, timeout: float = 10.0) -> list[DeadLetter]:
    nc = await nats.connect(url)
    js = nc.jetstream()
    sub = await js.pull_subscribe(f"{subjects.DEADLETTER_PREFIX}.>", durable=None, stream="CW_DEADLETTER")
    letters: list[DeadLetter] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(letters) < expected and asyncio.get_running_loop().time() < deadline:
        try:
            for msg in await sub.fetch(expected - len(letters), timeout=1):
                letters.append(DeadLetter.model_validate_json(msg.data))
                await msg.ack()
        except nats.errors.TimeoutError:
            continue
    await nc.close()
    return letters


async def _dead_letters_of_one_event(
    settings: CommonSettings, handler: Callable[[SnapshotUnchanged], Awaitable[None]]
) -> list[DeadLetter]:
    """Publish one event to a bus whose handler is `handler`; return the dead letter it ends as."""
    runtime = Runtime.create(settings)
    bus = runtime.bus("test")
    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        await bus.publish(_unchanged())
        return await _deadletters(settings.nats_url, 1)


async def test_a_publish_waits_out_a_stream_that_does_not_answer_yet(settings: CommonSettings) -> None:
    """A stream that answers no publish (a replicated one electing its leader; here, one not created yet) makes the
    publish try again rather than fail: the cluster test's publish right after start failed once in CI (session 22)."""
    runtime = Runtime.create(settings)
    await runtime.broker.connect()
    bus = runtime.bus("test")
    publishing = asyncio.create_task(bus.publish(_unchanged()))
    await asyncio.sleep(0.5)
    assert not publishing.done()  # no stream yet: no responders, tried again
    nc = await nats.connect(settings.nats_url)
    await ensure_streams(nc.jetstream())
    assert await asyncio.wait_for(publishing, timeout=10) is True
    assert (await nc.jetstream().stream_info("CW_EVENTS")).state.messages == 1
    await nc.close()
    await runtime.broker.stop()


async def test_publishing_the_same_event_twice_stores_it_once(settings: CommonSettings) -> None:
    """A second publish with the same event id is acknowledged as a duplicate and not stored again."""
    runtime = Runtime.create(settings)
    await runtime.start()
    bus = runtime.bus("test")
    event = _unchanged()
    assert await bus.publish(event) is True
    assert await bus.publish(event) is False
    js = (await runtime.broker.connect()).jetstream()
    info = await js.stream_info("CW_EVENTS")
    assert info.state.messages == 1
    await runtime.broker.stop()


async def test_malformed_events_are_dead_lettered_and_consumption_goes_on(settings: CommonSettings) -> None:
    """Bad JSON and a wrong schema version go to the dead-letter subject with a reason; a good event after them is handled."""
    runtime = Runtime.create(settings)
    bus = runtime.bus("test")
    handled: list[SnapshotUnchanged] = []

    async def handler(event: SnapshotUnchanged) -> None:
        handled.append(event)

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    async with runtime.app().broker:
        await runtime.start()
        await runtime.broker.start()
        await runtime.broker.publish(b"{not json", subjects.SNAPSHOT_UNCHANGED, stream="CW_EVENTS")
        wrong = json.loads(_unchanged().model_dump_json()) | {"schema_version": 99}
        await runtime.broker.publish(
            json.dumps(wrong).encode(), subjects.SNAPSHOT_UNCHANGED, stream="CW_EVENTS"
        )
        await bus.publish(_unchanged())
        for _ in range(100):
            if handled:
                break
            await asyncio.sleep(0.05)
        letters = await _deadletters(settings.nats_url, 2)
    assert len(handled) == 1
    reasons = sorted(letter.reason for letter in letters)
    assert len(letters) == 2
    assert any("schema_version" in r for r in reasons)
    assert any("Invalid JSON" in r or "json" in r.lower() for r in reasons)
    assert all(
        letter.service == "test" and letter.original_subject == subjects.SNAPSHOT_UNCHANGED
        for letter in letters
    )


async def test_a_failing_handler_is_retried_then_dead_lettered(settings: CommonSettings) -> None:
    """A handler that keeps raising is tried max_deliveries times, then its message is dead-lettered with the error."""
    tries: list[int] = []

    async def handler(event: SnapshotUnchanged) -> None:
        tries.append(1)
        raise ConnectionError("database unreachable")

    letters = await _dead_letters_of_one_event(settings, handler)
    assert len(tries) == settings.max_deliveries
    assert letters[0].error_type == "ConnectionError"
    assert "database unreachable" in letters[0].reason


async def test_a_bus_with_concurrency_handles_several_events_at_once_and_acks_each(
    settings: CommonSettings,
) -> None:
    """With concurrency 3, three events are in the handler at the same time, and each is acknowledged on its own."""
    runtime = Runtime.create(settings)
    bus = runtime.bus("test")
    bus.concurrency = 3
    inside = 0
    most_inside = 0
    all_in = asyncio.Event()

    async def handler(event: SnapshotUnchanged) -> None:
        nonlocal inside, most_inside
        inside += 1
        most_inside = max(most_inside, inside)
        if inside == 3:
            all_in.set()
        # Held until three are inside at once: with one worker this would wait forever (the test's timeout).
        await asyncio.wait_for(all_in.wait(), timeout=10)
        inside -= 1

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    async with runtime.app().broker:
        await runtime.start()
        await runtime.broker.start()
        for n in range(3):
            await bus.publish(_unchanged(correlation_id=f"corr-{n}", sha256=f"{n}" * 64))
        js = (await runtime.broker.connect()).jetstream()
        for _ in range(200):
            info = await js.consumer_info("CW_EVENTS", SPEC.durable)
            if info.ack_floor.consumer_seq == 3 and not info.num_ack_pending:
                break
            await asyncio.sleep(0.05)
    assert most_inside == 3
    assert info.ack_floor.consumer_seq == 3
    assert info.num_redelivered == 0


def test_handler_concurrency_applies_on_postgresql_and_is_one_on_sqlite() -> None:
    """The setting is used as given on PostgreSQL; SQLite, a single writer, always handles one event at a time."""
    postgres = CommonSettings(database_url="postgresql://u@h/db", handler_concurrency=6)
    sqlite = CommonSettings(database_url="sqlite:///x.db", handler_concurrency=6)
    assert postgres.effective_handler_concurrency == 6
    assert sqlite.effective_handler_concurrency == 1
    assert Runtime.create(postgres).bus("x").concurrency == 6
    assert Runtime.create(sqlite).bus("x").concurrency == 1


async def test_a_message_handed_back_on_the_last_delivery_the_server_allows_is_dead_lettered(
    settings: CommonSettings,
) -> None:
    """Each stop hands the message back (a nak), which costs a delivery: on the server's last one a nak would end the
    message silently, so it is dead-lettered with the reason instead (one try allowed: the server's max is three)."""
    one_try = settings.model_copy(update={"max_deliveries": 1})
    entered = 0
    for cycle in range(1, 4):
        runtime = Runtime.create(one_try)
        bus = runtime.bus("test")
        started = asyncio.Event()

        async def handler(event: SnapshotUnchanged, started: asyncio.Event = started) -> None:
            nonlocal entered
            entered += 1
            started.set()
            await asyncio.Event().wait()  # a capture that outlasts the stop's grace

        bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
        await runtime.start()
        await runtime.broker.start()
        if cycle == 1:
            await bus.publish(_unchanged())
        await asyncio.wait_for(started.wait(), timeout=10)
        await stop_consuming(runtime.broker, grace_seconds=0.1)
        await runtime.broker.stop()
    letters = await _deadletters(settings.nats_url, 1)
    assert entered == 3
    assert [(letter.error_type, letter.deliveries) for letter in letters] == [("HandedBack", 3)]
    assert "on the last delivery the server allows" in letters[0].reason
    nc = await nats.connect(settings.nats_url)
    info = await nc.jetstream().consumer_info(SPEC.stream.name, SPEC.durable)
    await nc.close()
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_message_deferred_on_the_last_delivery_the_server_allows_is_dead_lettered(
    settings: CommonSettings,
) -> None:
    """A deferral (a slot another worker holds) is a nak that costs a delivery without counting as a failure: on the
    server's last delivery it would leave the message stalled for good, so it is dead-lettered with the reason."""
    tries = 0

    async def handler(event: SnapshotUnchanged) -> None:
        nonlocal tries
        tries += 1
        raise RetryLaterError("slot held by another worker", delay_seconds=0.05)

    letters = await _dead_letters_of_one_event(settings.model_copy(update={"max_deliveries": 1}), handler)
    assert tries == 3  # one try allowed: the server's max is three
    assert [(letter.error_type, letter.deliveries) for letter in letters] == [("RetryLaterError", 3)]
    assert letters[0].reason.startswith(
        "RetryLaterError: deferred on the last delivery the server allows (3)"
    )
