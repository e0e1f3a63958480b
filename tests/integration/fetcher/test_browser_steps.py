"""Page steps with real Chromium (decision 0173): the text a page shows only after clicks and scrolling is captured,
a step that cannot be done stops the capture naming it, and what was done is kept with the evidence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.extract import extract_text
from clausewatch_fetcher.http_fetch import HttpFetcher
from clausewatch_fetcher.politeness import HostThrottle
from clausewatch_fetcher.settings import detect_chromium
from clausewatch_fetcher.steps import Step
from clausewatch_shared.events import DocumentInaccessible, SnapshotCaptured
from clausewatch_shared.models import Snapshot
from tests.integration.fetcher.conftest import loopback_pool, write_catalogue
from tests.integration.fetcher.pages import chooser_page, steps_page
from tests.integration.fetcher.site import LocalSite, Route

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# Long enough for the page's late parts (150–200 ms after a click or scroll) on a loaded machine, short enough for
# the tests of steps that find nothing.
STEP_TIMEOUT = 3.0
WITHIN = f"within {STEP_TIMEOUT:g}s"
MARKERS = ("FULL-POLICY", "PANEL-1", "PANEL-2", "PANEL-3", "LAZY-SECTION")
REVEAL = [
    {"click": "#accept"},
    {"click": "#load-full"},
    {"wait_for": "#full p"},
    {"click_all": "button.toggle"},
    {"scroll": "bottom"},
    {"wait_for": "#lazy p"},
]


def steps(*raw: dict[str, object]) -> list[Step]:
    return [Step.model_validate(r) for r in raw]


@pytest.fixture
async def pool() -> AsyncIterator[BrowserPool]:
    """Two pages, loopback only, steps waiting STEP_TIMEOUT seconds for what they look for."""
    browser = loopback_pool(step_timeout=STEP_TIMEOUT)
    yield browser
    await browser.aclose()


def found(body: bytes) -> list[str]:
    text = extract_text(body.decode())
    return [marker for marker in MARKERS if marker in text]


async def test_steps_reveal_what_the_page_shows_only_after_clicks_and_scrolling(
    site: LocalSite, pool: BrowserPool
) -> None:
    """Read as rendered, the page lacks every hidden part; after its steps it has them all, and says what it did."""
    site.html("/policy", steps_page())
    plain = await pool.fetch(site.url("/policy"))
    assert found(plain.body) == []
    assert plain.steps == []
    assert plain.step_failure is None

    page = await pool.fetch(site.url("/policy"), steps=steps(*REVEAL))
    assert page.step_failure is None
    assert found(page.body) == list(MARKERS)
    assert page.steps[0] == "clicked '#accept'"
    assert page.steps[3] == "clicked 3 of 4 'button.toggle'"
    assert page.steps[4].startswith("scrolled to the bottom in ")
    assert page.steps[5] == "found '#lazy p'"


async def test_a_step_that_finds_nothing_is_named_and_the_later_steps_are_not_done(
    site: LocalSite, pool: BrowserPool
) -> None:
    """A required step that finds nothing stops there: the failure names its number and selector."""
    site.html("/policy", steps_page())
    page = await pool.fetch(
        site.url("/policy"), steps=steps({"click": "#accept"}, {"click": "#show-more"}, *REVEAL[1:])
    )
    assert page.step_failure == f"step 2 (click '#show-more'): nothing matched {WITHIN}"
    assert page.steps == ["clicked '#accept'"]
    assert found(page.body) == []


async def test_an_optional_step_that_finds_nothing_is_passed_over(site: LocalSite, pool: BrowserPool) -> None:
    """A cookie dialog shown only in some regions: absent here, its optional click is passed over and noted."""
    site.html("/policy", steps_page(dialog=False))
    page = await pool.fetch(
        site.url("/policy"),
        steps=steps({"click": "#accept", "optional": True}, {"click": "#load-full"}, {"wait_for": "#full p"}),
    )
    assert page.step_failure is None
    assert page.steps[0] == f"passed over optional click '#accept': nothing matched {WITHIN}"
    assert "FULL-POLICY" in found(page.body)


async def test_a_button_under_a_dialog_is_reported_as_covered_not_missing(
    site: LocalSite, pool: BrowserPool
) -> None:
    """The button exists but the cookie dialog lies over it: the message says so, for the operator's fix."""
    site.html("/policy", steps_page())
    page = await pool.fetch(site.url("/policy"), steps=steps({"click": "#load-full"}))
    assert page.step_failure == (
        f"step 1 (click '#load-full'): 1 matched but none could be clicked {WITHIN} (hidden or covered)"
    )


