"""Capturing documents added through the API: every hop must reach a public address, and never the browser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from clausewatch_fetcher.app import build_capturer, close_capturer
from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_shared import netguard
from tests.integration.fetcher.pages import policy_html, script_rendered_html
from tests.support.sites import VersionedSite

pytestmark = pytest.mark.integration

API_SPEC = {"origin": "api", "public_only": True, "javascript": "auto"}


@pytest.fixture
def site() -> Iterator[VersionedSite]:
    """A local site serving a policy, a script-rendered shell and a redirect to the cloud metadata address."""
    s = VersionedSite()
    s.set("/policy", policy_html())
    s.set("/shell", script_rendered_html("We collect the prompts you type."))
    s.set("/hop", b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    s.start()
    yield s
    s.stop()


async def _capturer(*, allow_private: bool) -> Capturer:
    return build_capturer(
        FetcherSettings(
            allow_private_document_urls=allow_private, browser_enabled=True, min_host_delay_seconds=0
        )
    )


@pytest.fixture
async def strict() -> AsyncIterator[Capturer]:
    """The fetcher's capturer under the default policy (private addresses refused for API documents)."""
    capturer = await _capturer(allow_private=False)
    yield capturer
    await close_capturer(capturer)


@pytest.fixture
async def lenient() -> AsyncIterator[Capturer]:
    """The fetcher's capturer with private document URLs allowed."""
    capturer = await _capturer(allow_private=True)
    yield capturer
    await close_capturer(capturer)


def _target(site: VersionedSite, path: str) -> Target:
    return Target.from_spec("newco/privacy-policy", "newco", [site.url(path)], API_SPEC, "en")


async def test_an_api_document_on_a_private_address_is_refused_before_connecting(
    strict: Capturer, site: VersionedSite
) -> None:
    """The loopback URL is refused as unsafe_target (needs attention) and the server never sees a request."""
    outcome = await strict.capture(_target(site, "/policy"))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "unsafe_target"
    assert outcome.rejection.retry_class == "needs_attention"
    assert "loopback" in outcome.rejection.detail
    assert site.hits == {}


async def test_catalogue_documents_are_not_checked(strict: Capturer, site: VersionedSite) -> None:
    """A catalogue document (reviewed by the operator) on the same address is captured as before."""
    target = Target.from_spec("acme/privacy-policy", "acme", [site.url("/policy")], {}, "en")
    assert isinstance(await strict.capture(target), Captured)


async def test_a_redirect_hop_to_the_metadata_address_is_refused(
    strict: Capturer, site: VersionedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public first hop that redirects to 169.254.169.254 is refused at the hop, before it is requested.

    The local site stands in for a public host: DNS (the one thing we cannot reach here) is made to answer a
    public address for 127.0.0.1, so the first hop passes the check and the redirect is what gets refused.
    """
    real = netguard.resolve

    async def resolve(host: str) -> list[str]:
        return ["93.184.216.34"] if host == "127.0.0.1" else await real(host)

    monkeypatch.setattr(netguard, "resolve", resolve)
    outcome = await strict.capture(_target(site, "/hop"))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "unsafe_target"
    assert "169.254.169.254" in outcome.rejection.detail
    assert "link-local" in outcome.rejection.detail
    assert site.hits == {"/hop": 1}


async def test_api_documents_never_open_the_browser(lenient: Capturer, site: VersionedSite) -> None:
    """A script-rendered API document fails as needing attention instead of being opened in Chromium."""
    outcome = await lenient.capture(_target(site, "/shell"))
    assert isinstance(outcome, Failed)
    assert outcome.tried == ["http"]
    assert outcome.rejection.cause == "empty"
    assert outcome.rejection.browser_may_help  # a catalogue document would now go to the browser
    assert lenient.browser is not None
    ok = await lenient.capture(_target(site, "/policy"))
    assert isinstance(ok, Captured)
