"""Document health over repeated failures, the schedule task, and the optional Save Page Now archive step."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from clausewatch_fetcher.scheduler import Scheduler
from clausewatch_shared.clock import utcnow
from clausewatch_shared.events import DocumentInaccessible, SnapshotCaptured
from clausewatch_shared.models import Document, FetchSlot, Snapshot
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = pytest.mark.integration

DOC_ID = "acme/privacy-policy"


def _decl(site: LocalSite) -> dict[str, Any]:
    return {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}


async def _document(fetcher: Any) -> Document:
    async with fetcher.db.session() as session:
        doc = await session.get(Document, DOC_ID)
    assert doc is not None
    return doc


async def test_repeated_failures_flag_the_document_and_a_success_clears_it(
    site: LocalSite, make_fetcher: Any
) -> None:
    """Three 503s in a row mark the document as needing attention; the next good capture clears the flag."""
    site.set("/privacy", Route(status=503, body=b"<html><body>Service Unavailable</body></html>"))
    async with make_fetcher([_decl(site)], attention_after_failures=3) as fetcher:
        for n in (1, 2):
            events = await fetcher.capture(DOC_ID, f"f{n}", count=n)
            assert isinstance(events[-1], DocumentInaccessible)
            assert (events[-1].retry_class, events[-1].consecutive_failures) == ("transient", n)
            assert (await _document(fetcher)).needs_attention is False
        events = await fetcher.capture(DOC_ID, "f3", count=3)
        last = events[-1]
        assert isinstance(last, DocumentInaccessible)
        assert (last.retry_class, last.consecutive_failures) == ("needs_attention", 3)
        doc = await _document(fetcher)
        assert doc.needs_attention is True
        assert doc.attention_reason is not None
        assert "http_error" in doc.attention_reason
        # A transient failure brings the next check forward instead of waiting a whole interval.
        assert doc.next_due_at is not None
        assert (doc.next_due_at - utcnow()).total_seconds() < doc.interval_seconds

        site.html("/privacy", policy_html())
        events = await fetcher.capture(DOC_ID, "ok", count=4)
        assert isinstance(events[-1], SnapshotCaptured)
        doc = await _document(fetcher)
        assert (doc.needs_attention, doc.attention_reason, doc.consecutive_failures) == (False, None, 0)


async def test_the_scheduler_requests_each_due_document_once_per_slot(
    site: LocalSite, make_fetcher: Any
) -> None:
    """A due document gets one CaptureRequested per slot with msg id capture:<doc>:<slot>, and its due time moves on."""
    site.html("/privacy", policy_html())
    async with make_fetcher([_decl(site)]) as fetcher:
        scheduler = Scheduler(fetcher.db, fetcher.runtime.bus("fetcher"), fetcher.settings, "test-worker")
        due_before = (await _document(fetcher)).next_due_at
        assert due_before is not None
        assert await scheduler.tick() == 1
        assert await scheduler.tick() == 0  # same moment: nothing is due any more
        events = await fetcher.wait_events(DOC_ID, 1)
        assert isinstance(events[0], SnapshotCaptured)
        doc = await _document(fetcher)
        assert doc.next_due_at is not None
        assert (doc.next_due_at - due_before).total_seconds() >= doc.interval_seconds
        async with fetcher.db.session() as session:
            slots = (await session.exec(select(FetchSlot))).all()
        assert [(s.slot, s.outcome) for s in slots] == [
            (due_before.strftime("%Y-%m-%dT%H:%M:%SZ"), "captured")
        ]
        # A second scheduler that missed the update still cannot request the slot again: its claim fails.
        async with fetcher.db.session() as session:
            stale = await session.get(Document, DOC_ID)
            assert stale is not None
            stale.next_due_at = due_before
            session.add(stale)
        assert await scheduler.tick() == 0


class _SavePageNow:
    """A local stand-in for a Wayback Save Page Now (SPN2) endpoint."""

    def __init__(self) -> None:
        self.saved: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(p.split("=", 1) for p in self.rfile.read(length).decode().split("&") if "=" in p)
                from urllib.parse import unquote_plus

                outer.saved.append(unquote_plus(form.get("url", "")))
                self._json({"url": outer.saved[-1], "job_id": "spn2-job-1"})

            def do_GET(self) -> None:
                self._json(
                    {"status": "success", "timestamp": "20261122060000", "original_url": outer.saved[-1]}
                )

            def _json(self, body: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def spn() -> Iterator[_SavePageNow]:
    """A local Save Page Now stand-in."""
    server = _SavePageNow()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def test_the_archive_step_keeps_the_archive_url(
    site: LocalSite, make_fetcher: Any, spn: _SavePageNow
) -> None:
    """With an archive endpoint set, the captured URL is submitted and the replay URL is kept on the snapshot and event."""
    site.html("/privacy", policy_html())
    async with make_fetcher([_decl(site)], archive_endpoint=spn.url) as fetcher:
        event = (await fetcher.capture(DOC_ID))[0]
        assert isinstance(event, SnapshotCaptured)
        expected = f"{spn.url}/web/20261122060000/{site.url('/privacy')}"
        assert event.archive_url == expected
        assert spn.saved == [site.url("/privacy")]
        async with fetcher.db.session() as session:
            snap = (await session.exec(select(Snapshot))).one()
        assert snap.archive_url == expected


async def test_archiving_is_off_by_default(site: LocalSite, make_fetcher: Any, spn: _SavePageNow) -> None:
    """Without an endpoint nothing is submitted and archive_url stays empty."""
    site.html("/privacy", policy_html())
    async with make_fetcher([_decl(site)]) as fetcher:
        event = (await fetcher.capture(DOC_ID))[0]
        assert isinstance(event, SnapshotCaptured)
        assert event.archive_url is None
        assert spn.saved == []
