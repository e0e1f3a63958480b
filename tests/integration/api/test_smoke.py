"""The api over rows written straight into the tables: JSON lists, the change page and latest changes, on both
databases (a smoke test of the read side; the page tests in test_pages_pipeline.py use the real pipeline)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    ProvisionAssessment,
    Snapshot,
    Subscriber,
)
from tests.integration.api.rows import write_rows

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the api app over a migrated database holding one assessed change."""
    db = Database(database_url)
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    await write_rows(db, blobs)
    settings = ApiSettings(
        database_url=database_url, blob_dir=tmp_path / "blobs", public_base_url="http://cw.test"
    )
    app = create_api(settings, db, blobs)
    app.state.test_db = db
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as c:
        yield c
    await db.dispose()


async def test_platform_list_pages_with_a_next_link(client: httpx.AsyncClient) -> None:
    """Listing platforms one per page reports the total and links to the next page."""
    first = await client.get("/api/v1/platforms", params={"limit": 1})
    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 2
    assert len(body["items"]) == 1
    assert body["items"][0]["name"] == "Acme AI"
    second = await client.get(body["next"])
    assert [p["id"] for p in second.json()["items"]] == ["other"]
    assert second.json()["next"] is None


async def test_changes_filter_by_severity_clause_type_and_regulation(client: httpx.AsyncClient) -> None:
    """The change list keeps only change sets whose assessments match every filter given."""
    assert (await client.get("/api/v1/changes", params={"severity": "high"})).json()["total"] == 1
    assert (await client.get("/api/v1/changes", params={"severity": "low"})).json()["total"] == 0
    assert (await client.get("/api/v1/changes", params={"clause_type": "ai-training"})).json()["total"] == 1
    assert (await client.get("/api/v1/changes", params={"clause_type": "arbitration"})).json()["total"] == 0
    assert (await client.get("/api/v1/changes", params={"regulation": "gdpr", "platform": "acme"})).json()[
        "total"
    ] == 1
    assert (await client.get("/api/v1/changes", params={"platform": "other"})).json()["total"] == 0
    assert (await client.get("/api/v1/changes", params={"since": "2026-11-03"})).json()["total"] == 0


async def test_the_severity_filter_reads_a_change_sets_own_severity(client: httpx.AsyncClient) -> None:
    """A set is as severe as its most severe change, as its badge shows: a new date (severity none) beside the high
    training change does not list the set under "none" (the demo's "None" filter listed medium sets, session 16), and
    the JSON names the high change as the set's most serious."""
    db: Database = client._transport.app.state.test_db  # type: ignore[attr-defined]
    async with db.session() as s:
        s.add(
            Change(
                id="ch-2", change_set_id="cs-1", document_id="acme/privacy-policy", ordinal=1, kind="modified",
                significance="substantive", heading_path=[], old_text="Last updated: May 1, 2026",
                new_text="Last updated: June 3, 2026", hints=["date_changed"], summary="date changed", diff=[],
            )
        )  # fmt: skip
    async with db.session() as s:
        s.add(
            ChangeAssessment(
                id="ca-2", change_id="ch-2", change_set_id="cs-1", document_id="acme/privacy-policy",
                platform_id="acme", clause_types=[], severity="none", confidence=1.0, regulations=[], reasons=[],
                description="date changed; nothing of substance changed",
            )
        )  # fmt: skip
    totals = {
        severity: (await client.get("/api/v1/changes", params={"severity": severity})).json()["total"]
        for severity in ("high", "medium", "none", "none,high")
    }
    assert totals == {"high": 1, "medium": 0, "none": 0, "none,high": 1}
    (item,) = (await client.get("/api/v1/changes")).json()["items"]
    assert item["most_serious"]["change_id"] == "ch-1"
    assert item["most_serious"]["anchor"] == "change-1"


