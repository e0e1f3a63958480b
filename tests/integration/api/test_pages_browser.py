"""Every page type in real Chromium, filled by the real pipeline (fetcher → differ → analyzer → api on one runtime
and a real nats-server, capturing a local site twice): each test checks what a person would look for."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.integration.api.pipeline_site import World, pipeline_world

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set to a directory (docs/images) to save full-page screenshots of the pages as the tests see them.
SCREENSHOT_DIR = os.environ.get("CLAUSEWATCH_SCREENSHOT_DIR")
if SCREENSHOT_DIR:
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if Path(candidate).exists():
            return candidate
    return None  # Playwright's own download, if installed


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The pipeline run once for this module: two platforms captured, one changed and re-captured, all assessed."""
    async with pipeline_world(tmp_path_factory.mktemp("world")) as built:
        yield built


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the module."""
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh page with JavaScript turned off: every page must work without it."""
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    tab = await context.new_page()
    yield tab
    await context.close()


async def _api(world: World, path: str) -> dict:  # type: ignore[type-arg]
    async with httpx.AsyncClient(base_url=world.base_url) as client:
        response = await client.get(path)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


async def _accessible_basics(page: Page) -> None:
    """One h1, a page language, and a label for every form control."""
    assert await page.locator("h1").count() == 1
    assert await page.get_attribute("html", "lang") == "en"
    unlabelled = await page.eval_on_selector_all(
        "input:not([type=hidden]):not([type=submit]), select, textarea",
        "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length",
    )
    assert unlabelled == 0


async def _shot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        await page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"page-{name}.png"), full_page=True)


