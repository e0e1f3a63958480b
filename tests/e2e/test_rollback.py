"""A page that goes back to its earlier text travels fetcher → differ → analyzer → notifier: held while it may be a
stale copy, and once kept, reported as a return to that text (decisions 0155, 0156)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from standardwebhooks.webhooks import Webhook

from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_shared.models import CaptureFailure, ChangeSet, Document, Version
from tests.support.nats import NatsServer
from tests.support.pipeline import request_capture, running_system, wait_for, write_catalogue
from tests.support.sites import VersionedSite

PAGES = Path(__file__).parent / "pages"
DOCUMENT_ID = "acme-ai/privacy-policy"


@dataclass
class Played:
    """What the system recorded and sent for March's text, May's, then March's again."""

    versions: list[Version]
    change_sets: list[ChangeSet]
    failures: list[CaptureFailure]
    webhooks: list[Any]
    emails: list[Any]
    secret: str


async def _march_may_march(tmp_path: Path, nats_url: str, fetcher: dict[str, Any]) -> Played:
    site = VersionedSite()
    march = (PAGES / "acme-privacy-v1.html").read_bytes()  # "Last updated: March 3, 2026"
    site.set("/privacy", march)
    site.start()
    mail, hook = MailSink(), WebhookReceiver(secret="")
    mail.start()
    hook.start()
    document = {
        "type": "Privacy Policy",
        "urls": [site.url("/privacy")],
        "select": ["main"],
        "javascript": False,
    }
    catalogue = write_catalogue(
        tmp_path / "catalogue.yaml",
        [{"id": "acme-ai", "name": "Acme AI", "jurisdictions": ["EU", "US"], "documents": [document]}],
    )
    try:
        async with running_system(
            tmp_path / "data",
            nats_url,
            catalogue=catalogue,
            smtp_port=mail.port,
            overrides={"fetcher": fetcher},
        ) as system:
            db = system.runtime.db

            async def count(model: type) -> int:
                async with db.session() as s:
                    return int((await s.exec(select(func.count()).select_from(model))).one())

            await wait_for(lambda: count(Document), what="the catalogue to be synced")
            created = await management.create_subscriber(db, "analyst@example.org", tier="compliance")
            await management.follow(db, created.subscriber.id, "acme-ai")
            endpoint = await management.register_endpoint(
                db, system.settings["notifier"], created.subscriber.id, hook.url
            )
            hook.secret = endpoint.secret
            await request_capture(system, DOCUMENT_ID, "slot-1")
            await wait_for(lambda: count(Version), what="the first version")
            site.set("/privacy", (PAGES / "acme-privacy-v2.html").read_bytes())  # "Last updated: 2026-05-05"
            await request_capture(system, DOCUMENT_ID, "slot-2")
            await wait_for(
                lambda: len(hook.received) >= 1 and len(mail.messages) >= 1, timeout=60, what="alert 1"
            )
            site.set("/privacy", march)
            await request_capture(system, DOCUMENT_ID, "slot-3")

            async def third_handled() -> bool:
                return await count(CaptureFailure) >= 1 or (
                    len(hook.received) >= 2 and len(mail.messages) >= 2
                )

            await wait_for(third_handled, timeout=60, what="the third capture's outcome")
            async with db.session() as s:
                played = Played(
                    list((await s.exec(select(Version).order_by(col(Version.created_at)))).all()),
                    list((await s.exec(select(ChangeSet).order_by(col(ChangeSet.created_at)))).all()),
                    list((await s.exec(select(CaptureFailure))).all()),
                    list(hook.received),
                    list(mail.messages),
                    endpoint.secret,
                )
    finally:
        hook.stop()
        mail.stop()
        site.stop()
    for delivery in played.webhooks:
        Webhook(played.secret).verify(delivery.body, delivery.headers)
    return played


async def test_an_older_copy_is_held_and_nothing_is_sent_for_it(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    """March's text after May's, with March's date: the fetcher records a failure, not a version; one alert only."""
    played = await _march_may_march(tmp_path, nats_server.url, {})
    assert [f.cause for f in played.failures] == ["older_copy"]
    assert len(played.versions) == 2
    assert (len(played.webhooks), len(played.emails)) == (1, 1)


async def test_a_kept_rollback_is_reported_as_a_return_to_the_earlier_text(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    """The hold off (as once its day has passed): the second alert's subject, first line and webhook name the March
    version it restores; the first alert restores nothing."""
    played = await _march_may_march(tmp_path, nats_server.url, {"older_copy_confirm_seconds": 0})
    assert played.failures == []
    assert len(played.versions) == 3
    assert [cs.restores_version_id for cs in played.change_sets] == [None, played.versions[0].id]
    first, second = (json.loads(d.body)["data"] for d in played.webhooks)
    assert first["restores_version_id"] is None
    assert second["restores_version_id"] == played.versions[0].id
    back = f"back to its {played.versions[0].created_at:%d %b %Y} text"
    assert back not in played.emails[0]["Subject"]
    assert back in played.emails[1]["Subject"]
    text = played.emails[1].get_body(preferencelist=("plain",)).get_content()
    assert f"Back to its text of {played.versions[0].created_at:%d %b %Y}, word for word" in text
