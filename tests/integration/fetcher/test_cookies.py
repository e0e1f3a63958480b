"""Declared cookies (decision 0175): a page behind a consent redirect is captured with the cookie the consent would
set, over HTTP (through a redirect on the same host) and in the browser; the evidence names the cookies sent."""

from __future__ import annotations

import asyncio

import pytest

from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.extract import extract_text
from clausewatch_fetcher.http_fetch import HttpFetcher
from clausewatch_fetcher.politeness import HostThrottle
from clausewatch_shared.events import SnapshotCaptured
from clausewatch_shared.models import Snapshot
from tests.integration.fetcher.conftest import loopback_pool
from tests.integration.fetcher.pages import policy_html
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = pytest.mark.integration

CONSENT = ("CONSENT", "YES+cb.20260101")
CONSENT_PAGE = (
    "<html lang='en'><body><main><h1>Before you continue</h1><p>We use cookies.</p></main></body></html>"
)


def consent_walled(site: LocalSite, path: str = "/privacy") -> None:
    """The policy at `path`, redirected to a consent page unless the consent cookie is sent."""
    site.html("/consent", CONSENT_PAGE)
    site.set(path, Route(body=policy_html().encode(), unless_cookie=("=".join(CONSENT), "/consent")))


def target(site: LocalSite, path: str, cookies: dict[str, str], javascript: bool | str = False) -> Target:
    spec = {"select": ["main"], "javascript": javascript, "cookies": cookies}
    return Target.from_spec("acme/privacy-policy", "acme", [site.url(path)], spec, "en")


async def test_without_its_cookie_the_consent_page_is_never_a_version(
    site: LocalSite, http: HttpFetcher
) -> None:
    """The consent page the site redirects to is short and not the policy: the capture is refused."""
    consent_walled(site)
    outcome = await Capturer(http, None, HostThrottle(0)).capture(target(site, "/privacy", {}))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "empty"
    assert site.hits["/consent"] == 1


async def test_a_declared_cookie_is_sent_and_survives_a_redirect_on_the_host(
    site: LocalSite, http: HttpFetcher
) -> None:
    """The document's old address redirects to the walled page: the cookie is sent at both hops and the policy is
    captured; the page records the cookie's name."""
    consent_walled(site)
    site.redirect("/old-privacy", "/privacy", 301)
    outcome = await Capturer(http, None, HostThrottle(0)).capture(
        target(site, "/old-privacy", dict([CONSENT]))
    )
    assert isinstance(outcome, Captured), outcome
    assert "We collect the information you provide" in extract_text(outcome.parts[0].body.decode())
    assert outcome.parts[0].cookies == ["CONSENT"]
    assert site.hits["/consent"] == 0


async def test_a_cookie_a_site_sets_is_not_sent_by_the_next_capture(
    site: LocalSite, http: HttpFetcher
) -> None:
    """Each HTTP capture starts without cookies: one a site set on the first (a session, a bot-manager's token)
    is not sent by the second, so captures of a host do not depend on what ran before them."""
    site.html(
        "/privacy", policy_html(), headers={"Content-Type": "text/html", "Set-Cookie": "visitor=abc; Path=/"}
    )
    capturer = Capturer(http, None, HostThrottle(0))
    for _ in range(2):
        assert isinstance(await capturer.capture(target(site, "/privacy", {})), Captured)
    assert site.cookies_sent["/privacy"] == ["", ""]


async def test_a_cookie_set_on_the_way_is_sent_on_that_capture_s_next_hops(
    site: LocalSite, http: HttpFetcher
) -> None:
    """A cookie-check redirect (the page sends visitors without a cookie to a path that sets it and sends them back)
    is followed within a capture, and the next capture goes through it again rather than reusing the cookie."""
    site.set("/privacy", Route(body=policy_html().encode(), unless_cookie=("checked=1", "/check")))
    site.set("/check", Route(status=302, headers={"Location": "/privacy", "Set-Cookie": "checked=1; Path=/"}))
    capturer = Capturer(http, None, HostThrottle(0))
    for _ in range(2):
        outcome = await capturer.capture(target(site, "/privacy", {}))
        assert isinstance(outcome, Captured), outcome
    assert site.cookies_sent["/privacy"] == ["", "checked=1", "", "checked=1"]
    assert site.hits["/check"] == 2


async def test_one_document_s_declared_cookie_does_not_go_with_another_s(
    site: LocalSite, http: HttpFetcher
) -> None:
    """Two documents on one host: the cookie the first declares is sent for it alone, also when both are captured
    at once."""
    consent_walled(site)
    site.html("/terms", policy_html())
    capturer = Capturer(http, None, HostThrottle(0))
    await asyncio.gather(
        capturer.capture(target(site, "/privacy", dict([CONSENT]))),
        capturer.capture(target(site, "/terms", {})),
    )
    assert isinstance(await capturer.capture(target(site, "/terms", {})), Captured)
    assert site.cookies_sent["/privacy"] == ["=".join(CONSENT)]
    assert site.cookies_sent["/terms"] == ["", ""]


@pytest.mark.browser
async def test_the_browser_sends_the_declared_cookie_too(site: LocalSite, http: HttpFetcher) -> None:
    """A document rendered by the browser gets the cookie in its own context, for the page's request and its
    scripts, and the next capture's context does not."""
    consent_walled(site)
    pool: BrowserPool = loopback_pool()
    try:
        capturer = Capturer(http, pool, HostThrottle(0))
        outcome = await capturer.capture(target(site, "/privacy", dict([CONSENT]), javascript=True))
        assert isinstance(outcome, Captured), outcome
        assert outcome.fetcher == "browser"
        assert outcome.parts[0].cookies == ["CONSENT"]
        bare = await pool.fetch(site.url("/privacy"))
        assert bare.final_url == site.url("/consent")
    finally:
        await pool.aclose()


async def test_the_running_fetcher_names_the_cookies_in_the_evidence(site: LocalSite, make_fetcher) -> None:
    """From the catalogue to the snapshot: the evidence lists the cookie names sent, never their values."""
    consent_walled(site)
    document = {"type": "Privacy Policy", "urls": [site.url("/privacy")], "javascript": False}
    async with make_fetcher([{**document, "cookies": dict([CONSENT])}]) as fetcher:
        [event] = await fetcher.capture("acme/privacy-policy")
        assert isinstance(event, SnapshotCaptured)
        async with fetcher.db.session() as session:
            snapshot = await session.get(Snapshot, event.snapshot_id)
    assert snapshot is not None
    assert snapshot.headers["parts"][0]["cookies_sent"] == ["CONSENT"]
    assert CONSENT[1] not in str(snapshot.headers)
