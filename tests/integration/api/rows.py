"""Rows written straight into the tables, for the API's smoke tests only (the page tests use the real pipeline)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.ids import sha256_hex
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Provision,
    ProvisionAssessment,
    Snapshot,
    Subscriber,
    Version,
)

OLD = "We may use your prompts to improve our services."
NEW = "We may use your prompts and generated images to train our AI models. You may opt out by emailing privacy@acme.test."
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def write_rows(db: Database, blobs: BlobStore) -> dict[str, str]:
    """Write one platform, one document with two versions, a change set with an assessed change; return ids."""
    raw1, raw2 = f"<p>{OLD}</p>".encode(), f"<p>{NEW}</p>".encode()
    k1, k2 = await blobs.put(raw1), await blobs.put(raw2)
    ids = {
        "platform": "acme",
        "document": "acme/privacy-policy",
        "cs": "cs-1",
        "p2": "prov-2",
        "key": "key-train",
    }
    async with db.session() as s:
        s.add(
            Platform(
                id="acme",
                name="Acme AI",
                website="https://acme.test",
                jurisdictions=["EU"],
                categories=["ai"],
            )
        )
        s.add(Platform(id="other", name="Other Co", jurisdictions=[], categories=[]))
    async with db.session() as s:
        s.add(
            Document(
                id="acme/privacy-policy",
                platform_id="acme",
                doc_type="privacy-policy",
                title="Acme Privacy Policy",
                urls=["https://acme.test/privacy"],
                last_captured_at=T0 + timedelta(days=1),
            )
        )
    async with db.session() as s:
        for sid, key, at in (("snap-1", k1, T0), ("snap-2", k2, T0 + timedelta(days=1))):
            part = {
                "url": "https://acme.test/privacy",
                "final_url": "https://acme.test/privacy",
                "sha256": key,
                "content_type": "text/html",
                "size": 10,
                "status": 200,
            }
            s.add(
                Snapshot(
                    id=sid,
                    document_id="acme/privacy-policy",
                    sha256=sha256_hex(key.encode()),
                    parts=[part],
                    fetcher="http",
                    captured_at=at,
                )
            )
    async with db.session() as s:
        s.add(
            Version(
                id="v-1",
                document_id="acme/privacy-policy",
                snapshot_id="snap-1",
                text=OLD,
                text_sha256=sha256_hex(OLD.encode()),
                extractor_version="1",
                provision_count=1,
                created_at=T0,
            )
        )
        s.add(
            Version(
                id="v-2",
                document_id="acme/privacy-policy",
                snapshot_id="snap-2",
                previous_version_id="v-1",
                text=NEW,
                text_sha256=sha256_hex(NEW.encode()),
                extractor_version="1",
                provision_count=1,
                created_at=T0 + timedelta(days=1),
            )
        )
    async with db.session() as s:
        s.add(
            Provision(
                id="prov-1",
                version_id="v-1",
                document_id="acme/privacy-policy",
                key="key-train",
                ordinal=0,
                kind="paragraph",
                heading_path=["How we use data"],
                text=OLD,
                text_sha256=sha256_hex(OLD.encode()),
            )
        )
        s.add(
            Provision(
                id="prov-2",
                version_id="v-2",
                document_id="acme/privacy-policy",
                key="key-train",
                ordinal=0,
                kind="paragraph",
                heading_path=["How we use data"],
                text=NEW,
                text_sha256=sha256_hex(NEW.encode()),
            )
        )
        s.add(
            ChangeSet(
                id="cs-1",
                document_id="acme/privacy-policy",
                version_id="v-2",
                previous_version_id="v-1",
                substantive=True,
                counts={"modified": 1},
                summary="1 provision modified",
                created_at=T0 + timedelta(days=1),
            )
        )
    async with db.session() as s:
        s.add(
            Change(
                id="ch-1",
                change_set_id="cs-1",
                document_id="acme/privacy-policy",
                ordinal=0,
                kind="modified",
                significance="substantive",
                provision_key="key-train",
                old_provision_id="prov-1",
                new_provision_id="prov-2",
                heading_path=["How we use data"],
                old_text=OLD,
                new_text=NEW,
                hints=["expanded"],
                summary="Training use expanded",
                diff=[],
            )
        )
        s.add(
            ProvisionAssessment(
                id="pa-2",
                provision_id="prov-2",
                provision_key="key-train",
                version_id="v-2",
                document_id="acme/privacy-policy",
                platform_id="acme",
                clause_types=[{"id": "ai-training", "label": "AI model training", "confidence": 0.9}],
                primary_clause_type="ai-training",
                severity="high",
                confidence=0.85,
                reasons=["Content is used to train models by default"],
                evidence=["train our AI models"],
                regulations=["gdpr", "eu-ai-act"],
                opt_outs=[{"kind": "email", "value": "privacy@acme.test"}],
                texts={"why_it_matters": "Default-on training use of user content."},
                model_version="test-1",
            )
        )
    async with db.session() as s:
        s.add(
            ChangeAssessment(
                id="ca-1",
                change_id="ch-1",
                change_set_id="cs-1",
                document_id="acme/privacy-policy",
                platform_id="acme",
                clause_types=["ai-training"],
                severity_before="medium",
                severity_after="high",
                severity="high",
                confidence=0.8,
                escalation="escalated",
                regulations=["gdpr"],
                reasons=["Adds training on generated images"],
                description="Expanded with an explicit opt-out; severity escalated from medium to high",
            )
        )
        s.add(
            Subscriber(
                id="sub-1", email="a@example.test", tier="free", unsubscribe_token="tok-123", confirmed_at=T0
            )
        )
    return ids