async def test_an_unchanged_resource_answers_304_to_its_etag(client: httpx.AsyncClient) -> None:
    """A second request carrying the ETag of the first gets 304 Not Modified with no body."""
    first = await client.get("/api/v1/changes/cs-1")
    etag = first.headers["etag"]
    again = await client.get("/api/v1/changes/cs-1", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = await client.get("/api/v1/changes/cs-1", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


async def test_change_page_shows_the_word_diff_and_classification(client: httpx.AsyncClient) -> None:
    """The change page shows removed and added words marked up, the severity move and the reasons."""
    page = await client.get("/changes/cs-1")
    assert page.status_code == 200
    html = page.text
    assert '<ins class="w">' in html
    assert "generated images" in html
    assert "Provision severity medium → high" in html
    assert "Adds training on generated images" in html
    assert "Acme Privacy Policy changed on Nov 2, 2026" in html


async def test_latest_changes_page_lists_the_change(client: httpx.AsyncClient) -> None:
    """The home page lists the change set with its platform, document and severity."""
    html = (await client.get("/")).text
    assert "/changes/cs-1" in html
    assert "Acme AI" in html
    assert "High severity" in html


async def test_unsubscribe_needs_a_post_and_then_deactivates(client: httpx.AsyncClient) -> None:
    """A GET only asks for confirmation; the POST sets the subscriber inactive."""
    transport = client._transport
    db: Database = transport.app.state.test_db  # type: ignore[attr-defined]
    assert (await client.get("/unsubscribe/tok-123")).status_code == 200
    async with db.session() as s:
        assert (await s.get(Subscriber, "sub-1")).active is True  # type: ignore[union-attr]
    done = await client.post("/unsubscribe/tok-123")
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    async with db.session() as s:
        assert (await s.get(Subscriber, "sub-1")).active is False  # type: ignore[union-attr]
    assert (await client.post("/unsubscribe/nope")).status_code == 404


async def test_provision_page_by_stable_key_shows_analysis_and_citation(client: httpx.AsyncClient) -> None:
    """The provision page, opened by its stable key, shows the clause, severity, opt-out, history and a verified hash."""
    page = await client.get("/provisions/key-train")
    assert page.status_code == 200
    html = page.text
    assert "AI model training" in html
    assert "High severity" in html
    assert "privacy@acme.test" in html
    assert "Expanded with an explicit opt-out" in html
    assert "Hash verified" in html
    assert "Unique · 0 of 2 platforms" in html


async def test_the_evidence_says_how_the_page_was_brought_to_show_the_document(
    client: httpx.AsyncClient,
) -> None:
    """A capture by plain HTTP says so and no more; one read in the browser after page steps with a consent cookie
    names the steps and the cookie on the provision page and in the evidence JSON, never the cookie's value."""
    page = (await client.get("/provisions/key-train")).text
    assert "by plain HTTP</span>" in page
    db: Database = client._transport.app.state.test_db  # type: ignore[attr-defined]
    async with db.session() as session:
        snap = await session.get(Snapshot, "snap-2")
        assert snap is not None
        snap.fetcher = "browser"
        snap.headers = {
            "parts": [
                {
                    "url": "https://acme.test/privacy",
                    "fetcher": "browser",
                    "headers": {},
                    "redirects": [],
                    "steps": ["clicked '#accept'", "scrolled to the bottom in 3 rounds"],
                    "cookies_sent": ["CONSENT"],
                }
            ]
        }
        session.add(snap)
    page = (await client.get("/provisions/key-train")).text
    assert (
        "by a headless browser, with the cookie CONSENT, after 2 page steps: clicked &#39;#accept&#39;; scrolled to"
        " the bottom in 3 rounds</span>"
    ) in page
    record = (await client.get("/api/v1/evidence/snap-2")).json()["snapshot"]
    assert record["fetcher"] == "browser"
    assert record["steps"] == ["clicked '#accept'", "scrolled to the bottom in 3 rounds"]
    assert record["cookies_sent"] == ["CONSENT"]
    plain = (await client.get("/api/v1/evidence/snap-1")).json()["snapshot"]
    assert "steps" not in plain
    assert "cookies_sent" not in plain


async def test_the_provision_record_downloads_as_a_pdf_of_the_page(client: httpx.AsyncClient) -> None:
    """The page links its record as a PDF and to sharing; the PDF holds what the page says: the clause, its severity,
    the opt-out route, the history and the hash checked against the stored bytes (decision 0167)."""
    page = (await client.get("/provisions/key-train")).text
    assert 'href="/provisions/prov-2/record.pdf"' in page
    assert "https://x.com/intent/post?url=http%3A//cw.test/provisions/key-train" in page
    response = await client.get("/provisions/prov-2/record.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="clausewatch-acme-ai-key-trai.pdf"'
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages
    )
    for expected in (
        "AI model training",
        "Severity: HIGH",
        "privacy@acme.test",
        "Expanded with an explicit opt-out",
        "hash verified",
        "http://cw.test/provisions/key-train",
    ):
        assert expected in text, expected
    assert (await client.get("/provisions/nope/record.pdf")).status_code == 404


async def test_a_clause_type_page_compares_every_platform_that_states_it(client: httpx.AsyncClient) -> None:
    """The provision page's "see them all" opens the clause-type page: each platform by its most serious provision of
    the type, the routes its provisions give, and the watched platforms without the type (decision 0168)."""
    assert 'href="/clause-types/ai-training"' in (await client.get("/provisions/key-train")).text
    page = await client.get("/clause-types/ai-training")
    assert page.status_code == 200
    for expected in (
        "<h1>How 1 platform describes AI model training</h1>",
        "1 of the 2 watched platforms",
        '<a href="/platforms/acme">Acme AI</a>',
        "High severity",
        "<code>privacy@acme.test</code>",
        'href="/provisions/prov-2"',
        "Platforms without this clause type",
        '<a href="/platforms/other">Other Co</a>',
        'href="/feeds/clause-types/ai-training.atom"',
    ):
        assert expected in page.text, expected
    assert (await client.get("/clause-types/arbitration")).status_code == 404


async def test_the_clause_types_overview_and_its_json(client: httpx.AsyncClient) -> None:
    """Every clause type of the current provisions, with platforms, provisions and severities, linked from the
    navigation; the same and the comparison as JSON for programs."""
    page = await client.get("/clause-types")
    assert page.status_code == 200
    assert '<a href="/clause-types">Clause types</a>' in page.text  # the site's navigation
    assert '<a href="/clause-types/ai-training">AI model training</a></th><td>1 of 2</td>' in page.text
    overview = (await client.get("/api/v1/clause-types")).json()
    assert overview["watched"] == 2
    training = next(row for row in overview["rows"] if row["clause_type"] == "ai-training")
    assert (training["label"], training["platforms"], training["provisions"]) == ("AI model training", 1, 1)
    assert {s["severity"]: s["count"] for s in training["severities"]}["high"] == 1
    comparison = (await client.get("/api/v1/clause-types/ai-training")).json()
    assert [(row["platform_id"], row["routes"]) for row in comparison["rows"]] == [
        ("acme", ["privacy@acme.test"])
    ]
    assert comparison["without"] == [{"id": "other", "name": "Other Co"}]
    missing = await client.get("/api/v1/clause-types/arbitration")
    assert missing.status_code == 404
    assert "clause type" in missing.text


async def test_a_provision_without_clause_type_says_so_once(client: httpx.AsyncClient) -> None:
    """A date stamp's page showed "Why it matters: Clause types: none recognised", "The text names no opt-out" and "No
    other watched platform has a provision of this type" (demo, session 16): one short section says what it is."""
    db: Database = client._transport.app.state.test_db  # type: ignore[attr-defined]
    async with db.session() as s:
        s.add(
            ProvisionAssessment(
                id="pa-1", provision_id="prov-1", provision_key="key-train", version_id="v-1",
                document_id="acme/privacy-policy", platform_id="acme", clause_types=[], severity="none",
                confidence=1.0, reasons=[], evidence=[], regulations=[], opt_outs=[], texts={}, model_version="test-1",
            )
        )  # fmt: skip
    html = (await client.get("/provisions/prov-1")).text
    assert "No clause type of our taxonomy is recognised in this provision" in html
    for empty in ("Why it matters", "none recognised", "What you can do", "How other platforms handle this"):
        assert empty not in html, empty
    typed = (await client.get("/provisions/prov-2")).text
    assert "Why it matters" in typed
    assert "How other platforms handle this" in typed


async def test_platform_page_has_a_timeline_chart_and_documents(client: httpx.AsyncClient) -> None:
    """The platform page lists its documents and draws the change timeline as inline SVG; it names the clause types of
    its documents, each linked to the comparison with the other platforms."""
    html = (await client.get("/platforms/acme")).text
    assert '<a href="/clause-types/ai-training">AI model training</a>' in html
    detail = (await client.get("/api/v1/platforms/acme")).json()
    assert detail["clause_types"] == [
        {"clause_type": "ai-training", "label": "AI model training", "provisions": 1, "severity": "high"}
    ]
    assert "<svg" in html
    assert 'role="img"' in html
    assert "Acme Privacy Policy" in html
    assert "1 change set between" in html


async def test_feeds_are_atom_and_filter_by_scope(client: httpx.AsyncClient) -> None:
    """Each feed is Atom XML holding only the change sets in its scope."""
    every = await client.get("/feeds/all.atom")
    assert every.headers["content-type"].startswith("application/atom+xml")
    assert "http://cw.test/changes/cs-1" in every.text
    assert "/changes/cs-1" in (await client.get("/feeds/documents/acme/privacy-policy.atom")).text
    assert "/changes/cs-1" in (await client.get("/feeds/clause-types/ai-training.atom")).text
    assert "/changes/cs-1" not in (await client.get("/feeds/clause-types/arbitration.atom")).text
    assert (await client.get("/feeds/platforms/nope.atom")).status_code == 404


async def test_writes_need_an_api_key(client: httpx.AsyncClient) -> None:
    """Requesting a capture without a configured key is refused with 401."""
    response = await client.post("/api/v1/documents/acme/privacy-policy/captures")
    assert response.status_code == 401
    wrong = await client.post(
        "/api/v1/documents/acme/privacy-policy/captures", headers={"X-API-Key": "guess"}
    )
    assert wrong.status_code == 401


async def test_a_change_set_that_restores_an_earlier_text_says_so(client: httpx.AsyncClient) -> None:
    """The JSON names the restored version and the page says the changes undo what changed since (0156). The rows
    mark the first version as restored: what is read here is the page's account of the column, not the differ's."""
    db: Database = client._transport.app.state.test_db  # type: ignore[attr-defined]
    async with db.session() as session:
        change_set = await session.get_one(ChangeSet, "cs-1")
        change_set.restores_version_id = "v-1"
        session.add(change_set)
    body = (await client.get("/api/v1/changes/cs-1")).json()
    assert body["restores_version_id"] == "v-1"
    assert body["restored_version"]["id"] == "v-1"
    html = (await client.get("/changes/cs-1")).text
    assert "Back to an earlier text:" in html
    assert "the changes below undo what changed since" in html
