"""A subscriber's preferences page, reached by the token their e-mails carry (decision 0170): what they follow and
the tier's room, following and unfollowing, the digest's day, hour and zone, and alerts back on after an unsubscribe;
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_notifier import management
from clausewatch_notifier.schemas import SubscriberCreated
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import Subscriber
from tests.integration.api.rows import write_rows
from tests.integration.notifier.conftest import make_settings

pytestmark = pytest.mark.integration

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def db(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(database_url)
    await write_rows(database, FilesystemBlobStore(tmp_path / "blobs"))
    yield database
    await database.dispose()


@pytest.fixture
async def client(db: Database, database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The api over a database with the platforms `acme` (Acme AI) and `other` (Other Co)."""
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    app = create_api(ApiSettings(database_url=database_url, blob_dir=tmp_path / "blobs"), db, blobs)
    app.state.notifier_settings = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, 25)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as c:
        yield c


async def free_subscriber(db: Database, email: str = "reader@example.org") -> SubscriberCreated:
    created = await management.create_subscriber(db, email)
    await management.follow(db, created.subscriber.id, "acme")
    return created


async def act(client: httpx.AsyncClient, token: str, body: str) -> httpx.Response:
    """Send one form; a change that went through answers 303 to the page, which is followed (as a browser does)."""
    return await client.post(f"/preferences/{token}", content=body, headers=FORM, follow_redirects=True)


async def test_the_page_shows_what_the_subscriber_follows_and_is_kept_private(
    client: httpx.AsyncClient, db: Database, database_url: str, tmp_path: Path
) -> None:
    """The page names the address, the tier and the platform followed; it is never cached and sends no Referer; a
    token no one holds and a sign-up never confirmed have no page."""
    created = await free_subscriber(db)
    page = await client.get(f"/preferences/{created.unsubscribe_token}")
    assert page.status_code == 200
    assert "reader@example.org" in page.text
    assert "free tier" in page.text
    assert '<a href="/platforms/acme">Acme AI</a>' in page.text
    assert "stop following one to follow another" in page.text  # the free tier's one platform is taken
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"

    assert (await client.get("/preferences/no-such-token")).status_code == 404
    settings = make_settings(tmp_path, "nats://127.0.0.1:1", database_url, 25)
    pending = await management.request_signup(db, settings, "pending@example.org")
    async with db.session() as session:
        row = await session.get(Subscriber, pending.subscriber_id)
        assert row is not None
        token = row.unsubscribe_token
    assert (await client.get(f"/preferences/{token}")).status_code == 404


