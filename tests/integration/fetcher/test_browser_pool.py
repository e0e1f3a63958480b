"""The browser pool on its own, with real Chromium: isolation between captures and a bounded wait for `load`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.extract import extract_text
from tests.integration.fetcher.conftest import loopback_pool
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# Reports what the page found from an earlier visit, then leaves its own traces for a later one.
TRACES = (
    "<html><body><main id='found'></main><script>"
    "document.getElementById('found').innerText = 'cookie=' + (document.cookie || 'none') + ';storage=' + "
    "(localStorage.getItem('seen') || 'none');"
    "document.cookie = 'seen=yes; path=/'; localStorage.setItem('seen', 'yes');"
    "</script></body></html>"
)


@pytest.fixture
async def pool() -> AsyncIterator[BrowserPool]:
    """A pool of two pages that resolves only loopback hosts and makes each capture's context ahead."""
    browser = loopback_pool(make_ahead=True)
    yield browser
    await browser.aclose()


async def test_each_capture_starts_without_cookies_or_storage_from_the_last(
    site: LocalSite, pool: BrowserPool
) -> None:
    """A page made ahead for the next capture is still a fresh context: what one capture stored, the next never sees."""
    site.html("/traces", TRACES)
    pages = [await pool.fetch(site.url("/traces")) for _ in range(3)]
    assert pool._spare is not None  # the captures after the first used pages made ahead
    found = [extract_text(page.body.decode()) for page in pages]
    assert found == ["cookie=none;storage=none"] * 3, found


async def test_a_frame_that_never_finishes_loading_does_not_hold_the_capture(
    site: LocalSite, pool: BrowserPool
) -> None:
    """The page's own text is taken once it is parsed, though a frame keeps `load` from firing past the deadline."""
    site.set("/never", Route(body=b"<html><body>late</body></html>", delay=60.0))
    site.html("/policy", policy_html(extra_body=f"<iframe src='{site.url('/never')}'></iframe>"))
    page = await pool.fetch(site.url("/policy"))
    assert page.status == 200
    assert "We collect the information you provide" in extract_text(page.body.decode())


async def test_a_capture_cut_short_closes_its_context(site: LocalSite) -> None:
    """A stop cancels a capture through an anyio cancel scope, which cancels every await inside it again: the
    capture's context must still be closed, not left open (its pages and their memory) until the browser's close."""
    pool = loopback_pool()
    try:
        site.set("/slow", Route(body=policy_html().encode(), delay=30.0))
        with anyio.move_on_after(2):
            await pool.fetch(site.url("/slow"))
        browser = pool._browser
        assert browser is not None
        for _ in range(50):  # the close runs on in the background once the capture has handed back
            if not browser.contexts:
                break
            await anyio.sleep(0.1)
        assert browser.contexts == []
    finally:
        await pool.aclose()
