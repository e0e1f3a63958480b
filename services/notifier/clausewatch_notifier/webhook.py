"""Webhook messages: a CloudEvents 1.0 structured JSON body signed per Standard Webhooks. Pure.

Headers follow https://www.standardwebhooks.com: `webhook-id` (the delivery id, the same on every retry and replay,
so the receiver can deduplicate), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64 HMAC>`, one
per live secret, space-separated, so a receiver holding either the old or the new secret verifies during rotation).
"""

from __future__ import annotations

import base64
import secrets as _secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import http
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook

EVENT_TYPE = "org.clausewatch.change.assessed.v1"
# A test event its owner asked for (decision 0176): same envelope and signature, data saying what it is.
PING_TYPE = "org.clausewatch.ping.v1"
PING_MESSAGE = "A test event from clausewatch: if your code verified this signature, your endpoint is ready."
SOURCE = "urn:clausewatch:notifier"
SECRET_PREFIX = "whsec_"  # noqa: S105  (the Standard Webhooks prefix, not a secret)


def new_secret() -> str:
    """Return a fresh signing secret: `whsec_` + 32 random bytes in base64, as Standard Webhooks expects."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode("ascii")


def live_secrets(stored: Iterable[Mapping[str, Any]], now: datetime) -> list[str]:
    """Return the secrets that still sign at `now`: the current one and any rotated-out one within its grace."""
    out = []
    for entry in stored:
        expires = entry.get("expires_at")
        if expires is None or datetime.fromisoformat(str(expires)) > now:
            out.append(str(entry["secret"]))
    return out


def cloudevent_body(
    *, event_id: str, subject: str, time: datetime, data: Mapping[str, Any], event_type: str = EVENT_TYPE
) -> bytes:
    """Return the structured-mode CloudEvents JSON body for one alert (or, with PING_TYPE, one test event)."""
    event = CloudEvent(
        {
            "id": event_id,
            "source": SOURCE,
            "type": event_type,
            "subject": subject,
            "time": time,
            "datacontenttype": "application/json",
        },
        dict(data),
    )
    return http.to_structured_event(event).body


def signed_headers(
    msg_id: str, body: bytes, signing_secrets: Iterable[str], timestamp: datetime
) -> dict[str, str]:
    """Return the Standard Webhooks headers (and the CloudEvents content type) for a body."""
    text = body.decode("utf-8")
    signatures = [Webhook(secret).sign(msg_id, timestamp, text) for secret in signing_secrets]
    if not signatures:
        msg = "no live signing secret for this endpoint"
        raise ValueError(msg)
    return {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
        "user-agent": "clausewatch-notifier/1",
    }
