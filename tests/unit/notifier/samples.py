"""Sample rows and alerts for the notifier's unit tests (plain objects shaped like the table rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from clausewatch_notifier.alerts import AlertView, build_alert

DETECTED = datetime(2026, 6, 2, 9, 30, tzinfo=UTC)


def sample_alert(platform_id: str = "leonardo-ai", name: str = "Leonardo AI", n: int = 1) -> AlertView:
    """Return the alert of a one-change change set on a platform's privacy policy."""
    change = SimpleNamespace(
        id=f"ch-{n}",
        ordinal=0,
        kind="modified",
        significance="substantive",
        heading_path=["How we use your information", "AI training"],
        old_text="We may use your prompts to improve our services.",
        new_text="We use your prompts and generated images to train our AI models unless you opt out.",
        summary="Prompts and images used for AI training",
        diff=[
            ["equal", "We "],
            ["delete", "may use your prompts to improve our services."],
            ["insert", "use your prompts and generated images to train our AI models unless you opt out."],
        ],
    )
    assessment = SimpleNamespace(
        severity="high",
        severity_before="medium",
        escalation="escalated",
        clause_types=["ai_training"],
        regulations=["gdpr-art-6", "eu-ai-act"],
        description="Expanded with an explicit opt-out; severity escalated from medium to high.",
    )
    return build_alert(
        change_set=SimpleNamespace(id=f"cs-{n}", summary="AI training on prompts", created_at=DETECTED),
        document=SimpleNamespace(
            id=f"{platform_id}/privacy-policy", title="Privacy Policy", urls=["https://x/p"]
        ),
        platform=SimpleNamespace(id=platform_id, name=name),
        changes=[change],
        assessments={change.id: assessment},
        public_base_url="https://cw.example/",
    )
