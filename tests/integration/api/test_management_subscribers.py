"""Subscriber management over HTTP: operator-created subscribers, subscriber keys, follows within the tier, filters,
digest schedule and operator-only tier changes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from tests.integration.api.rows import write_rows

pytestmark = pytest.mark.integration

ADMIN = {"X-API-Key": "admin-key"}


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the api over a migrated database holding the platforms `acme` and `other`."""
    db = Database(database_url)
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    await write_rows(db, blobs)
    settings = ApiSettings(database_url=database_url, blob_dir=tmp_path / "blobs", api_keys=["admin-key"])
    app = create_api(settings, db, blobs)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as c:
        yield c
    await db.dispose()


async def subscribe(client: httpx.AsyncClient, email: str, tier: str = "free") -> tuple[str, dict[str, str]]:
    """Create a subscriber with the admin key; return their id and the headers carrying their own key."""
    answer = await client.post("/api/v1/subscribers", json={"email": email, "tier": tier}, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["subscriber"]["id"], {"X-API-Key": body["api_key"]}


async def test_creating_a_subscriber_needs_an_operator_key_and_returns_the_key_once(
    client: httpx.AsyncClient,
) -> None:
    """Only an operator key creates a subscriber; the answer holds their key once, and the key then reads /me."""
    body = {"email": "Legal@Example.org", "tier": "watcher", "timezone": "Europe/Paris"}
    assert (await client.post("/api/v1/subscribers", json=body)).status_code == 401
    assert (
        await client.post("/api/v1/subscribers", json=body, headers={"X-API-Key": "wrong"})
    ).status_code == 401

    created = await client.post("/api/v1/subscribers", json=body, headers=ADMIN)
    assert created.status_code == 201
    out = created.json()
    assert out["api_key"].startswith("cwk_")
    assert out["unsubscribe_token"]
    assert out["subscriber"]["email"] == "legal@example.org"
    assert out["subscriber"]["tier"] == "watcher"

    own = {"X-API-Key": out["api_key"]}
    me = await client.get("/api/v1/me", headers=own)
    assert me.status_code == 200
    assert me.json()["id"] == out["subscriber"]["id"]
    assert out["api_key"] not in me.text
    assert out["unsubscribe_token"] not in me.text
    bearer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {out['api_key']}"})
    assert bearer.json()["id"] == out["subscriber"]["id"]
    # A subscriber's own key is not an operator key.
    assert (
        await client.post("/api/v1/subscribers", json={"email": "x@example.org"}, headers=own)
    ).status_code == 401


async def test_creating_a_subscriber_refuses_duplicates_and_bad_input(client: httpx.AsyncClient) -> None:
    """A second subscriber with the same e-mail is a 409; a malformed e-mail or unknown time zone is a 422."""
    await subscribe(client, "dup@example.org")
    again = await client.post("/api/v1/subscribers", json={"email": "DUP@example.org"}, headers=ADMIN)
    assert again.status_code == 409
    bad_email = await client.post("/api/v1/subscribers", json={"email": "not an address"}, headers=ADMIN)
    assert bad_email.status_code == 422
    assert bad_email.json()["detail"][0]["loc"] == ["body", "email"]
    bad_zone = await client.post(
        "/api/v1/subscribers", json={"email": "z@example.org", "timezone": "Mars/Olympus"}, headers=ADMIN
    )
    assert bad_zone.status_code == 422


async def test_subscriber_routes_refuse_missing_and_unknown_keys(client: httpx.AsyncClient) -> None:
    """Without a key, with the operator key, or with a key no subscriber owns, /me answers 401."""
    for headers in ({}, ADMIN, {"X-API-Key": "cwk_" + "x" * 43}, {"Authorization": "Basic abc"}):
        answer = await client.get("/api/v1/me", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["www-authenticate"] == "Bearer"


async def test_follows_stay_within_the_tier_limit(client: httpx.AsyncClient) -> None:
    """A free subscriber follows one platform; a second is refused with 403, an unknown one is 404, unfollowing
    frees the slot."""
    _, own = await subscribe(client, "free@example.org")
    first = await client.put("/api/v1/me/follows/acme", headers=own)
    assert first.status_code == 200
    assert first.json()["platforms"] == ["acme"]
    assert (await client.put("/api/v1/me/follows/acme", headers=own)).json()["platforms"] == ["acme"]

    over = await client.put("/api/v1/me/follows/other", headers=own)
    assert over.status_code == 403
    assert "at most 1 platform" in over.json()["detail"]
    assert (await client.put("/api/v1/me/follows/nowhere", headers=own)).status_code == 404

    left = await client.delete("/api/v1/me/follows/acme", headers=own)
    assert left.json()["platforms"] == []
    assert (await client.put("/api/v1/me/follows/other", headers=own)).json()["platforms"] == ["other"]


async def test_tier_changes_are_operator_only_and_unlock_filters(client: httpx.AsyncClient) -> None:
    """A subscriber cannot raise their own tier; after an operator moves them to compliance they may set filters."""
    subscriber_id, own = await subscribe(client, "filters@example.org")
    filters = {"clause_types": ["ai-training"], "min_severity": "medium"}
    refused = await client.put("/api/v1/me/filters", json=filters, headers=own)
    assert refused.status_code == 403

    tier_url = f"/api/v1/subscribers/{subscriber_id}/tier"
    assert (await client.put(tier_url, json={"tier": "compliance"}, headers=own)).status_code == 401
    moved = await client.put(tier_url, json={"tier": "compliance"}, headers=ADMIN)
    assert moved.status_code == 200
    assert moved.json()["tier"] == "compliance"
    assert (
        await client.put("/api/v1/subscribers/nobody/tier", json={"tier": "free"}, headers=ADMIN)
    ).status_code == 404

    allowed = await client.put("/api/v1/me/filters", json=filters, headers=own)
    assert allowed.status_code == 200
    assert allowed.json()["filters"] == {"clause_types": ["ai-training"], "min_severity": "medium"}
    shown = await client.get(f"/api/v1/subscribers/{subscriber_id}", headers=ADMIN)
    assert shown.json()["filters"] == allowed.json()["filters"]


async def test_digest_schedule_is_set_in_the_subscriber_time_zone(client: httpx.AsyncClient) -> None:
    """The digest day, hour and zone are stored; an unknown zone or hour out of range is a 422."""
    _, own = await subscribe(client, "digest@example.org")
    answer = await client.put(
        "/api/v1/me/digest", json={"timezone": "America/New_York", "weekday": "fri", "hour": 9}, headers=own
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["timezone"], body["digest_weekday"], body["digest_hour"]) == ("America/New_York", 4, 9)
    assert body["next_digest_at"] is not None
    assert (
        await client.put("/api/v1/me/digest", json={"timezone": "Nowhere/Else"}, headers=own)
    ).status_code == 422
    assert (await client.put("/api/v1/me/digest", json={"hour": 24}, headers=own)).status_code == 422
    assert (
        await client.put("/api/v1/me/digest", json={"weekday": "someday"}, headers=own)
    ).status_code == 422


async def test_an_operator_lists_subscribers_with_sign_ups_pending(client: httpx.AsyncClient) -> None:
    """GET /api/v1/subscribers needs an operator key and pages the subscribers newest first, each with its
    `confirmed_at`; `state=pending` finds a self-service sign-up not confirmed yet."""
    await subscribe(client, "ops@example.org", tier="compliance")
    assert (await client.post("/api/v1/signup", json={"email": "new@example.org"})).status_code == 202
    assert (await client.get("/api/v1/subscribers")).status_code == 401
    listed = await client.get("/api/v1/subscribers", headers=ADMIN)
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3  # with the subscriber the rows hold
    assert [s["email"] for s in body["items"][:2]] == ["new@example.org", "ops@example.org"]
    assert body["items"][0]["confirmed_at"] is None
    assert body["items"][1]["confirmed_at"] is not None
    pending = (await client.get("/api/v1/subscribers?state=pending", headers=ADMIN)).json()
    assert [s["email"] for s in pending["items"]] == ["new@example.org"]
    paged = await client.get("/api/v1/subscribers?limit=1", headers=ADMIN)
    assert paged.json()["next"] == "/api/v1/subscribers?limit=1&offset=1"
    assert len(paged.json()["items"]) == 1
    assert (await client.get("/api/v1/subscribers?state=gone", headers=ADMIN)).status_code == 422
