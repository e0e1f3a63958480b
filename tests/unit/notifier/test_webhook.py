"""CloudEvents bodies and Standard Webhooks signatures, checked with the `standardwebhooks` reference package."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cloudevents.core.bindings import http
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from clausewatch_notifier.preview import example_alert
from clausewatch_notifier.webhook import (
    PING_MESSAGE,
    PING_TYPE,
    cloudevent_body,
    live_secrets,
    new_secret,
    signed_headers,
)
from tests.unit.notifier.samples import sample_alert


def _body() -> bytes:
    alert = sample_alert()
    return cloudevent_body(
        event_id="d-1", subject=alert.document_id, time=alert.detected_at, data=alert.model_dump(mode="json")
    )


def test_body_is_a_structured_cloudevent() -> None:
    """The body has the CloudEvents 1.0 attributes and the alert as data."""
    event = json.loads(_body())
    assert event["specversion"] == "1.0"
    assert event["id"] == "d-1"
    assert event["type"] == "org.clausewatch.change.assessed.v1"
    assert event["subject"] == "leonardo-ai/privacy-policy"
    assert event["time"].startswith("2026-06-02T09:30:00")
    assert event["data"]["changes"][0]["old_text"].startswith("We may use")
    parsed = http.from_http_event(http.HTTPMessage({"content-type": "application/cloudevents+json"}, _body()))
    assert parsed.get_id() == "d-1"
    assert parsed.get_type() == "org.clausewatch.change.assessed.v1"


def test_signature_verifies_and_tampering_fails() -> None:
    """A receiver with the secret verifies the body; a changed body or another secret is rejected."""
    secret = new_secret()
    now = datetime.now(UTC)
    body = _body()
    headers = signed_headers("d-1", body, [secret], now)
    assert Webhook(secret).verify(body, headers)["id"] == "d-1"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"high", b"low!"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_during_rotation_both_secrets_verify() -> None:
    """With a new and a not-yet-expired old secret, receivers holding either verify the same message."""
    old, new = new_secret(), new_secret()
    now = datetime.now(UTC)
    stored = [
        {"secret": new, "expires_at": None},
        {"secret": old, "expires_at": (now + timedelta(hours=1)).isoformat()},
    ]
    body = _body()
    headers = signed_headers("d-1", body, live_secrets(stored, now), now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)
    later = now + timedelta(hours=2)
    assert live_secrets(stored, later) == [new]


def test_no_live_secret_refuses_to_sign() -> None:
    """An endpoint whose secrets all expired cannot send unsigned messages."""
    with pytest.raises(ValueError, match="no live signing secret"):
        signed_headers("d-1", b"{}", [], datetime.now(UTC))


def test_the_documented_example_is_what_the_notifier_sends() -> None:
    """docs/webhooks.md's example body is `example_alert()` through `cloudevent_body` (first change shown), so the
    documented fields, ids and names cannot drift from the code."""
    docs = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text("utf-8")
    documented = json.loads(docs.split("```json\n", 1)[1].split("\n```", 1)[0])
    alert = example_alert()
    sent = json.loads(
        cloudevent_body(
            event_id=documented["id"],
            subject=alert.document_id,
            time=alert.detected_at,
            data=alert.model_dump(mode="json"),
        )
    )
    sent["data"]["changes"] = sent["data"]["changes"][:1]
    assert documented == sent


def test_the_documented_test_event_is_what_the_notifier_sends() -> None:
    """docs/webhooks.md's test event is the delivery worker's ping body (decision 0176): type, data and message."""
    docs = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text("utf-8")
    blocks = [block.split("\n```", 1)[0] for block in docs.split("```json\n")[1:]]
    documented = next(json.loads(b) for b in blocks if '"org.clausewatch.ping.v1"' in b)
    sent = json.loads(
        cloudevent_body(
            event_id=documented["id"],
            subject="ENDPOINT_ID",
            time=datetime.fromisoformat(documented["time"]),
            data={"message": PING_MESSAGE, "endpoint_id": "ENDPOINT_ID"},
            event_type=PING_TYPE,
        )
    )
    assert documented == sent
