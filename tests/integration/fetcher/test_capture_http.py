"""HTTP capture end to end: a real nats-server, a local site, the fetcher's handler, its tables and blob store."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clausewatch_fetcher.evidence import snapshot_sha256
from clausewatch_shared.events import DocumentInaccessible, SnapshotCaptured, SnapshotUnchanged
from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.models import Document, FetchSlot, Snapshot
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = pytest.mark.integration

DOC = {"type": "Privacy Policy", "urls": [], "select": ["main"], "javascript": False}


def doc(site: LocalSite, path: str, **kw: object) -> dict[str, object]:
    return {**DOC, "urls": [site.url(path)], **kw}


async def test_a_policy_page_becomes_a_snapshot_with_its_evidence(
    site: LocalSite, make_fetcher, database_url: str
) -> None:
    """A plain page is captured once: raw bytes in the blob store, a Snapshot row with hashes and headers, one SnapshotCaptured."""
    body = policy_html().encode()
    site.set(
        "/privacy",
        Route(body=body, headers={"Content-Type": "text/html; charset=utf-8", "Content-Language": "en-GB"}),
    )
    async with make_fetcher([doc(site, "/privacy")], database_url=database_url) as fetcher:
        events = await fetcher.capture("acme/privacy-policy")
        assert [type(e) for e in events] == [SnapshotCaptured]
        event = events[0]
        assert isinstance(event, SnapshotCaptured)
        assert event.fetcher == "http"
        assert event.parts[0].sha256 == sha256_hex(body)
        assert event.sha256 == snapshot_sha256([sha256_hex(body)])
        assert event.parts[0].status == 200
        assert event.parts[0].size == len(body)
        assert await fetcher.runtime.blobs.get(event.parts[0].sha256) == body
        async with fetcher.db.session() as session:
            snap = await session.get(Snapshot, event.snapshot_id)
            document = await session.get(Document, "acme/privacy-policy")
        assert snap is not None
        assert snap.sha256 == event.sha256
        assert snap.headers["parts"][0]["headers"]["content-language"] == "en-GB"
        assert document is not None
        assert document.last_sha256 == event.sha256
        assert document.consecutive_failures == 0
        assert await fetcher.dead_letters() == []


async def test_the_same_bytes_again_give_snapshot_unchanged(site: LocalSite, make_fetcher) -> None:
    """A second capture with identical bytes publishes SnapshotUnchanged and records no second snapshot."""
    site.html("/privacy", policy_html())
    async with make_fetcher([doc(site, "/privacy")]) as fetcher:
        await fetcher.capture("acme/privacy-policy", "s1")
        events = await fetcher.capture("acme/privacy-policy", "s2", count=2)
        assert [type(e) for e in events] == [SnapshotCaptured, SnapshotUnchanged]
        assert events[1].sha256 == events[0].sha256  # type: ignore[attr-defined]
        async with fetcher.db.session() as session:
            snaps = (await session.exec(select(Snapshot))).all()
        assert len(snaps) == 1


async def test_an_etag_answered_with_304_gives_snapshot_unchanged(site: LocalSite, make_fetcher) -> None:
    """The second capture sends If-None-Match; the server's 304 yields SnapshotUnchanged with the last hash."""
    site.set("/privacy", Route(body=policy_html().encode(), etag='"v1"'))
    async with make_fetcher([doc(site, "/privacy")]) as fetcher:
        first = (await fetcher.capture("acme/privacy-policy", "s1"))[0]
        events = await fetcher.capture("acme/privacy-policy", "s2", count=2)
        assert isinstance(events[1], SnapshotUnchanged)
        assert events[1].sha256 == first.sha256  # type: ignore[attr-defined]
        async with fetcher.db.session() as session:
            document = await session.get(Document, "acme/privacy-policy")
        assert document is not None
        assert document.last_etag == '"v1"'


async def test_a_changed_page_gives_a_second_snapshot(site: LocalSite, make_fetcher) -> None:
    """When the bytes change, a new snapshot is recorded and published with the new hash."""
    site.html("/privacy", policy_html(marker="v1"))
    async with make_fetcher([doc(site, "/privacy")]) as fetcher:
        await fetcher.capture("acme/privacy-policy", "s1")
        site.html("/privacy", policy_html(marker="v2"))
        events = await fetcher.capture("acme/privacy-policy", "s2", count=2)
        assert [type(e) for e in events] == [SnapshotCaptured, SnapshotCaptured]
        assert events[0].sha256 != events[1].sha256  # type: ignore[attr-defined]


async def test_a_redelivered_request_publishes_the_stored_fact_and_does_not_fetch_again(
    site: LocalSite, make_fetcher
) -> None:
    """A request for a slot already done is answered from the slot's stored fact: no second fetch, no second event."""
    site.html("/privacy", policy_html())
    async with make_fetcher([doc(site, "/privacy")]) as fetcher:
        await fetcher.capture("acme/privacy-policy", "s1")
        # The same request again under another message id, as after a redelivery past the dedup window.
        from clausewatch_fetcher.scheduler import capture_request

        event, _ = capture_request("acme/privacy-policy", "s1")
        await fetcher.runtime.bus("test").publish(event, msg_id="another-id")
        async with fetcher.db.session() as session:
            slot = (await session.exec(select(FetchSlot).where(FetchSlot.slot == "s1"))).one()
        assert slot.outcome == "captured"
        for _ in range(100):
            info = (
                await (await fetcher.runtime.broker.connect())
                .jetstream()
                .consumer_info("CW_COMMANDS", "fetcher-capture")
            )
            if info.num_ack_pending == 0 and info.num_pending == 0:
                break
            import asyncio

            await asyncio.sleep(0.05)
        assert site.hits["/privacy"] == 1
        assert len(await fetcher.events("acme/privacy-policy")) == 1


async def test_an_http_error_is_reported_as_inaccessible_never_a_version(
    site: LocalSite, make_fetcher
) -> None:
    """A 404 publishes DocumentInaccessible (http_error, needs_attention) and stores no snapshot."""
    async with make_fetcher([doc(site, "/gone")]) as fetcher:
        events = await fetcher.capture("acme/privacy-policy")
        assert [type(e) for e in events] == [DocumentInaccessible]
        event = events[0]
        assert isinstance(event, DocumentInaccessible)
        assert (event.cause, event.status_code, event.retry_class) == ("http_error", 404, "needs_attention")
        async with fetcher.db.session() as session:
            assert (await session.exec(select(Snapshot))).all() == []
