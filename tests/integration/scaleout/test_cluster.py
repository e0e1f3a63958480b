"""clausewatch on a real 3-node JetStream cluster: streams, consumers and blobs replicated R3, node loss survived."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from clausewatch_shared import subjects
from clausewatch_shared.events import SnapshotUnchanged
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from clausewatch_shared.streams import EVENTS, STREAMS, ConsumerSpec
from tests.integration.scaleout.cluster import Cluster, running_cluster

pytestmark = pytest.mark.integration

SPEC = ConsumerSpec("r3test-unchanged", EVENTS, subjects.SNAPSHOT_UNCHANGED, ack_wait_seconds=10)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A running 3-node JetStream cluster."""
    with running_cluster(tmp_path / "cluster") as running:
        yield running


def _event(n: int) -> SnapshotUnchanged:
    return SnapshotUnchanged(
        correlation_id=f"corr-{n}",
        document_id="acme/privacy-policy",
        platform_id="acme",
        sha256=f"{n:064x}",
        captured_at="2026-11-22T06:00:00Z",  # type: ignore[arg-type]
    )


async def test_streams_consumers_and_blobs_are_replicated_three_times(
    cluster: Cluster, settings: CommonSettings
) -> None:
    """With stream_replicas=3 every stream, a service's durable consumer and the blob bucket have three replicas."""
    r3 = settings.model_copy(update={"nats_url": cluster.url, "stream_replicas": 3, "blob_store": "nats"})
    runtime = Runtime.create(r3, "r3test")
    bus = runtime.bus("r3test")

    async def handler(event: SnapshotUnchanged) -> None:
        return None

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    async with runtime.broker:
        await runtime.start()
        await runtime.broker.start()
        await runtime.blobs.put(b"raw capture")
        nc = await nats.connect(servers=cluster.url.split(","))
        js = nc.jetstream()
        for spec in STREAMS:
            info = await js.stream_info(spec.name)
            assert info.config.num_replicas == 3, spec.name
            assert info.cluster is not None
            assert len(info.cluster.replicas or []) == 2, spec.name
        consumer = await js.consumer_info(SPEC.stream.name, SPEC.durable)
        assert consumer.cluster is not None
        assert len(consumer.cluster.replicas or []) == 2
        blobs = await js.stream_info(f"OBJ_{r3.blob_bucket}")
        assert blobs.config.num_replicas == 3
        await nc.close()
        await runtime.stop()


async def test_losing_the_stream_leader_loses_no_event(cluster: Cluster, settings: CommonSettings) -> None:
    """Events published before and after the stream leader's node is stopped are all handled, each once."""
    r3 = settings.model_copy(update={"nats_url": cluster.url, "stream_replicas": 3})
    runtime = Runtime.create(r3, "r3test")
    bus = runtime.bus("r3test")
    seen: list[str] = []

    async def handler(event: SnapshotUnchanged) -> None:
        seen.append(event.event_id)

    bus.subscribe(runtime.broker, SPEC, SnapshotUnchanged, handler)
    events = [_event(n) for n in range(20)]
    async with runtime.broker:
        await runtime.start()
        nc = await nats.connect(servers=cluster.url.split(","))
        leader = (await nc.jetstream().stream_info(EVENTS.name)).cluster.leader  # type: ignore[union-attr]
        await nc.close()
        for event in events[:10]:
            await bus.publish(event)
        cluster.node(str(leader)).stop()
        for event in events[10:]:
            for _ in range(100):  # publishes fail while the remaining two elect a new leader
                try:
                    await bus.publish(event)
                    break
                except Exception:
                    await asyncio.sleep(0.1)
        await runtime.broker.start()
        for _ in range(400):
            if len(set(seen)) == len(events):
                break
            await asyncio.sleep(0.05)
        await runtime.stop()
    assert sorted(set(seen)) == sorted(e.event_id for e in events)
    assert len(seen) == len(events)