async def test_a_click_that_leaves_the_page_stops_the_capture(site: LocalSite, pool: BrowserPool) -> None:
    """The document is the page at the declared URL: a step that navigates elsewhere is a failure, not the page."""
    site.html("/policy", steps_page(dialog=False))
    site.html("/elsewhere", "<html><body><main>Another page</main></body></html>")
    page = await pool.fetch(site.url("/policy"), steps=steps({"click": "#away"}))
    assert page.step_failure == f"step 1 (click '#away') left the page for {site.url('/elsewhere')}"


async def test_a_region_chosen_and_a_year_typed_reveal_their_parts(
    site: LocalSite, pool: BrowserPool
) -> None:
    """A <select> chosen by its label and a field filled then confirmed show the text they hide; the evidence says
    what was chosen and filled, not what was typed."""
    site.html("/terms", chooser_page())
    plain = extract_text((await pool.fetch(site.url("/terms"))).body.decode())
    assert "REGION-" not in plain
    assert "AGE-GATED" not in plain
    page = await pool.fetch(
        site.url("/terms"),
        steps=steps(
            {"select": "#region", "option": "United Kingdom"},
            {"wait_for": "#regional p"},
            {"fill": "#birth-year", "text": "1990"},
            {"click": "#enter"},
            {"wait_for": "#gated p"},
        ),
    )
    assert page.step_failure is None
    text = extract_text(page.body.decode())
    assert "REGION-GB" in text
    assert "REGION-US" not in text
    assert "AGE-GATED" in text
    assert page.steps[0] == "chose 'United Kingdom' in '#region'"
    assert page.steps[2] == "filled '#birth-year' (4 characters)"
    assert "1990" not in " ".join(page.steps)


async def test_a_missing_option_is_named_with_what_the_chooser_offers(
    site: LocalSite, pool: BrowserPool
) -> None:
    """The option is not there (renamed by the site): the failure lists the options, for the operator's fix."""
    site.html("/terms", chooser_page())
    page = await pool.fetch(site.url("/terms"), steps=steps({"select": "#region", "option": "Great Britain"}))
    assert page.step_failure == (
        "step 1 (select 'Great Britain' in '#region'): '#region' has no option 'Great Britain'; "
        "it offers 'Choose', 'United States', 'United Kingdom'"
    )


async def test_a_password_field_is_never_filled_even_by_an_optional_step(
    site: LocalSite, pool: BrowserPool
) -> None:
    """A capture is what any visitor sees: typing into a password field is refused, and `optional` does not excuse
    it; nor does it excuse choosing in something that is not a <select>."""
    site.html("/terms", chooser_page())
    page = await pool.fetch(
        site.url("/terms"), steps=steps({"fill": "#password", "text": "hunter2", "optional": True})
    )
    assert page.step_failure is not None
    assert page.step_failure.startswith("step 1 (fill '#password'): '#password' is a password field")
    page = await pool.fetch(
        site.url("/terms"), steps=steps({"select": "#birth-year", "option": "1990", "optional": True})
    )
    assert page.step_failure == "step 1 (select '1990' in '#birth-year'): '#birth-year' is not a <select>"


def target(site: LocalSite, path: str, raw: list[dict[str, object]]) -> Target:
    spec = {"select": ["main"], "javascript": "auto", "steps": raw}
    return Target.from_spec("acme/privacy-policy", "acme", [site.url(path)], spec, "en")


async def test_a_document_with_steps_is_captured_by_the_browser_only(
    site: LocalSite, pool: BrowserPool, http: HttpFetcher
) -> None:
    """HTTP is not tried (it cannot do the steps), though the document's javascript setting is "auto"."""
    site.html("/policy", steps_page())
    outcome = await Capturer(http, pool, HostThrottle(0)).capture(target(site, "/policy", REVEAL))
    assert isinstance(outcome, Captured), outcome
    assert outcome.fetcher == "browser"
    assert site.hits["/policy"] == 1
    assert found(outcome.parts[0].body) == list(MARKERS)


