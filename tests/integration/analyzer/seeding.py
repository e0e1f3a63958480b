"""Rows the analyzer reads (platform, document, snapshot, two versions with provisions, a change set), seeded
directly in a migrated database as the fetcher and differ would have written them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeCounts, ChangeDetected, VersionRecorded
from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.models import Change, ChangeSet, Document, Platform, Provision, Snapshot, Version

OLD_TRAINING = (
    "We may use the content you generate, upload, or submit through our Services, including prompts and generated "
    "images, to improve our Services."
)
NEW_TRAINING = (
    "We may use the content you generate, upload, or submit through our Services, including prompts and generated "
    "images, to train, improve, and develop our AI models and Services. If you do not want your content used for "
    "this purpose, you may opt out by contacting us at privacy@leonardo.ai."
)
ARBITRATION = "All disputes shall be resolved exclusively by final and binding arbitration in San Francisco, California."
RETENTION = "We retain your personal information for as long as your account is active."


@dataclass(frozen=True)
class Seeded:
    """Ids of what was seeded, and the events the differ would have published."""

    old_version: str
    new_version: str
    change_set: str
    changes: list[str]
    version_recorded: VersionRecorded
    change_detected: ChangeDetected


def _provisions(version_id: str, texts: dict[str, str]) -> list[Provision]:
    return [
        Provision(
            id=f"{version_id}-p{i}",
            version_id=version_id,
            document_id="leonardo-ai/privacy-policy",
            key=key,
            ordinal=i,
            kind="paragraph",
            heading_path=["Privacy Policy"],
            text=text,
            text_sha256=sha256_hex(text.encode()),
        )
        for i, (key, text) in enumerate(texts.items())
    ]


async def seed(db: Database, *, platform_jurisdictions: list[str] | None = None) -> Seeded:
    """Seed one platform whose privacy policy gained an AI-training clause with an email opt-out."""
    now = utcnow()
    async with db.session() as s:
        s.add(Platform(id="leonardo-ai", name="Leonardo AI", jurisdictions=platform_jurisdictions or []))
        s.add(Platform(id="other", name="Other Co"))
        await s.flush()
        s.add(
            Document(
                id="leonardo-ai/privacy-policy",
                platform_id="leonardo-ai",
                doc_type="privacy-policy",
                title="Leonardo AI Privacy Policy",
                urls=["http://127.0.0.1/privacy"],
            )
        )
        await s.flush()
        for sid in ("snap-1", "snap-2"):
            s.add(
                Snapshot(
                    id=sid,
                    document_id="leonardo-ai/privacy-policy",
                    sha256="0" * 64,
                    fetcher="http",
                    captured_at=now,
                )
            )
        await s.flush()
        old = {"training": OLD_TRAINING, "arbitration": ARBITRATION}
        new = {"training": NEW_TRAINING, "arbitration": ARBITRATION, "retention": RETENTION}
        for vid, sid, texts, prev, at in (
            ("v1", "snap-1", old, None, now - timedelta(days=40)),
            ("v2", "snap-2", new, "v1", now - timedelta(days=1)),
        ):
            s.add(
                Version(
                    id=vid,
                    document_id="leonardo-ai/privacy-policy",
                    snapshot_id=sid,
                    previous_version_id=prev,
                    text="\n\n".join(texts.values()),
                    text_sha256=sha256_hex("\n\n".join(texts.values()).encode()),
                    extractor_version="test",
                    provision_count=len(texts),
                    created_at=at,
                )
            )
            await s.flush()
            s.add_all(_provisions(vid, texts))
        await s.flush()
        s.add(
            ChangeSet(
                id="cs-1",
                document_id="leonardo-ai/privacy-policy",
                version_id="v2",
                previous_version_id="v1",
                substantive=True,
                counts={"added": 1, "modified": 1},
                summary="1 provision modified, 1 added",
                created_at=now - timedelta(days=1),
            )
        )
        await s.flush()
        s.add_all(
            [
                Change(
                    id="ch-1",
                    change_set_id="cs-1",
                    document_id="leonardo-ai/privacy-policy",
                    ordinal=0,
                    kind="modified",
                    significance="substantive",
                    provision_key="training",
                    old_provision_id="v1-p0",
                    new_provision_id="v2-p0",
                    old_text=OLD_TRAINING,
                    new_text=NEW_TRAINING,
                    summary="modified",
                ),
                Change(
                    id="ch-2",
                    change_set_id="cs-1",
                    document_id="leonardo-ai/privacy-policy",
                    ordinal=1,
                    kind="added",
                    significance="substantive",
                    provision_key="retention",
                    new_provision_id="v2-p2",
                    new_text=RETENTION,
                    summary="added",
                ),
            ]
        )
    common = {
        "correlation_id": "corr-1",
        "document_id": "leonardo-ai/privacy-policy",
        "platform_id": "leonardo-ai",
    }
    recorded = VersionRecorded(
        **common,
        version_id="v2",
        snapshot_id="snap-2",
        text_sha256="1" * 64,
        previous_version_id="v1",
        provision_count=3,
    )
    detected = ChangeDetected(
        **common,
        change_set_id="cs-1",
        version_id="v2",
        previous_version_id="v1",
        substantive=True,
        counts=ChangeCounts(added=1, modified=1),
        change_ids=["ch-1", "ch-2"],
        summary="1 provision modified, 1 added",
    )
    return Seeded("v1", "v2", "cs-1", ["ch-1", "ch-2"], recorded, detected)
