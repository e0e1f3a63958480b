"""A service killed with SIGKILL between two events and restarted loses nothing and sends nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import nats
import pytest
from sqlalchemy import func
from sqlmodel import select

from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_shared.models import ChangeSet, Document, Version
from clausewatch_shared.streams import NOTIFIER_ASSESSMENTS
from tests.support.nats import NatsServer
from tests.support.pipeline import request_capture, running_system, wait_for, write_catalogue
from tests.support.processes import stop_gracefully
from tests.support.sites import VersionedSite

PAGES = Path(__file__).parents[2] / "e2e" / "pages"
DOCUMENT_ID = "acme-ai/privacy-policy"
ALL = ("fetcher", "differ", "analyzer", "notifier")


def _service_process(service: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "clausewatch"), "run", service]
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


async def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return int((await s.exec(select(func.count()).select_from(model))).one())


@pytest.mark.parametrize("victim", ["differ", "analyzer", "notifier"])
async def test_a_service_killed_between_events_loses_nothing_and_sends_nothing_twice(
    victim: str, tmp_path: Path, nats_server: NatsServer
) -> None:
    """With one service in its own process, SIGKILL after the first change and a restart before the second: every
    change is alerted exactly once by webhook and by e-mail."""
    site = VersionedSite()
    v1 = (PAGES / "acme-privacy-v1.html").read_text()
    v2 = (PAGES / "acme-privacy-v2.html").read_text()
    v3 = v2.replace(
        "with service providers who process it on our behalf under contract",
        "with service providers, advertising partners and data brokers, who may use it for their own purposes",
    )
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
    data_dir = tmp_path / "data"
    env = {
        "CLAUSEWATCH_NATS_URL": nats_server.url,
        "CLAUSEWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'clausewatch.db'}",
        "CLAUSEWATCH_BLOB_DIR": str(data_dir / "blobs"),
        "CLAUSEWATCH_LOG_FORMAT": "json",
        "CLAUSEWATCH_SMTP_HOST": "127.0.0.1",
        "CLAUSEWATCH_SMTP_PORT": str(mail.port),
        "CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
        "CLAUSEWATCH_REQUIRE_HTTPS": "false",
        "CLAUSEWATCH_DELIVERY_TICK_SECONDS": "0.2",
        "CLAUSEWATCH_OPS_PORT": "0",
    }
    log = tmp_path / f"{victim}.log"
    in_process = tuple(s for s in ALL if s != victim)
    process: subprocess.Popen[bytes] | None = None
    try:
        async with running_system(
            data_dir, nats_server.url, catalogue=catalogue, smtp_port=mail.port, services=in_process
        ) as system:
            db = system.runtime.db
            await wait_for(lambda: _count(db, Document), what="catalogue sync")
            process = _service_process(victim, env, log)
            created = await management.create_subscriber(db, "analyst@example.org", tier="compliance")
            await management.follow(db, created.subscriber.id, "acme-ai")
            notifier_settings = system.settings.get("notifier")
            if notifier_settings is None:
                from clausewatch_notifier.settings import NotifierSettings

                notifier_settings = NotifierSettings(allow_private_webhook_targets=True, require_https=False)
            endpoint = await management.register_endpoint(
                db, notifier_settings, created.subscriber.id, hook.url
            )
            assert endpoint.secret
            hook.secret = endpoint.secret

            await request_capture(system, DOCUMENT_ID, "slot-1")
            await wait_for(lambda: _count(db, Version), timeout=60, what="first version")
            site.set("/privacy", v2)
            await request_capture(system, DOCUMENT_ID, "slot-2")
            await wait_for(
                lambda: len(hook.received) >= 1 and len(mail.messages) >= 1, timeout=60, what="alert 1"
            )

            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)

            site.set("/privacy", v3)
            await request_capture(system, DOCUMENT_ID, "slot-3")
            if victim != "differ":
                await wait_for(
                    lambda: _count_equals(db, ChangeSet, 2),
                    timeout=60,
                    what="second change set while the victim is down",
                )
            process = _service_process(victim, env, log)
            await wait_for(
                lambda: len(hook.received) >= 2 and len(mail.messages) >= 2, timeout=90, what="alert 2"
            )
            await _wait_until_drained(nats_server.url)
            assert await _count(db, ChangeSet) == 2
    finally:
        if process is not None:
            stop_gracefully(process, timeout=20)
        hook.stop()
        mail.stop()
        site.stop()

    webhook_ids = [r.headers["webhook-id"] for r in hook.received]
    assert len(webhook_ids) == 2, log.read_text()[-3000:]
    assert len(set(webhook_ids)) == 2
    assert all(r.verified for r in hook.received)
    change_sets = {r.json["data"]["change_set_id"] for r in hook.received}
    assert len(change_sets) == 2
    assert len(mail.messages) == 2
    assert any(
        "data brokers" in " ".join(c.get("new_text") or "" for c in r.json["data"]["changes"])
        for r in hook.received
    )


async def _count_equals(db, model, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return await _count(db, model) == expected


async def _wait_until_drained(nats_url: str) -> None:
    """Wait until the notifier's consumer has nothing pending or in flight: any duplicate would have been sent."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()

        async def drained() -> bool:
            info = await js.consumer_info(NOTIFIER_ASSESSMENTS.stream.name, NOTIFIER_ASSESSMENTS.durable)
            return (info.num_pending or 0) == 0 and (info.num_ack_pending or 0) == 0

        await wait_for(drained, timeout=60, what="the notifier's consumer to drain")
    finally:
        await nc.close()
