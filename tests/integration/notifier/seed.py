"""Rows the notifier reads, written as the fetcher, differ and analyzer would: platform to assessed change set."""

from __future__ import annotations

from datetime import date, datetime

from clausewatch_notifier import management
from clausewatch_notifier.schemas import SubscriberCreated
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.events import ChangeAssessed
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Snapshot,
    Version,
)


async def add_platform(db: Database, platform_id: str = "leonardo-ai", name: str = "Leonardo AI") -> None:
    """Insert a platform and its privacy policy document."""
    async with db.session() as s:
        s.add(Platform(id=platform_id, name=name, website=f"https://{platform_id}.example"))
        await s.flush()
        s.add(
            Document(
                id=f"{platform_id}/privacy-policy",
                platform_id=platform_id,
                doc_type="privacy-policy",
                title="Privacy Policy",
                urls=[f"https://{platform_id}.example/privacy"],
            )
        )


NAMES = {
    "ai_training": "AI model training on user content and prompts",
    "gdpr-art-6": "GDPR",
    "eu-ai-act": "EU AI Act",
}


async def add_change_set(
    db: Database,
    platform_id: str = "leonardo-ai",
    n: int = 1,
    *,
    severity: str = "high",
    clause_types: tuple[str, ...] = ("ai_training",),
    regulations: tuple[str, ...] = ("gdpr-art-6", "eu-ai-act"),
    at: datetime | None = None,
    restores_at: datetime | None = None,
    announces: date | None = None,
    takes_effect: date | None = None,
    alternates: bool = False,
    provision_key: str | None = None,
) -> ChangeAssessed:
    """Insert a version pair, a change set with one modified provision and its assessment; return the event.

    `restores_at`: an earlier version with the new text, recorded then, that the change set restores (0156);
    `announces`: the date of a coming version the change set's version announces, `takes_effect`: the date of an
    announced version the change set's version is the first in force under (0157); `alternates`: the page goes back
    and forth (with `restores_at`, 0162); `provision_key`: the changed provision's stable key (0172)."""
    at = at or utcnow()
    document_id = f"{platform_id}/privacy-policy"
    tag = f"{platform_id}-{n}"
    # (suffix, text, previous): "0", the earlier version with the new text, only when the set restores it.
    editions = [("0", "new", None)] if restores_at else []
    editions += [("a", "old", None), ("b", "new", f"ver-{tag}-a")]
    async with db.session() as s:
        for v, _, _ in editions:
            s.add(
                Snapshot(
                    id=f"snap-{tag}-{v}",
                    document_id=document_id,
                    sha256="0" * 64,
                    parts=[],
                    fetcher="http",
                    captured_at=at,
                )
            )
        await s.flush()
        for suffix, text, previous in editions:
            s.add(
                Version(
                    id=f"ver-{tag}-{suffix}",
                    document_id=document_id,
                    snapshot_id=f"snap-{tag}-{suffix}",
                    text=text,
                    text_sha256=("2" if text == "new" else "1") * 64,
                    extractor_version="1",
                    previous_version_id=previous,
                    **({"created_at": restores_at} if suffix == "0" else {}),
                )
            )
        await s.flush()
        s.add(
            ChangeSet(
                id=f"cs-{tag}",
                document_id=document_id,
                version_id=f"ver-{tag}-b",
                previous_version_id=f"ver-{tag}-a",
                substantive=True,
                counts={"modified": 1},
                summary="AI training on prompts now opt-out only",
                created_at=at,
                restores_version_id=f"ver-{tag}-0" if restores_at else None,
                announces_effective_date=announces,
                takes_effect_date=takes_effect,
                alternates=alternates,
            )
        )
        await s.flush()
        s.add(
            Change(
                id=f"ch-{tag}",
                change_set_id=f"cs-{tag}",
                document_id=document_id,
                ordinal=0,
                kind="modified",
                significance="substantive",
                heading_path=["How we use your information", "AI training"],
                provision_key=provision_key,
                old_text="We may use your prompts to improve our services.",
                new_text="We use your prompts and generated images to train our AI models unless you opt out "
                "by emailing privacy@leonardo.ai.",
                summary="Prompts and images used for AI training; opt-out by e-mail",
                diff=[
                    ["equal", "We "],
                    ["delete", "may use your prompts to improve our services."],
                    [
                        "insert",
                        "use your prompts and generated images to train our AI models unless you opt out "
                        "by emailing privacy@leonardo.ai.",
                    ],
                ],
            )
        )
        await s.flush()
        s.add(
            ChangeAssessment(
                id=f"ca-{tag}",
                change_id=f"ch-{tag}",
                change_set_id=f"cs-{tag}",
                document_id=document_id,
                platform_id=platform_id,
                clause_types=list(clause_types),
                severity_before="medium",
                severity_after=severity,
                severity=severity,
                escalation="escalated",
                regulations=list(regulations),
                description="Expanded with an explicit opt-out mechanism; severity escalated from medium to high.",
                # The display names, recorded as the analyzer records them (records.change_row).
                texts={
                    "clause_types": [{"id": t, "name": NAMES.get(t, t)} for t in clause_types],
                    "regulation_details": [{"id": r, "name": NAMES.get(r, r)} for r in regulations],
                },
                created_at=at,
            )
        )
    return ChangeAssessed(
        correlation_id=f"corr-{tag}",
        document_id=document_id,
        platform_id=platform_id,
        change_set_id=f"cs-{tag}",
        substantive=True,
        max_severity=severity,  # type: ignore[arg-type]
        clause_types=list(clause_types),
        regulations=list(regulations),
        escalations=1,
        summary="AI training on prompts now opt-out only",
    )


async def add_follower(
    db: Database, email: str, tier: str = "monitor", platform_id: str = "leonardo-ai"
) -> SubscriberCreated:
    """Create a subscriber of a tier who follows one platform."""
    created = await management.create_subscriber(db, email, tier=tier)
    await management.follow(db, created.subscriber.id, platform_id)
    return created


async def add_rewrite(
    db: Database, n: int, *, removed_key: str, added_keys: tuple[str, ...], heading: tuple[str, ...]
) -> ChangeAssessed:
    """Insert a change set in which a rewrite too large to align removed one provision and added others in its place
    (decision 0174): the removed change first, then the added ones, under `heading` (or none when empty)."""
    event = await add_change_set(db, n=n, provision_key=removed_key)
    tag = f"leonardo-ai-{n}"
    async with db.session() as s:
        removed = await s.get(Change, f"ch-{tag}")
        assert removed is not None
        removed.kind, removed.heading_path, removed.new_text, removed.diff = (
            "removed",
            list(heading),
            None,
            [],
        )
        s.add(removed)
        for index, key in enumerate(added_keys, 1):
            s.add(
                Change(
                    id=f"ch-{tag}-added-{index}",
                    change_set_id=f"cs-{tag}",
                    document_id="leonardo-ai/privacy-policy",
                    ordinal=index,
                    kind="added",
                    significance="substantive",
                    heading_path=list(heading),
                    provision_key=key,
                    new_text=f"Paragraph {index} of the rewritten section: we train our models on your prompts.",
                    summary="Added a paragraph",
                    diff=[],
                )
            )
    return event
