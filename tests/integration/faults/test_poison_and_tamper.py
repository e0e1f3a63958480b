"""Poison events are dead-lettered after bounded tries while the pipeline keeps working, and a tampered blob is
refused (never diffed into a false change)."""

from __future__ import annotations

import json
from pathlib import Path

import nats
import pytest
from sqlalchemy import func
from sqlmodel import select

from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_shared import subjects
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.clock import utcnow
from clausewatch_shared.events import SnapshotCaptured, SnapshotPart
from clausewatch_shared.ids import new_id, sha256_hex
from clausewatch_shared.models import ChangeSet, Document, Version
from tests.integration.faults.rig import dead_letters, policy_page
from tests.support.nats import NatsServer
from tests.support.pipeline import request_capture, running_system, wait_for, write_catalogue
from tests.support.sites import VersionedSite

MAX_DELIVERIES = 3
DOC = "poison/privacy-policy"
NOW = "2026-11-22T05:00:00Z"
SHA = "0" * 64


def _poison() -> list[tuple[str, bytes, str]]:
    """(subject, body, consuming service) of each poison message: bad JSON, wrong schema, dangling references."""
    cid = new_id()
    return [
        (subjects.SNAPSHOT_CAPTURED, b"\x00\xffnot json at all", "differ"),
        (subjects.SNAPSHOT_CAPTURED, b'{"schema_version": 1, "event_id": "x"}', "differ"),
        (
            subjects.VERSION_RECORDED,
            json.dumps({"schema_version": 2, "event_id": new_id(), "correlation_id": cid}).encode(),
            "analyzer",
        ),
        (subjects.CHANGE_ASSESSED, b"[1, 2, 3]", "notifier"),
        (
            subjects.CAPTURE_REQUESTED,
            json.dumps(
                {"event_id": new_id(), "correlation_id": cid, "document_id": "nobody/nothing", "slot": "s1"}
            ).encode(),
            "fetcher",
        ),
        (
            subjects.SNAPSHOT_CAPTURED,
            json.dumps(
                {
                    "event_id": new_id(),
                    "correlation_id": cid,
                    "document_id": "nobody/nothing",
                    "platform_id": "nobody",
                    "snapshot_id": "snap-missing",
                    "sha256": SHA,
                    "parts": [
                        {
                            "url": "http://127.0.0.1:9/x",
                            "final_url": "http://127.0.0.1:9/x",
                            "sha256": SHA,
                            "content_type": "text/html",
                            "size": 1,
                            "status": 200,
                        }
                    ],
                    "fetcher": "http",
                    "captured_at": NOW,
                }
            ).encode(),
            "differ",
        ),
        (
            subjects.CHANGE_DETECTED,
            json.dumps(
                {
                    "event_id": new_id(),
                    "correlation_id": cid,
                    "document_id": "nobody/nothing",
                    "platform_id": "nobody",
                    "change_set_id": "cs-missing",
                    "version_id": "v-missing",
                    "previous_version_id": "v-older",
                    "substantive": True,
                    "counts": {"added": 1},
                    "change_ids": ["c-missing"],
                    "summary": "a change set nobody recorded",
                }
            ).encode(),
            "analyzer",
        ),
    ]


async def _publish_raw(url: str, subject: str, body: bytes) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(subject, body, headers={"Nats-Msg-Id": new_id()})
    finally:
        await nc.close()


