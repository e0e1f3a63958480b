"""Webhook endpoints, the delivery log and replays over HTTP: SSRF refusal, secrets shown once, rotation, and one
subscriber never seeing or touching another's endpoints or deliveries (404), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from clausewatch_api.settings import ApiSettings
from clausewatch_api.subscriber_auth import build_notifier_settings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import Delivery
from tests.integration.api.rows import write_rows

pytestmark = pytest.mark.integration

ADMIN = {"X-API-Key": "admin-key"}
HOOK = "http://127.0.0.1:9/hook"  # never called: registering only checks where the URL points


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The api over a migrated database holding platform `acme` and its assessed change set `cs-1`."""
    db = Database(database_url)
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    await write_rows(db, blobs)
    settings = ApiSettings(
        database_url=database_url,
        blob_dir=tmp_path / "blobs",
        api_keys=["admin-key"],
        public_base_url="http://cw.test",
    )
    yield create_api(settings, db, blobs)
    await db.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as c:
        yield c


def allow_private_targets(app: FastAPI) -> None:
    """Let webhooks point at loopback, as the demo and tests configure (CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS)."""
    built = build_notifier_settings(app.state.resources.settings)
    app.state.notifier_settings = built.model_copy(update={"allow_private_webhook_targets": True})


async def mark_delivered(app: FastAPI, delivery_id: str) -> None:
    """Record a delivery as sent, as the notifier's delivery worker would after a 2xx."""
    db: Database = app.state.resources.db
    async with db.session() as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        delivery.status, delivery.next_attempt_at = "delivered", None
        session.add(delivery)


