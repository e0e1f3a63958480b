"""PostgreSQL stopped for 10 s in the middle of a change: the pipeline retries through the outage, and the change is
alerted exactly once when the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from clausewatch import services
from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.models import Document, Version
from clausewatch_shared.runtime import Runtime
from clausewatch_shared.settings import CommonSettings, load_settings
from tests.integration.faults.pgcluster import Cluster, postgres_bin
from tests.integration.faults.rig import policy_page
from tests.support.nats import NatsServer
from tests.support.pipeline import request_capture, wait_for, write_catalogue
from tests.support.sites import VersionedSite

DOC = "outage/privacy-policy"
OUTAGE_SECONDS = 10


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster on a free port, with an empty `clausewatch` database."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (install postgresql)")
    c = Cluster.create(bin_dir)
    try:
        c.start()
        c.create_database()
        yield c
    finally:
        c.destroy()


async def test_a_ten_second_database_outage_loses_no_change_and_sends_none_twice(
    tmp_path: Path, nats_server: NatsServer, cluster: Cluster
) -> None:
    """A change captured while PostgreSQL is down for 10 s is alerted once after it returns, and the next change too."""
    site = VersionedSite()
    site.set("/p", policy_page(DOC, 1))
    site.start()
    mail, hook = MailSink(), WebhookReceiver(secret="")
    mail.start()
    hook.start()
    catalogue = write_catalogue(
        tmp_path / "catalogue.yaml",
        [
            {
                "id": "outage",
                "name": "Outage",
                "documents": [
                    {
                        "type": "Privacy Policy",
                        "urls": [site.url("/p")],
                        "select": ["main"],
                        "javascript": False,
                    }
                ],
            }
        ],
    )
    common: dict[str, Any] = {
        "nats_url": nats_server.url,
        "database_url": cluster.url,
        "blob_store": "filesystem",
        "blob_dir": tmp_path / "blobs",
        "retry_backoff_seconds": 1.0,
        "max_deliveries": 8,
    }
    per_service: dict[str, dict[str, Any]] = {
        "fetcher": {"catalogue_path": catalogue, "schedule_enabled": False, "min_host_delay_seconds": 0.0},
        "differ": {},
        "analyzer": {},
        "notifier": {
            "smtp_port": mail.port,
            "allow_private_webhook_targets": True,
            "require_https": False,
            "delivery_tick_seconds": 0.2,
            "retry_schedule_seconds": (0.5, 1.0, 2.0, 4.0, 8.0),
        },
    }
    await upgrade_async(cluster.url)
    runtime = Runtime.create(load_settings(CommonSettings, **common), "faults")
    notifier_settings = None
    for name, extra in per_service.items():
        settings = services.load_service_settings(name, **common, **extra)
        services.register(name, runtime, settings)
        if name == "notifier":
            notifier_settings = settings
    app = runtime.app()
    await app.start()
    db = runtime.db

    async def count(model: type) -> int:
        async with db.session() as s:
            return int((await s.exec(select(func.count()).select_from(model))).one())

    try:
        await wait_for(lambda: count(Document), timeout=60, what="catalogue sync")
        created = await management.create_subscriber(db, "analyst@example.org", tier="compliance")
        await management.follow(db, created.subscriber.id, "outage")
        assert notifier_settings is not None
        endpoint = await management.register_endpoint(db, notifier_settings, created.subscriber.id, hook.url)  # type: ignore[arg-type]
        hook.secret = endpoint.secret or ""

        await request_capture_bus(runtime, "slot-1")
        await wait_for(lambda: count(Version), timeout=60, what="version 1")

        cluster.stop()
        site.set("/p", policy_page(DOC, 2))
        await request_capture_bus(runtime, "slot-2")
        await asyncio.sleep(OUTAGE_SECONDS)
        cluster.start()

        await wait_for(
            lambda: len(hook.received) >= 1 and len(mail.messages) >= 1, timeout=120, what="alert 1"
        )
        site.set("/p", policy_page(DOC, 3))
        await request_capture_bus(runtime, "slot-3")
        await wait_for(
            lambda: len(hook.received) >= 2 and len(mail.messages) >= 2, timeout=120, what="alert 2"
        )
        await asyncio.sleep(3)  # a redelivered duplicate would arrive within this many delivery ticks
    finally:
        await app.stop()
        hook.stop()
        mail.stop()
        site.stop()

    change_sets = [r.json["data"]["change_set_id"] for r in hook.received if r.verified]
    print(
        f"PG-OUTAGE-TALLY outage_s={OUTAGE_SECONDS} webhooks={len(hook.received)} "
        f"change_sets={len(set(change_sets))} mails={len(mail.messages)}"
    )
    assert len(change_sets) == 2
    assert len(set(change_sets)) == 2
    assert len(mail.messages) == 2


async def request_capture_bus(runtime: Runtime, slot: str) -> None:
    """Ask for a capture as the scheduler would (through the runtime's broker)."""

    class _System:  # request_capture only needs `.runtime`
        pass

    system = _System()
    system.runtime = runtime  # type: ignore[attr-defined]
    await request_capture(system, DOC, slot)  # type: ignore[arg-type]