async def test_latest_changes_lists_the_change_and_filters_it(world: World, page: Page) -> None:
    """The home page lists Acme's change with its severity, and the severity filter form narrows the list."""
    await page.goto(world.base_url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Latest changes")
    row = page.locator("tbody tr").filter(has_text="Acme AI")
    await expect(row).to_have_count(1)
    summary = await _api(world, f"/api/v1/changes/{world.change_set_id}")
    await expect(row).to_contain_text(f"{summary['severity'].capitalize()} severity")
    await _accessible_basics(page)
    await _shot(page, "latest")
    await page.get_by_label("Severity").select_option("none")
    await page.get_by_role("button", name="Filter").click()
    expected_rows = 1 if summary["severity"] == "none" else 0
    await expect(page.locator("tbody tr")).to_have_count(expected_rows)
    if not expected_rows:
        await expect(page.locator("main")).to_contain_text("No change matches these filters")


async def test_change_page_shows_word_highlights_and_classification(world: World, page: Page) -> None:
    """The change page puts old and new side by side with removed and added words marked, and says why."""
    await page.goto(f"{world.base_url}/changes/{world.change_set_id}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Acme AI Privacy Policy changed on")
    retention = page.locator("section.card").filter(has_text="18 months")
    await expect(retention.locator("del.w")).to_contain_text("30 days")
    await expect(retention.locator("ins.w")).to_contain_text("18 months")
    training = page.locator("section.card").filter(has_text="generated images")
    await expect(training.locator(".kind")).to_have_text("added")
    await expect(training.locator("ins.w")).to_contain_text("train, improve, and develop our AI models")
    await expect(training.get_by_role("heading", name="Classification")).to_be_visible()
    detail = await _api(world, f"/api/v1/changes/{world.change_set_id}")
    assessed = next(c["assessment"] for c in detail["changes"] if "generated images" in (c["new_text"] or ""))
    await expect(training).to_contain_text(assessed["description"])
    for reason in assessed["reasons"]:
        await expect(training).to_contain_text(reason)
    await _accessible_basics(page)
    await _shot(page, "change")
    await training.get_by_role("link", name="Open the provision record →").click()
    await expect(page).to_have_url(f"{world.base_url}/provisions/{world.training_provision_id}")


async def test_provision_page_shows_every_element_of_the_record(world: World, page: Page) -> None:
    """The provision page shows clause, severity and confidence, rarity, stability, history, laws, agencies,
    what to do and what the opt-out does not stop, another platform's clause of the same type, and a citation whose
    SHA-256 is verified."""
    await page.goto(f"{world.base_url}/provisions/{world.training_provision_key}")
    record = await _api(world, f"/api/v1/provisions/{world.training_provision_id}")
    assessment = record["assessment"]
    await expect(page.get_by_role("heading", level=1)).to_have_text(record["title"])
    await expect(page.locator("blockquote.clause")).to_contain_text("generated images")
    badges = page.locator(".badges").first
    await expect(badges).to_contain_text(f"{assessment['severity'].capitalize()} severity")
    await expect(badges).to_contain_text("confidence")
    await expect(badges).to_contain_text(record["rarity"]["text"])
    await expect(page.get_by_role("heading", name="Clause stability")).to_be_visible()
    await expect(page.locator(".stat").filter(has_text="Changes")).to_contain_text("1")
    history = page.locator("h2:has-text('Change history') + ol li")
    await expect(history).to_have_count(1)
    await expect(history.get_by_role("link", name="View full change record →")).to_have_attribute(
        "href", f"/changes/{world.change_set_id}"
    )
    await expect(page.get_by_role("heading", name="What you can do")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("privacy@acme-ai.example")
    # The opt-out is not shown as full control: what it does not stop is quoted (decision 0134).
    await expect(page.locator("ul.carve-outs li")).to_have_text(
        "“Even if you opt out, we will use content you report to us to improve our models.”"
    )
    # The institutional analysis (decision 0136): the five headings a compliance reader expects, from our facts.
    institutional = page.locator("section.institutional")
    for heading in (
        "Regulatory landscape:",
        "Governance exposure:",
        "Jurisdiction flags:",
        "Contract and vendor implications:",
        "Compliance considerations:",
    ):
        await expect(institutional).to_contain_text(heading)
    await expect(institutional).to_contain_text("Art. 6 (lawful basis for processing)")
    # The seed pages' document and tracking information: the date the document states, first and last capture.
    facts = page.locator("dl.record")
    await expect(facts).to_contain_text("Document last updated")
    await expect(facts).to_contain_text("May 5, 2026")
    await expect(facts).to_contain_text("First tracked")
    await expect(facts).to_contain_text("Last verified")
    faq = page.locator("section.faq")
    await expect(faq).to_contain_text("Is clausewatch affiliated with Acme AI?")
    await expect(faq).to_contain_text(record["rarity"]["text"])
    await page.get_by_role("link", name="Read our methodology").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Methodology")
    await page.go_back()
    regulations = page.locator("h2:has-text('Applicable regulations') + ul.regs > li")
    assert await regulations.count() == len(assessment["regulations"]) > 0
    await expect(page.locator("main")).to_contain_text(assessment["regulations"][0]["name"])
    assert assessment["agencies"], (
        "the analyzer maps at least one agency for an AI-training clause in the EU and US"
    )
    await expect(page.locator("main")).to_contain_text(assessment["agencies"][0]["name"])
    elsewhere = page.locator("article.card").filter(has_text="Globex")
    await expect(elsewhere).to_contain_text("train and improve our machine learning models")
    await expect(page.locator("main")).to_contain_text(world.snapshot_sha256)
    await expect(page.locator("main")).to_contain_text("Hash verified")
    await expect(page.locator("pre.citation")).to_contain_text(f"Record ID: {world.training_provision_id}")
    await _accessible_basics(page)
    await _shot(page, "provision")


async def test_the_clause_type_page_compares_the_platforms_from_the_provision_page(
    world: World, page: Page
) -> None:
    """From a provision, "see how every platform … states it" opens the clause-type page: Acme's and Globex's
    statements of AI training, each with the routes its text gives (decision 0168)."""
    await page.goto(f"{world.base_url}/provisions/{world.training_provision_key}")
    await page.get_by_role("link", name="See how every platform with this clause type states it →").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "How 2 platforms describe AI model training on user content and prompts"
    )
    cards = page.locator("article.card")
    await expect(cards).to_have_count(2)
    acme = cards.filter(has_text="Acme AI")
    await expect(acme).to_contain_text("privacy@acme-ai.example")
    await expect(acme).to_contain_text("Even if you opt out, we will use content you report to us")
    await expect(cards.filter(has_text="Globex")).to_contain_text(
        "train and improve our machine learning models"
    )
    await _accessible_basics(page)
    # The overview, from the site's navigation, lists the type with both platforms and links back to the comparison.
    await page.get_by_role("link", name="Clause types", exact=True).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Clause types across the watched platforms"
    )
    row = page.locator("table.clause-types tr").filter(
        has_text="AI model training on user content and prompts"
    )
    await expect(row).to_contain_text("2 of 2")
    await _accessible_basics(page)


