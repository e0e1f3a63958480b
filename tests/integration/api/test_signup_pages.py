"""Self-service sign-up through the pages and the JSON API, with a real SMTP server and the notifier's delivery loop:
the call to action on a platform's and a provision's page, "check your inbox" alike for every address, a link page
that changes nothing until its button is pressed, the API key shown once on a page never cached, and the limits and
the switch (decision 0169). On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from tests.integration.api.rows import write_rows
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.servers import Inbox, smtp_server

pytestmark = pytest.mark.integration

LINK = re.compile(r"https://clausewatch\.test(/signup/confirm/[A-Za-z0-9_-]+)")
KEY = re.compile(r"cwk_[A-Za-z0-9_-]{40,}")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Site:
    """The api over a migrated database with the platforms `acme` (one assessed provision) and `other`, its
    notifier settings on a real SMTP server, and a way to run the notifier's delivery loop once."""

    def __init__(
        self, app: FastAPI, client: httpx.AsyncClient, db: Database, settings: NotifierSettings, inbox: Inbox
    ) -> None:
        self.app, self.client, self.db, self.settings, self.inbox = app, client, db, settings, inbox

    async def deliver(self) -> None:
        worker = DeliveryWorker(self.db, self.settings)
        try:
            await worker.run_once()
        finally:
            await worker.aclose()

    def link(self, address: str) -> str:
        message = self.inbox.to(address)[-1]
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        found = LINK.search(text)
        assert found, text
        return found.group(1)


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    db = Database(database_url)
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    await write_rows(db, blobs)
    app = create_api(ApiSettings(database_url=database_url, blob_dir=tmp_path / "blobs"), db, blobs)
    with smtp_server() as (inbox, port):
        settings = make_settings(
            tmp_path, "nats://127.0.0.1:1", database_url, port, signup_per_client_per_hour=3
        )
        app.state.notifier_settings = settings
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
            yield Site(app, client, db, settings, inbox)
    await db.dispose()


async def test_a_visitor_signs_up_from_a_platform_page_and_gets_a_key_once(site: Site) -> None:
    """The platform page offers the free account for that platform; the form answers "check your inbox"; the e-mailed
    link's page asks before confirming; the confirmation page shows a working key, is never cached and sends no
    Referer; the link then no longer works."""
    page = await site.client.get("/platforms/acme")
    assert "Monitor governance changes for" in page.text
    assert "Create free account" in page.text
    assert 'name="platform" value="acme"' in page.text
    provision = await site.client.get("/provisions/prov-2")
    assert "Monitor governance changes for Acme AI" in provision.text

    sent = await site.client.post("/signup", content="email=new%40example.org&platform=acme", headers=FORM)
    assert sent.status_code == 200
    assert "Check your inbox" in sent.text
    assert "new@example.org" in sent.text
    await site.deliver()
    link = site.link("new@example.org")

    ask = await site.client.get(link)
    assert ask.status_code == 200
    assert "n***@example.org" in ask.text
    assert "Confirm" in ask.text
    assert ask.headers["referrer-policy"] == "no-referrer"
    me_before = await site.client.get("/api/v1/me", headers={"X-API-Key": "cwk_" + "x" * 43})
    assert me_before.status_code == 401

    done = await site.client.post(link)
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    key = KEY.search(done.text)
    assert key, done.text
    me = await site.client.get("/api/v1/me", headers={"X-API-Key": key.group(0)})
    assert me.status_code == 200
    assert me.json()["platforms"] == ["acme"]
    assert me.json()["tier"] == "free"
    assert me.json()["active"]

    again = await site.client.post(link)
    assert again.status_code == 410
    assert "was used on" in again.text
    assert KEY.search(again.text) is None


async def test_the_answer_is_the_same_for_a_known_address(site: Site) -> None:
    """A subscribed address gets the same "check your inbox" page as a new one (the form does not tell who is
    subscribed); its e-mail, not the page, says it has an account."""
    first = await site.client.post("/signup", content="email=first%40example.org", headers=FORM)
    await site.deliver()
    await site.client.post(site.link("first@example.org"))
    known = await site.client.post("/signup", content="email=first%40example.org", headers=FORM)
    fresh = await site.client.post("/signup", content="email=second%40example.org", headers=FORM)
    assert first.status_code == known.status_code == fresh.status_code == 200
    assert known.text.replace("first@", "X@") == fresh.text.replace("second@", "X@")
    await site.deliver()
    assert (
        "already have an account"
        in site.inbox.to("first@example.org")[-1]
        .get_body(  # type: ignore[union-attr]
            preferencelist=("plain",)
        )
        .get_content()
    )