async def subscribe(
    client: httpx.AsyncClient, email: str, tier: str = "compliance", follow: str | None = "acme"
) -> dict[str, str]:
    """Create a subscriber (following `follow`) with the admin key; return the headers carrying their own key."""
    answer = await client.post("/api/v1/subscribers", json={"email": email, "tier": tier}, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    own = {"X-API-Key": answer.json()["api_key"]}
    if follow:
        assert (await client.put(f"/api/v1/me/follows/{follow}", headers=own)).status_code == 200
    return own


async def test_webhooks_to_private_addresses_are_refused_by_default(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """With settings built from the environment a loopback webhook is a 422, and a tier without webhooks a 403."""
    own = await subscribe(client, "ssrf@example.org")
    refused = await client.post("/api/v1/me/endpoints", json={"url": HOOK}, headers=own)
    assert refused.status_code == 422
    assert "127.0.0.1" in refused.json()["detail"][0]["msg"]
    # The notifier settings were built from the environment with the api's own database.
    assert app.state.notifier_settings.database_url == app.state.resources.settings.database_url
    assert (await client.get("/api/v1/me/endpoints", headers=own)).json() == []

    watcher = await subscribe(client, "watcher@example.org", tier="watcher")
    no_webhooks = await client.post(
        "/api/v1/me/endpoints", json={"url": "https://hooks.example.org/x"}, headers=watcher
    )
    assert no_webhooks.status_code == 403


async def test_secrets_are_shown_once_and_rotation_keeps_the_old_one_alive(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Registering and rotating return a new secret each; listings show only how many secrets sign, never them."""
    allow_private_targets(app)
    own = await subscribe(client, "hooks@example.org")
    made = await client.post("/api/v1/me/endpoints", json={"url": HOOK}, headers=own)
    assert made.status_code == 201
    first = made.json()["secret"]
    endpoint_id = made.json()["endpoint"]["id"]
    assert first

    rotated = await client.post(f"/api/v1/me/endpoints/{endpoint_id}/rotate", headers=own)
    assert rotated.status_code == 200
    second = rotated.json()["secret"]
    assert second
    assert second != first
    assert rotated.json()["endpoint"]["secrets_live"] == 2
    assert rotated.json()["previous_secret_expires_at"] is not None

    listing = await client.get("/api/v1/me/endpoints", headers=own)
    assert [e["id"] for e in listing.json()] == [endpoint_id]
    me = await client.get("/api/v1/me", headers=own)
    for text in (listing.text, me.text):
        assert first not in text
        assert second not in text

    ping = await client.post(f"/api/v1/me/endpoints/{endpoint_id}/test", headers=own)
    assert ping.status_code == 202
    assert (ping.json()["kind"], ping.json()["channel"], ping.json()["status"]) == (
        "ping",
        "webhook",
        "pending",
    )
    logged = await client.get(f"/api/v1/me/deliveries/{ping.json()['id']}", headers=own)
    assert logged.status_code == 200
    assert logged.json()["target"] == endpoint_id

    off = await client.put(
        f"/api/v1/me/endpoints/{endpoint_id}/enabled", json={"enabled": False}, headers=own
    )
    assert off.json()["enabled"] is False
    refused = await client.post(f"/api/v1/me/endpoints/{endpoint_id}/test", headers=own)
    assert refused.status_code == 409
    assert "enable it, then test it" in refused.json()["detail"]
    assert off.json()["disabled_reason"] == "disabled by request"
    on = await client.put(f"/api/v1/me/endpoints/{endpoint_id}/enabled", json={"enabled": True}, headers=own)
    assert on.json()["enabled"] is True


async def test_replay_queues_an_alert_that_the_delivery_log_then_shows(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Replaying change set cs-1 creates one webhook delivery, listed with filters and readable by id."""
    allow_private_targets(app)
    own = await subscribe(client, "replay@example.org")
    endpoint_id = (await client.post("/api/v1/me/endpoints", json={"url": HOOK}, headers=own)).json()[
        "endpoint"
    ]["id"]

    replayed = await client.post("/api/v1/me/replay", json={"change_set_id": "cs-1"}, headers=own)
    assert replayed.status_code == 200
    assert replayed.json()["requeued"] == []
    assert len(replayed.json()["created"]) == 1
    delivery_id = replayed.json()["created"][0]

    log = (await client.get("/api/v1/me/deliveries", headers=own)).json()
    assert [(d["id"], d["change_set_id"], d["channel"], d["target"]) for d in log] == [
        (delivery_id, "cs-1", "webhook", endpoint_id)
    ]
    assert (await client.get("/api/v1/me/deliveries", params={"channel": "email"}, headers=own)).json() == []
    assert (
        await client.get("/api/v1/me/deliveries", params={"status": "delivered"}, headers=own)
    ).json() == []
    in_range = {"since": "2026-01-01T00:00:00Z", "change_set_id": "cs-1", "history": "true"}
    assert len((await client.get("/api/v1/me/deliveries", params=in_range, headers=own)).json()) == 1
    one = await client.get(f"/api/v1/me/deliveries/{delivery_id}", headers=own)
    assert one.status_code == 200
    assert one.json()["status"] == "pending"

    # A replay while the delivery is still pending queues nothing twice; once sent, a range replay resends it.
    again = await client.post("/api/v1/me/replay", json={"change_set_id": "cs-1"}, headers=own)
    assert again.json() == {"requeued": [], "created": []}
    await mark_delivered(app, delivery_id)
    assert (
        await client.get("/api/v1/me/deliveries", params={"status": "delivered"}, headers=own)
    ).json() != []
    ranged = await client.post("/api/v1/me/replay", json={"since": "2026-11-01T00:00:00Z"}, headers=own)
    assert ranged.status_code == 200
    assert ranged.json() == {"requeued": [delivery_id], "created": []}
    assert (await client.get(f"/api/v1/me/deliveries/{delivery_id}", headers=own)).json()["replays"] == 1
    # cs-1 was assessed when the rows were written (now): a range that ended before finds nothing.
    past = {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}
    assert (await client.post("/api/v1/me/replay", json=past, headers=own)).json() == {
        "requeued": [],
        "created": [],
    }
    assert (await client.post("/api/v1/me/replay", json={}, headers=own)).status_code == 422
    assert (
        await client.post("/api/v1/me/replay", json={"since": "2026-11-01T00:00:00"}, headers=own)
    ).status_code == 422
    assert (
        await client.post("/api/v1/me/replay", json={"change_set_id": "cs-x"}, headers=own)
    ).status_code == 404


async def test_a_subscriber_never_sees_or_touches_another_subscribers_endpoints_or_deliveries(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Subscriber B gets 404 (as for ids that do not exist) on A's endpoint and delivery, and empty listings."""
    allow_private_targets(app)
    alice = await subscribe(client, "alice@example.org")
    bob = await subscribe(client, "bob@example.org")
    endpoint_id = (await client.post("/api/v1/me/endpoints", json={"url": HOOK}, headers=alice)).json()[
        "endpoint"
    ]["id"]
    delivery_id = (
        await client.post("/api/v1/me/replay", json={"change_set_id": "cs-1"}, headers=alice)
    ).json()["created"][0]

    for target in (endpoint_id, "no-such-endpoint"):
        rotate = await client.post(f"/api/v1/me/endpoints/{target}/rotate", headers=bob)
        assert rotate.status_code == 404
        assert rotate.json() == {"detail": f"no endpoint {target!r}"}
        toggle = await client.put(
            f"/api/v1/me/endpoints/{target}/enabled", json={"enabled": False}, headers=bob
        )
        assert toggle.status_code == 404
        ping = await client.post(f"/api/v1/me/endpoints/{target}/test", headers=bob)
        assert ping.status_code == 404
        replay = await client.post(
            "/api/v1/me/replay", json={"change_set_id": "cs-1", "endpoint_id": target}, headers=bob
        )
        assert replay.status_code == 404
    for target in (delivery_id, "no-such-delivery"):
        answer = await client.get(f"/api/v1/me/deliveries/{target}", headers=bob)
        assert answer.status_code == 404
        assert answer.json() == {"detail": f"no delivery {target!r}"}
    assert (await client.get("/api/v1/me/endpoints", headers=bob)).json() == []
    assert (await client.get("/api/v1/me/deliveries", headers=bob)).json() == []

    # Alice's endpoint is untouched: still enabled, still one secret.
    (mine,) = (await client.get("/api/v1/me/endpoints", headers=alice)).json()
    assert (mine["enabled"], mine["secrets_live"]) == (True, 1)
    assert (await client.get(f"/api/v1/me/deliveries/{delivery_id}", headers=alice)).status_code == 200


async def test_a_broken_notifier_environment_answers_503_and_logs_no_secret(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid notifier setting in the environment makes endpoint registration a 503 whose log line names the
    variable but holds no secret value."""
    own = await subscribe(client, "broken@example.org")
    monkeypatch.setenv("CLAUSEWATCH_SMTP_PORT", "99999")
    monkeypatch.setenv("CLAUSEWATCH_SMTP_PASSWORD", "hunter2-do-not-log")
    with capture_logs() as logs:
        answer = await client.post("/api/v1/me/endpoints", json={"url": HOOK}, headers=own)
    assert answer.status_code == 503
    assert answer.json() == {"detail": "subscriber management is not configured"}
    (line,) = [entry for entry in logs if entry["event"] == "notifier_settings_invalid"]
    assert "CLAUSEWATCH_SMTP_PORT" in line["error"]
    assert "hunter2" not in repr(logs)
    assert "99999" not in line["error"]