async def test_platform_page_shows_documents_activity_and_timeline(world: World, page: Page) -> None:
    """The platform page lists documents, says how many changes were recorded lately and draws the timeline."""
    await page.goto(f"{world.base_url}/platforms/acme")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Acme AI")
    await expect(page.get_by_role("status")).to_contain_text(
        "recorded 1 documented change in the last 30 days"
    )
    documents = page.locator("h2:has-text('Documents') + table")
    await expect(documents.get_by_role("link", name="Acme AI Privacy Policy", exact=True)).to_have_attribute(
        "href", "/documents/acme/privacy-policy"
    )
    chart = page.get_by_role("img").filter(has=page.locator("rect"))
    await expect(chart).to_have_count(1)
    assert "1 change set" in (await chart.get_attribute("aria-label") or "")
    await expect(page.get_by_role("heading", name="Severity summary")).to_be_visible()
    await _accessible_basics(page)
    await _shot(page, "platform")


async def test_search_finds_the_clause_at_both_platforms(world: World, page: Page) -> None:
    """Searching for 'train' from the header form finds the AI-training provisions of Acme and Globex."""
    await page.goto(world.base_url + "/")
    await page.get_by_label("Search provisions").fill("train")
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    results = page.locator("article.card")
    await expect(results.filter(has_text="Acme AI Privacy Policy")).to_have_count(1)
    await expect(results.filter(has_text="Globex")).to_have_count(1)
    await _accessible_basics(page)


async def test_feeds_link_each_change_to_its_page(world: World) -> None:
    """The feeds for everything, the platform, the document and the clause type hold an entry linking the change."""
    clause = (await _api(world, f"/api/v1/provisions/{world.training_provision_id}"))["assessment"]
    paths = [
        "/feeds/all.atom",
        "/feeds/platforms/acme.atom",
        "/feeds/documents/acme/privacy-policy.atom",
        f"/feeds/clause-types/{clause['primary_clause_type']}.atom",
    ]
    async with httpx.AsyncClient(base_url=world.base_url) as client:
        for path in paths:
            response = await client.get(path)
            assert response.headers["content-type"].startswith("application/atom+xml")
            root = ElementTree.fromstring(response.content)
            links = [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link")]
            assert f"{world.base_url}/changes/{world.change_set_id}" in links, path
        empty = ElementTree.fromstring((await client.get("/feeds/platforms/globex.atom")).content)
        assert not list(empty.iter("{http://www.w3.org/2005/Atom}entry"))


async def test_tampered_evidence_is_reported_on_the_provision_page(world: World, page: Page) -> None:
    """After the stored capture's bytes are altered, the page and the evidence API say the hash check failed."""
    record = await _api(world, f"/api/v1/provisions/{world.training_provision_id}")
    key = record["citation"]["parts"][0]["sha256"]
    blob = world.blob_dir / key[:2] / key[2:4] / key
    saved = blob.with_suffix(".orig")
    shutil.copyfile(blob, saved)
    try:
        blob.write_bytes(blob.read_bytes() + b"<!-- altered -->")
        await page.goto(f"{world.base_url}/provisions/{world.training_provision_id}")
        await expect(page.locator("main")).to_contain_text("Hash check failed")
        evidence = await _api(world, f"/api/v1/evidence/{record['citation']['snapshot_id']}?verify=true")
        assert evidence["verification"]["verified"] is False
        assert evidence["verification"]["parts"][0]["status"] == "mismatch"
    finally:
        shutil.move(saved, blob)
    evidence = await _api(world, f"/api/v1/evidence/{record['citation']['snapshot_id']}?verify=true")
    assert evidence["verification"]["verified"] is True


async def test_document_page_lists_versions_changes_and_provisions(world: World, page: Page) -> None:
    """The document page links its change and its current provisions, and says how many versions were recorded."""
    await page.goto(f"{world.base_url}/documents/acme/privacy-policy")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Acme AI Privacy Policy")
    await expect(page.locator("dl.facts")).to_contain_text("Versions recorded2")
    await expect(page.locator(f"a[href='/changes/{world.change_set_id}']").first).to_be_visible()
    await expect(page.locator(f"a[href='/provisions/{world.training_provision_id}']")).to_have_count(1)
    await _accessible_basics(page)


async def test_unknown_addresses_get_a_readable_404_page(world: World, page: Page) -> None:
    """A mistyped provision address answers 404 with a page that says so and links home."""
    response = await page.goto(f"{world.base_url}/provisions/no-such-provision")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("No such provision")
    await expect(page.get_by_role("link", name="the latest changes")).to_have_attribute("href", "/")
