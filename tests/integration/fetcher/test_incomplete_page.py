"""A page that lacks sections its own contents list is retried, and recorded only once it stays so (decision 0151)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from clausewatch_shared.events import DocumentInaccessible, SnapshotCaptured
from clausewatch_shared.models import CaptureFailure
from tests.integration.fetcher.pages import contents_page as page
from tests.integration.fetcher.site import LocalSite

pytestmark = pytest.mark.integration

DOC_ID = "acme/privacy-policy"
CUT = page(shown=("who-we-are", "data-we-collect"))


async def _age_failures(fetcher: Any, by: timedelta) -> None:
    """Move every recorded failure back in time: the confirmation window passes without waiting for it."""
    async with fetcher.db.session() as session:
        for failure in (await session.exec(select(CaptureFailure))).all():
            failure.at -= by
            session.add(failure)


async def test_an_incomplete_page_is_retried_then_recorded_once_the_window_has_passed(
    site: LocalSite, make_fetcher: Any, database_url: str
) -> None:
    """Rejected while the window runs, taken as it is after it, and a new run of cuts starts a new window."""
    site.html("/privacy", CUT)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl], database_url=database_url, incomplete_confirm_seconds=86_400) as fetcher:
        first = (await fetcher.capture(DOC_ID, "s1", count=1))[-1]
        assert isinstance(first, DocumentInaccessible)
        assert (first.cause, first.retry_class) == ("incomplete_page", "transient")
        assert "3. Your Rights" in first.detail

        second = (await fetcher.capture(DOC_ID, "s2", count=2))[-1]
        assert isinstance(second, DocumentInaccessible), "still inside the day: retried, not recorded"

        await _age_failures(fetcher, timedelta(hours=25))
        third = (await fetcher.capture(DOC_ID, "s3", count=3))[-1]
        assert isinstance(third, SnapshotCaptured), "incomplete for a day: the document as published"

        site.html("/privacy", page())
        assert isinstance((await fetcher.capture(DOC_ID, "s4", count=4))[-1], SnapshotCaptured)
        site.html("/privacy", CUT)
        fifth = (await fetcher.capture(DOC_ID, "s5", count=5))[-1]
        assert isinstance(fifth, DocumentInaccessible), "a good capture ended the old run; this cut is new"
        assert fifth.cause == "incomplete_page"


async def test_a_page_restored_within_the_window_is_recorded_whole(
    site: LocalSite, make_fetcher: Any
) -> None:
    """Cut for a while, then whole again: the only snapshot recorded is the whole page."""
    site.html("/privacy", CUT)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl]) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], DocumentInaccessible)
        site.html("/privacy", page())
        events = await fetcher.capture(DOC_ID, "s2", count=2)
        assert [type(e).__name__ for e in events] == ["DocumentInaccessible", "SnapshotCaptured"]


async def test_a_zero_window_turns_the_check_off(site: LocalSite, make_fetcher: Any) -> None:
    """`incomplete_confirm_seconds=0`: an operator who wants every page as served gets the cut page recorded."""
    site.html("/privacy", CUT)
    decl = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([decl], incomplete_confirm_seconds=0) as fetcher:
        assert isinstance((await fetcher.capture(DOC_ID, "s1", count=1))[-1], SnapshotCaptured)