async def test_the_json_api_signs_up_and_confirms(site: Site) -> None:
    """POST /api/v1/signup answers 202 alike; POST /api/v1/signup/confirm with the link's token returns the key."""
    answer = await site.client.post(
        "/api/v1/signup", json={"email": "api@example.org", "platform_id": "other"}
    )
    assert answer.status_code == 202
    assert answer.json()["status"] == "confirmation_sent"
    await site.deliver()
    token = site.link("api@example.org").rsplit("/", 1)[1]
    confirmed = await site.client.post("/api/v1/signup/confirm", json={"token": token})
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["api_key"].startswith("cwk_")
    assert body["followed"] == "other"
    assert (await site.client.post("/api/v1/signup/confirm", json={"token": token})).status_code == 410
    assert (await site.client.post("/api/v1/signup/confirm", json={"token": "nope"})).status_code == 404
    unknown = await site.client.post(
        "/api/v1/signup", json={"email": "x@example.org", "platform_id": "nowhere"}
    )
    assert unknown.status_code == 404


async def test_a_busy_client_is_told_when_to_come_back_and_bad_input_keeps_the_form(site: Site) -> None:
    """Past the client's hourly number the page and the API answer 429 with Retry-After; a malformed address gets the
    form back with its error and what was typed."""
    bad = await site.client.post("/signup", content="email=not-an-address&platform=acme", headers=FORM)
    assert bad.status_code == 422
    assert "Enter an e-mail address" in bad.text
    assert 'value="not-an-address"' in bad.text
    for n in range(3):
        ok = await site.client.post("/signup", content=f"email=p{n}%40example.org", headers=FORM)
        assert ok.status_code == 200
    page = await site.client.post("/signup", content="email=p9%40example.org", headers=FORM)
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) > 3000
    assert "Try again in" in page.text
    api = await site.client.post("/api/v1/signup", json={"email": "p10@example.org"})
    assert api.status_code == 429
    assert "retry-after" in api.headers


async def test_a_server_with_sign_up_off_offers_none(site: Site, tmp_path: Path, database_url: str) -> None:
    """With sign-up off the pages carry no form, the form page says to ask the operator, and posting is refused."""
    site.settings = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, 25, signup_enabled=False)
    site.app.state.notifier_settings = site.settings
    assert "Create free account</button>" not in (await site.client.get("/platforms/acme")).text
    assert "ask its operator" in (await site.client.get("/signup")).text
    refused = await site.client.post("/signup", content="email=z%40example.org", headers=FORM)
    assert refused.status_code == 403
    assert (await site.client.post("/api/v1/signup", json={"email": "z@example.org"})).status_code == 403


async def test_a_visitor_takes_the_trial_from_a_platform_page(site: Site) -> None:
    """The platform page offers the server's trial beside the free account; its confirmation starts the trial tier
    with its end date on the page; the JSON API asks for it with `trial`, and a server without one refuses it."""
    page = await site.client.get("/platforms/acme")
    assert 'name="trial" value="1">Try Monitor free for 14 days</button>' in page.text
    sent = await site.client.post(
        "/signup", content="email=trial%40example.org&platform=acme&trial=1", headers=FORM
    )
    assert "using it starts your 14-day monitor trial with Acme AI" in sent.text
    await site.deliver()
    link = site.link("trial@example.org")
    ask = await site.client.get(link)
    assert "Confirm your monitor trial" in ask.text
    done = await site.client.post(link)
    assert "Your monitor trial runs until" in done.text
    key = KEY.search(done.text)
    assert key is not None
    me = (await site.client.get("/api/v1/me", headers={"X-API-Key": key.group(0)})).json()
    assert me["tier"] == "monitor"
    assert me["trial_ends_at"] is not None

    api = await site.client.post("/api/v1/signup", json={"email": "t2@example.org", "trial": True})
    assert api.status_code == 202
    site.app.state.notifier_settings = site.settings.model_copy(update={"signup_trial_tier": None})
    refused = await site.client.post("/api/v1/signup", json={"email": "t3@example.org", "trial": True})
    assert refused.status_code == 422
    assert "Try Monitor" not in (await site.client.get("/platforms/acme")).text


async def test_a_script_filling_the_hidden_field_is_answered_alike_and_sent_nothing(site: Site) -> None:
    """Both sign-up forms carry a field people never see; a post that fills it gets the same "check your inbox" and
    no subscriber, no e-mail."""
    for page in ("/signup", "/platforms/acme"):
        assert (
            'aria-hidden="true"><label>Leave this empty <input name="website" tabindex="-1"'
            in (await site.client.get(page)).text
        )
    bot = await site.client.post(
        "/signup",
        content="email=bot%40example.org&platform=acme&website=http%3A%2F%2Fspam.example",
        headers=FORM,
    )
    person = await site.client.post(
        "/signup", content="email=person%40example.org&platform=acme&website=", headers=FORM
    )
    assert bot.status_code == person.status_code == 200
    assert bot.text.replace("bot@", "X@") == person.text.replace("person@", "X@")
    await site.deliver()
    assert site.inbox.to("bot@example.org") == []
    assert len(site.inbox.to("person@example.org")) == 1
