"""A page that states an earlier date for itself than the version on record is an older copy: retried, and recorded
only once it has been served for the confirmation window (decision 0155)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from clausewatch_shared.events import DocumentInaccessible, SnapshotCaptured, SnapshotUnchanged
from clausewatch_shared.models import CaptureFailure, Document, Snapshot
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite

pytestmark = pytest.mark.integration

DOC_ID = "acme/privacy-policy"
NEW = policy_html(marker="(2025 text)", extra_body="<p>Effective as of October 29, 2025</p>")
OLD = policy_html(marker="(earlier text)", extra_body="<p>Effective as of March 28, 2025</p>")


async def _age(fetcher: Any, by: timedelta) -> None:
    """Move the recorded failures and the last good capture back in time: the confirmation window passes without
    waiting for it, and the failures stay after the capture they followed."""
    async with fetcher.db.session() as session:
        for failure in (await session.exec(select(CaptureFailure))).all():
            failure.at -= by
            session.add(failure)
        document = await session.get(Document, DOC_ID)
        assert document is not None
        assert document.last_captured_at is not None
        document.last_captured_at -= by
        session.add(document)


async def _stated(fetcher: Any) -> date | None:
    async with fetcher.db.session() as session:
        document = await session.get(Document, DOC_ID)
        assert document is not None
        return document.last_stated_date


async def test_an_older_copy_is_retried_then_recorded_once_it_has_been_served_for_the_window(
    site: LocalSite, make_fetcher: Any, database_url: str
) -> None:
    """The March text again after the October one: held while the window runs, nothing recorded if the October
    text comes back; served for more than the window, the document as it is."""
    site.html("/privacy", OLD)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl], database_url=database_url) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], SnapshotCaptured)
        site.html("/privacy", NEW)
        assert isinstance((await fetcher.capture(DOC_ID, "s2", count=2))[-1], SnapshotCaptured)
        assert await _stated(fetcher) == date(2025, 10, 29)

        site.html("/privacy", OLD)
        held = (await fetcher.capture(DOC_ID, "s3", count=3))[-1]
        assert isinstance(held, DocumentInaccessible)
        assert (held.cause, held.retry_class) == ("older_copy", "transient")
        assert "March 28, 2025" in held.detail
        assert "October 29, 2025" in held.detail

        site.html("/privacy", NEW)
        back = (await fetcher.capture(DOC_ID, "s4", count=4))[-1]
        assert isinstance(back, SnapshotUnchanged), "the newer text came back: the older copy left no version"

        site.html("/privacy", OLD)
        assert isinstance((await fetcher.capture(DOC_ID, "s5", count=5))[-1], DocumentInaccessible)
        await _age(fetcher, timedelta(hours=25))
        kept = (await fetcher.capture(DOC_ID, "s6", count=6))[-1]
        assert isinstance(kept, SnapshotCaptured), "served for a day: a rollback the publisher meant"
        assert await _stated(fetcher) == date(2025, 3, 28)

        site.html("/privacy", NEW)
        assert isinstance((await fetcher.capture(DOC_ID, "s7", count=7))[-1], SnapshotCaptured)


async def test_an_earlier_date_no_capture_stated_is_recorded_at_once(
    site: LocalSite, make_fetcher: Any
) -> None:
    """Grammarly's new policy said "Effective as of March 28, 2024" in March 2025 (a typo; the bundled history, v007):
    a date no earlier capture stated is no copy of a version seen before."""
    site.html("/privacy", NEW)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl]) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], SnapshotCaptured)
        site.html(
            "/privacy", policy_html(marker="(typo)", extra_body="<p>Effective as of March 28, 2024</p>")
        )
        assert isinstance((await fetcher.capture(DOC_ID, "s2", count=2))[-1], SnapshotCaptured)


async def test_only_the_first_page_of_a_document_gives_its_date(site: LocalSite, make_fetcher: Any) -> None:
    """An addendum that states an earlier date of its own (one the policy once stated) is no older copy."""
    site.html("/privacy", OLD)
    site.html(
        "/addendum", policy_html(marker="(addendum)", extra_body="<p>Last updated: January 5, 2024</p>")
    )
    decl = {
        "type": "Privacy Policy",
        "urls": [site.url("/privacy"), site.url("/addendum")],
        "javascript": False,
    }
    async with make_fetcher([decl]) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], SnapshotCaptured)
        site.html("/privacy", NEW)
        assert isinstance((await fetcher.capture(DOC_ID, "s2", count=2))[-1], SnapshotCaptured)
        edited = policy_html(marker="(addendum, edited)", extra_body="<p>Last updated: March 28, 2025</p>")
        site.html("/addendum", edited)
        assert isinstance((await fetcher.capture(DOC_ID, "s3", count=3))[-1], SnapshotCaptured)
        async with fetcher.db.session() as session:
            stated = (
                await session.exec(select(Snapshot.stated_date).order_by(col(Snapshot.captured_at)))
            ).all()
        assert stated == [date(2025, 3, 28), date(2025, 10, 29), date(2025, 10, 29)]


async def test_a_zero_window_turns_the_check_off(site: LocalSite, make_fetcher: Any) -> None:
    """`older_copy_confirm_seconds=0`: every page is recorded as served, whatever date it states."""
    site.html("/privacy", OLD)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl], older_copy_confirm_seconds=0) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], SnapshotCaptured)
        site.html("/privacy", NEW)
        assert isinstance((await fetcher.capture(DOC_ID, "s2", count=2))[-1], SnapshotCaptured)
        site.html("/privacy", OLD)
        assert isinstance((await fetcher.capture(DOC_ID, "s3", count=3))[-1], SnapshotCaptured)