async def test_poison_is_dead_lettered_in_bounded_tries_and_a_tampered_blob_is_refused(
    tmp_path: Path, nats_server: NatsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seven poison messages end in the dead-letter stream within max_deliveries tries each, a snapshot whose blob was tampered with is refused, and real changes before and after are alerted exactly once."""
    monkeypatch.setenv("CLAUSEWATCH_MAX_DELIVERIES", str(MAX_DELIVERIES))
    monkeypatch.setenv("CLAUSEWATCH_RETRY_BACKOFF_SECONDS", "0.1")
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
                "id": "poison",
                "name": "Poison",
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
    data = tmp_path / "data"
    try:
        async with running_system(data, nats_server.url, catalogue=catalogue, smtp_port=mail.port) as system:
            db = system.runtime.db

            async def count(model: type) -> int:
                async with db.session() as s:
                    return int((await s.exec(select(func.count()).select_from(model))).one())

            await wait_for(lambda: count(Document), what="catalogue sync")
            created = await management.create_subscriber(db, "analyst@example.org", tier="compliance")
            await management.follow(db, created.subscriber.id, "poison")
            endpoint = await management.register_endpoint(
                db, system.settings["notifier"], created.subscriber.id, hook.url
            )
            hook.secret = endpoint.secret or ""

            poison = _poison()
            for subject, body, _ in poison:
                await _publish_raw(nats_server.url, subject, body)
            await request_capture(system, DOC, "slot-1")
            await wait_for(lambda: count(Version), timeout=60, what="version 1")
            site.set("/p", policy_page(DOC, 2))
            await request_capture(system, DOC, "slot-2")
            await wait_for(lambda: len(hook.received) >= 1, timeout=60, what="the alert for version 2")

            # Tamper: a snapshot's blob is corrupted at rest after it was stored and before the differ reads it.
            # The test stands in for the fetcher here (store the bytes, announce the snapshot) so that the
            # corruption lands in that window deterministically; the differ must refuse the snapshot.
            v3 = policy_page(DOC, 3)
            store = FilesystemBlobStore(data / "blobs")
            key = await store.put(v3)
            store.path_for(key).write_bytes(v3.replace(b"Privacy Policy", b"Privacy Po1icy"))
            url = site.url("/p")
            await system.runtime.bus("test").publish(
                SnapshotCaptured(
                    correlation_id=new_id(),
                    document_id=DOC,
                    platform_id="poison",
                    snapshot_id=new_id(),
                    sha256=sha256_hex(key.encode()),
                    parts=[
                        SnapshotPart(
                            url=url,
                            final_url=url,
                            sha256=key,
                            content_type="text/html; charset=utf-8",
                            size=len(v3),
                            status=200,
                        )
                    ],
                    fetcher="http",
                    captured_at=utcnow(),
                )
            )

            expected = len(poison) + 1
            await wait_for(
                lambda: _at_least(dead_letters(nats_server.url), expected),
                timeout=90,
                what=f"{expected} dead letters",
            )
            # After the refusal the document moves on: version 4 is compared with version 2 and alerted once.
            site.set("/p", policy_page(DOC, 4))
            await request_capture(system, DOC, "slot-4")
            await wait_for(lambda: len(hook.received) >= 2, timeout=60, what="the alert for version 4")
            letters = await dead_letters(nats_server.url)
            versions = await count(Version)
            change_sets = await count(ChangeSet)
    finally:
        hook.stop()
        mail.stop()
        site.stop()

    print(
        f"POISON-TALLY poison={len(poison)} dead_letters={len(letters)} "
        f"max_tries={max(int(d['deliveries']) for d in letters)} webhooks={len(hook.received)}"
    )
    assert len(letters) == len(poison) + 1, [(d["service"], d["reason"]) for d in letters]
    assert all(int(d["deliveries"]) <= MAX_DELIVERIES for d in letters)
    by_service = sorted(str(d["service"]) for d in letters)
    assert by_service == sorted([s for _, _, s in poison] + ["differ"])
    tampered = [d for d in letters if "fails its hash check" in str(d["reason"])]
    assert len(tampered) == 1, [d["reason"] for d in letters]
    assert versions == 3, "versions 1, 2 and 4; the tampered snapshot made none"
    assert change_sets == 2
    assert len(hook.received) == 2
    assert len({r.json["data"]["change_set_id"] for r in hook.received}) == 2
    assert all(r.verified for r in hook.received)


async def _at_least(letters_coro, n: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await letters_coro) >= n
