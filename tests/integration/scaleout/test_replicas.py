"""Two fetcher and two differ processes on one nats-server share the work, handle nothing twice, lose nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import nats
import pytest
import yaml

from clausewatch_fetcher.scheduler import capture_request
from clausewatch_shared import streams, subjects
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings
from tests.integration.scaleout.processes import ServiceProcess
from tests.integration.scaleout.site import SlowSite
from tests.support.nats import NatsServer

pytestmark = pytest.mark.integration

PLATFORMS = [f"scale{i}" for i in range(8)]
DOC_TYPES = {
    "Privacy Policy": "privacy-policy",
    "Terms of Service": "terms-of-service",
    "Cookie Policy": "cookie-policy",
}
DOCUMENTS = [f"{p}/{slug}" for p in PLATFORMS for slug in DOC_TYPES.values()]


@pytest.fixture
def site() -> Iterator[SlowSite]:
    """Policy pages that take 0.4 s each to serve, like a distant web site."""
    server = SlowSite(delay=0.4).start()
    yield server
    server.stop()


def write_catalogue(path: Path, site: SlowSite) -> Path:
    """A catalogue of every platform's documents on the local site."""
    platforms = [
        {
            "id": p,
            "name": p.title(),
            "website": "https://example.com",
            "documents": [
                {"type": t, "urls": [site.url(f"/{p}/{slug}")], "select": ["main"], "javascript": False}
                for t, slug in DOC_TYPES.items()
            ],
        }
        for p in PLATFORMS
    ]
    path.write_text(yaml.safe_dump({"platforms": platforms}))
    return path


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until predicate() holds; the deadline only bounds a failing test."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def by_service(processes: list[ServiceProcess], service: str) -> list[ServiceProcess]:
    return [p for p in processes if p.service == service]


# The wait for the last snapshot stays below the capture consumer's ack_wait (180 s): a stopped replica hands back
# what it pulled and did not finish (decision 0178), so nothing waits for the ack_wait to run out.
@pytest.mark.timeout(300)
async def test_two_fetchers_and_two_differs_share_work_once_and_survive_a_stop(
    tmp_path: Path, nats_server: NatsServer, postgres_url: str, site: SlowSite
) -> None:
    """Each capture request and snapshot is handled exactly once across two replicas each, both replicas do some, one of each stopped mid-run loses nothing and holds nothing back, and correlation ids follow a document across services."""
    catalogue = write_catalogue(tmp_path / "catalogue.yaml", site)
    common = {
        "CLAUSEWATCH_ENVIRONMENT": "test",
        "CLAUSEWATCH_NATS_URL": nats_server.url,
        "CLAUSEWATCH_DATABASE_URL": postgres_url,
        "CLAUSEWATCH_BLOB_STORE": "nats",
        "CLAUSEWATCH_MAX_DELIVERIES": "3",
        "CLAUSEWATCH_RETRY_BACKOFF_SECONDS": "0.2",
    }
    fetcher_env = {
        **common,
        "CLAUSEWATCH_CATALOGUE_PATH": str(catalogue),
        "CLAUSEWATCH_SCHEDULE_ENABLED": "false",
        "CLAUSEWATCH_BROWSER_ENABLED": "false",
        "CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0",
        "CLAUSEWATCH_HTTP_TIMEOUT_SECONDS": "10",
    }
    processes = [
        ServiceProcess(
            f"{service}-{n}",
            service,
            fetcher_env if service == "fetcher" else common,
            tmp_path / f"{service}-{n}.log",
        )
        for service in ("fetcher", "differ")
        for n in (1, 2)
    ]
    publisher = Runtime.create(
        CommonSettings(environment="test", nats_url=nats_server.url, database_url=postgres_url)
    )
    try:
        for process in processes:
            process.start()
        with contextlib.suppress(AssertionError):  # the check below reports who is not ready, with its log
            await until(
                lambda: all(p.ready() or not p.alive() for p in processes), 180, "every process ready"
            )
        unready = {p.name: p.log_path.read_text()[-3000:] for p in processes if not (p.alive() and p.ready())}
        assert not unready, unready

        await publisher.start()
        bus = publisher.bus("scaletest")
        requests = {}
        for document_id in DOCUMENTS:
            event, msg_id = capture_request(document_id, "scale-1", reason="manual")
            requests[event.event_id] = event
            await bus.publish(event, msg_id=msg_id)

        fetchers, differs = by_service(processes, "fetcher"), by_service(processes, "differ")
        # Stop one replica of each mid-run, once its service has done a quarter of the work.
        await until(
            lambda: sum(len(p.handled()) for p in fetchers) >= len(DOCUMENTS) // 4, 120, "fetchers to start"
        )
        fetchers[0].terminate()
        await until(
            lambda: sum(len(p.handled()) for p in differs) >= len(DOCUMENTS) // 4, 120, "differs to start"
        )
        differs[0].terminate()
        assert await asyncio.to_thread(fetchers[0].wait) == 0
        assert await asyncio.to_thread(differs[0].wait) == 0

        await until(
            lambda: sum(len(p.handled()) for p in differs) >= len(DOCUMENTS),
            streams.FETCHER_CAPTURE.ack_wait_seconds - 60,
            "every snapshot handled",
        )
        await asyncio.sleep(1)  # room for a duplicate to show up, were there one

        fetched = [line for p in fetchers for line in p.handled()]
        diffed = [line for p in differs for line in p.handled()]
        # Exactly once: every request handled by one fetcher, every snapshot by one differ.
        assert Counter(line["event_id"] for line in fetched) == Counter(list(requests))
        assert len({line["event_id"] for line in diffed}) == len(diffed) == len(DOCUMENTS)
        # Shared: each replica did part of the work.
        assert all(p.handled() for p in processes), {p.name: len(p.handled()) for p in processes}
        # Correlated: a document's capture request, snapshot and version carry one correlation id.
        expected = {e.document_id: e.correlation_id for e in requests.values()}
        assert {line["document_id"]: line["correlation_id"] for line in fetched} == expected
        assert {line["document_id"]: line["correlation_id"] for line in diffed} == expected

        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        info = await js.stream_info(streams.EVENTS.name, subjects_filter=">")
        stored = info.state.subjects or {}
        assert stored.get(subjects.SNAPSHOT_CAPTURED) == len(DOCUMENTS)
        assert stored.get(subjects.VERSION_RECORDED) == len(DOCUMENTS)
        for spec in (streams.FETCHER_CAPTURE, streams.DIFFER_SNAPSHOTS):
            consumer = await js.consumer_info(spec.stream.name, spec.durable)
            assert (consumer.num_pending, consumer.num_ack_pending) == (0, 0), spec.durable
        dead = await js.stream_info(streams.DEADLETTER.name)
        assert dead.state.messages == 0
        await nc.close()
    finally:
        for process in processes:
            process.kill()
        await publisher.stop()
        await publisher.broker.stop()