async def test_a_failed_step_is_never_a_version_and_a_wall_is_still_reported_as_one(
    site: LocalSite, pool: BrowserPool, http: HttpFetcher
) -> None:
    """On a good page a failed step is `step_failed` (needs attention); on an error page, the error is reported."""
    site.html("/policy", steps_page())
    outcome = await Capturer(http, pool, HostThrottle(0)).capture(
        target(site, "/policy", [{"click": "#show-more"}])
    )
    assert isinstance(outcome, Failed)
    assert (outcome.rejection.cause, outcome.rejection.retry_class) == ("step_failed", "needs_attention")
    assert outcome.rejection.detail == f"step 1 (click '#show-more'): nothing matched {WITHIN}"
    assert outcome.tried == ["browser"]

    site.set("/gone", Route(body=b"<html><body><h1>Service unavailable</h1></body></html>", status=503))
    outcome = await Capturer(http, pool, HostThrottle(0)).capture(
        target(site, "/gone", [{"click": "#accept"}])
    )
    assert isinstance(outcome, Failed)
    assert (outcome.rejection.cause, outcome.rejection.status_code) == ("http_error", 503)


async def test_steps_with_the_browser_off_are_not_read_over_http(site: LocalSite, http: HttpFetcher) -> None:
    """Without a browser the page would be read without its steps, maybe a part of it: the capture fails instead."""
    site.html("/policy", steps_page())
    outcome = await Capturer(http, None, HostThrottle(0)).capture(target(site, "/policy", REVEAL))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "browser_unavailable"
    assert "steps are done in the browser" in outcome.rejection.detail
    assert site.hits["/policy"] == 0


async def test_the_running_fetcher_keeps_the_steps_with_the_evidence(site: LocalSite, make_fetcher) -> None:
    """A catalogue document with steps becomes a snapshot whose evidence says what the browser did; one whose step
    fails becomes DocumentInaccessible naming the step."""
    site.html("/policy", steps_page())
    documents = [
        {"type": "Privacy Policy", "urls": [site.url("/policy")], "select": ["main"], "steps": REVEAL},
        {"type": "Terms of Service", "urls": [site.url("/policy")], "steps": [{"click": "#missing"}]},
    ]
    async with make_fetcher(documents, browser_step_timeout_seconds=STEP_TIMEOUT) as fetcher:
        [captured] = await fetcher.capture("acme/privacy-policy")
        [failed] = await fetcher.capture("acme/terms-of-service")
        async with fetcher.db.session() as session:
            snapshot = await session.get(Snapshot, captured.snapshot_id)
    assert isinstance(captured, SnapshotCaptured)
    assert captured.fetcher == "browser"
    assert snapshot is not None
    recorded = snapshot.headers["parts"][0]["steps"]
    assert len(recorded) == len(REVEAL)
    assert recorded[0] == "clicked '#accept'"
    assert isinstance(failed, DocumentInaccessible)
    assert failed.cause == "step_failed"
    assert "step 1 (click '#missing')" in failed.detail


def test_clausewatch_fetch_prints_the_steps_done_and_lists_them(site: LocalSite, tmp_path: Path) -> None:
    """An operator writing steps checks them with `clausewatch fetch`: each step done is printed under the page,
    and `catalogue list` shows which documents have steps."""
    site.html("/policy", steps_page())
    catalogue = write_catalogue(
        tmp_path / "c.yaml", [{"type": "Privacy Policy", "urls": [site.url("/policy")], "steps": REVEAL}]
    )
    env = {
        "CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0",
        "CLAUSEWATCH_BROWSER_LOOPBACK_ONLY": "true",
        "CLAUSEWATCH_CHROMIUM_PATH": detect_chromium() or "",
    }
    runner = CliRunner()
    result = runner.invoke(app, ["fetch", "acme", "privacy-policy", "-c", str(catalogue)], env=env)
    assert result.exit_code == 0, result.output
    assert "    browser 200" in result.output
    assert "    step: clicked 3 of 4 'button.toggle'" in result.output
    assert "    step: found '#lazy p'" in result.output
    listed = runner.invoke(app, ["catalogue", "list", "-c", str(catalogue)]).output
    assert "[6 steps]" in listed


async def test_a_selector_that_does_not_parse_fails_even_when_optional(
    site: LocalSite, pool: BrowserPool
) -> None:
    """`optional` excuses an element that is not there, not a step written wrong: the operator hears of the typo."""
    site.html("/policy", steps_page(dialog=False))
    page = await pool.fetch(site.url("/policy"), steps=steps({"click": "button[", "optional": True}))
    assert page.step_failure is not None
    assert page.step_failure.startswith("step 1 (click 'button['): Unexpected token")
    assert "while parsing css selector" in page.step_failure