async def test_a_free_subscriber_swaps_the_platform_within_the_tier(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Following a second platform on the free tier is refused with the tier's words; after unfollowing the first,
    the second is followed."""
    created = await free_subscriber(db)
    token, sub_id = created.unsubscribe_token, created.subscriber.id
    refused = await act(client, token, "action=follow&platform=other")
    assert refused.status_code == 403
    assert "The free tier follows at most 1 platform" in refused.text
    assert (await management.get_subscriber(db, sub_id)).platforms == ["acme"]

    dropped = await act(client, token, "action=unfollow&platform=acme")
    assert dropped.status_code == 200
    assert "You no longer follow Acme AI." in dropped.text
    followed = await act(client, token, "action=follow&platform=other")
    assert followed.status_code == 200
    assert "You now follow Other Co." in followed.text
    assert (await management.get_subscriber(db, sub_id)).platforms == ["other"]
    unknown = await act(client, token, "action=follow&platform=nowhere")
    assert unknown.status_code == 404
    assert "no platform" in unknown.text.lower()


async def test_a_change_redirects_to_the_page_so_a_reload_sends_nothing_again(
    client: httpx.AsyncClient, db: Database
) -> None:
    """A change answers 303 to the page with what it did as a code, privately; the page turns the code into its own
    sentence, and a code it does not know (an address edited by someone else) says nothing."""
    created = await free_subscriber(db)
    token = created.unsubscribe_token
    moved = await client.post(f"/preferences/{token}", content="action=unfollow&platform=acme", headers=FORM)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/preferences/{token}?done=unfollow&platform=acme"
    assert moved.headers["cache-control"] == "no-store"
    assert moved.headers["referrer-policy"] == "no-referrer"
    page = await client.get(moved.headers["location"])
    assert page.status_code == 200
    assert "You no longer follow Acme AI." in page.text
    forged = await client.get(f"/preferences/{token}?done=%3Cb%3EYour+account+is+closed%3C%2Fb%3E")
    assert forged.status_code == 200
    assert "Your account is closed" not in forged.text
    assert "You no longer follow" not in forged.text


async def test_the_digest_day_hour_and_zone_are_saved(client: httpx.AsyncClient, db: Database) -> None:
    """A Friday 09:00 Europe/Paris digest is saved and shown; an unknown zone or a word for an hour is refused with a
    message and changes nothing."""
    created = await free_subscriber(db)
    token, sub_id = created.unsubscribe_token, created.subscriber.id
    saved = await act(client, token, "action=digest&weekday=4&hour=9&timezone=Europe%2FParis")
    assert saved.status_code == 200
    assert "Your digest day and time are saved." in saved.text
    after = await management.get_subscriber(db, sub_id)
    assert (after.digest_weekday, after.digest_hour, after.timezone) == (4, 9, "Europe/Paris")
    assert after.next_digest_at is not None
    assert '<option value="4" selected>Friday</option>' in saved.text

    bad_zone = await act(client, token, "action=digest&weekday=1&hour=9&timezone=Mars%2FOlympus")
    assert bad_zone.status_code == 422
    bad_hour = await act(client, token, "action=digest&hour=nine")
    assert bad_hour.status_code == 422
    assert "The hour must be a number." in bad_hour.text
    unchanged = await management.get_subscriber(db, sub_id)
    assert (unchanged.digest_weekday, unchanged.timezone) == (4, "Europe/Paris")
    assert (await act(client, token, "action=explode")).status_code == 422


async def test_alerts_come_back_on_after_an_unsubscribe(client: httpx.AsyncClient, db: Database) -> None:
    """After the one-click unsubscribe the page says nothing is sent and offers to resume; resuming reactivates."""
    created = await free_subscriber(db)
    token = created.unsubscribe_token
    gone = await client.post(f"/unsubscribe/{token}")
    assert "Turn alerts back on" in gone.text
    page = await client.get(f"/preferences/{token}")
    assert "You are unsubscribed" in page.text
    assert not (await management.get_subscriber(db, created.subscriber.id)).active
    back = await act(client, token, "action=resume")
    assert "Your alerts are back on." in back.text
    assert (await management.get_subscriber(db, created.subscriber.id)).active


async def test_a_compliance_subscriber_watches_a_provision_by_its_page_address(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Pasting a provision page's address watches that provision's key; the page lists it by its headings and
    document and stops watching it; the free tier is told its tier has no such filters."""
    created = await management.create_subscriber(db, "legal@example.org", tier="compliance")
    token = created.unsubscribe_token
    page = await client.get(f"/preferences/{token}")
    assert "Provisions you watch" in page.text
    watched = await act(client, token, "action=watch&provision=http%3A%2F%2Fcw.test%2Fprovisions%2Fprov-2")
    assert watched.status_code == 200
    assert "You watch that provision now" in watched.text
    assert '<a href="/provisions/key-train">' in watched.text
    assert (await management.get_subscriber(db, created.subscriber.id)).filters == {
        "provisions": ["key-train"]
    }
    stopped = await act(client, token, "action=unwatch&provision=key-train")
    assert "You no longer watch that provision." in stopped.text
    assert (await management.get_subscriber(db, created.subscriber.id)).filters == {}

    free = await free_subscriber(db, "free@example.org")
    refused = await act(client, free.unsubscribe_token, "action=watch&provision=key-train")
    assert refused.status_code == 403
    assert "no provision-level filters" in refused.text
    assert "Provisions you watch" not in refused.text
