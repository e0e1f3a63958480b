"""One real document change travels fetcher → differ → analyzer → notifier over a real nats-server and ends as a
signed webhook and an e-mail."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select
from standardwebhooks.webhooks import Webhook

from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.models import Document, Snapshot, Version
from tests.support.nats import NatsServer
from tests.support.pipeline import request_capture, running_system, wait_for, write_catalogue
from tests.support.sites import VersionedSite

PAGES = Path(__file__).parent / "pages"
DOCUMENT_ID = "acme-ai/privacy-policy"


async def test_a_policy_change_ends_as_a_signed_webhook_and_an_email(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    """Editing a served policy yields one verified CloudEvents webhook and one e-mail naming the new AI-training clause."""
    site = VersionedSite()
    v1 = (PAGES / "acme-privacy-v1.html").read_bytes()
    site.set("/privacy", v1)
    site.start()
    mail = MailSink()
    mail.start()
    hook = WebhookReceiver(secret="")
    hook.start()
    catalogue = write_catalogue(
        tmp_path / "catalogue.yaml",
        [
            {
                "id": "acme-ai",
                "name": "Acme AI",
                "website": "https://acme-ai.example",
                "jurisdictions": ["EU", "US"],
                "documents": [
                    {
                        "type": "Privacy Policy",
                        "urls": [site.url("/privacy")],
                        "select": ["main"],
                        "javascript": False,
                    }
                ],
            }
        ],
    )
    try:
        async with running_system(
            tmp_path / "data", nats_server.url, catalogue=catalogue, smtp_port=mail.port
        ) as system:
            db = system.runtime.db

            async def documents() -> int:
                async with db.session() as s:
                    return int((await s.exec(select(func.count()).select_from(Document))).one())

            await wait_for(lambda: documents(), what="the catalogue to be synced")
            created = await management.create_subscriber(db, "analyst@example.org", tier="compliance")
            await management.follow(db, created.subscriber.id, "acme-ai")
            endpoint = await management.register_endpoint(
                db, system.settings["notifier"], created.subscriber.id, hook.url
            )
            assert endpoint.secret
            hook.secret = endpoint.secret

            async def versions() -> int:
                async with db.session() as s:
                    return int((await s.exec(select(func.count()).select_from(Version))).one())

            await request_capture(system, DOCUMENT_ID, "slot-1")
            await wait_for(lambda: versions(), what="the first version")
            site.set("/privacy", (PAGES / "acme-privacy-v2.html").read_bytes())
            await request_capture(system, DOCUMENT_ID, "slot-2")
            await wait_for(
                lambda: len(hook.received) >= 1 and len(mail.messages) >= 1, timeout=60, what="alerts"
            )

            async with db.session() as s:
                snapshots = (await s.exec(select(Snapshot).order_by(Snapshot.captured_at))).all()
        # Evidence: the first snapshot's part hash is the SHA-256 of the bytes served.
        assert snapshots[0].parts[0]["sha256"] == sha256_hex(v1)
    finally:
        hook.stop()
        mail.stop()
        site.stop()

    assert len(hook.received) == 1, "one change, one webhook"
    delivery = hook.received[0]
    # Verify the signature ourselves with the standardwebhooks package, not only the receiver's flag.
    Webhook(endpoint.secret).verify(delivery.body, delivery.headers)
    event = json.loads(delivery.body)
    assert event["specversion"] == "1.0"
    assert event["type"].startswith("org.clausewatch.")
    assert event["subject"] == DOCUMENT_ID
    assert delivery.headers["webhook-id"]
    data = event["data"]
    assert data["document_id"] == DOCUMENT_ID
    assert data["severity"] == "high"
    assert "ai_training_on_user_content" in data["clause_types"]
    assert "gdpr" in data["regulations"]
    changed_text = " ".join((c.get("new_text") or "") for c in data["changes"])
    assert "train, improve, and develop our AI models" in changed_text
    assert any("18 months" in (c.get("new_text") or "") for c in data["changes"]), "retention change reported"

    assert len(mail.messages) == 1
    message = mail.messages[0]
    assert message["To"] == "analyst@example.org"
    assert "Acme AI" in message["Subject"]
    assert message["List-Unsubscribe"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "train, improve, and develop our AI models" in text
    assert "high" in text.lower()
    assert "/changes/" in text
