"""Render an example e-mail and photograph it in Chromium: `python -m clausewatch_notifier.preview OUT.png [--digest]`.

Used to produce docs/images/alert-email.png and by the browser test that checks the e-mail reads well. The example
is made up (an AI image service's privacy policy starting to train on prompts), shaped like real pipeline output.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from clausewatch_notifier.alerts import AlertView, build_alert, preferences_link, unsubscribe_link
from clausewatch_notifier.render import render_alert, render_digest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "chromium", "chromium-browser")
# Keep Chromium off the network (pitfalls: without these it tries outside hosts).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def example_alert(base_url: str = "https://clausewatch.example") -> AlertView:
    """Return a realistic two-change alert (a provision modified with an escalation, and one added)."""
    modified = SimpleNamespace(
        id="ch-1",
        ordinal=3,
        kind="modified",
        significance="substantive",
        heading_path=["4. How we use your content", "4.2 Improving our models"],
        old_text="We may use anonymised usage statistics to improve the service.",
        new_text=(
            "We may use your prompts, uploaded images and generated images to train and improve our AI models. "
            "You can opt out by writing to privacy@pictora.example."
        ),
        summary="Prompts and images may now be used to train AI models; opt-out by e-mail only",
        provision_key="k4f2a91c07d3e",
        diff=[
            ["equal", "We may use "],
            ["delete", "anonymised usage statistics to improve the service."],
            [
                "insert",
                "your prompts, uploaded images and generated images to train and improve our AI models. You can "
                "opt out by writing to privacy@pictora.example.",
            ],
        ],
    )
    added = SimpleNamespace(
        id="ch-2",
        ordinal=7,
        kind="added",
        significance="substantive",
        heading_path=["9. Keeping your data"],
        old_text=None,
        new_text="Training data derived from your content is kept for as long as the model that learnt from it.",
        summary="New retention rule for training data",
        provision_key="k9b03e6d21f58",
        diff=[
            [
                "insert",
                "Training data derived from your content is kept for as long as the model that learnt from it.",
            ]
        ],
    )
    assessments = {
        "ch-1": SimpleNamespace(
            severity="high",
            severity_before="medium",
            escalation="escalated",
            clause_types=["ai_training_on_user_content"],
            regulations=["gdpr", "eu_ai_act", "ccpa_cpra"],
            texts={
                "clause_types": [
                    {
                        "id": "ai_training_on_user_content",
                        "name": "AI model training on user content and prompts",
                    }
                ],
                "regulation_details": [
                    {"id": "gdpr", "name": "GDPR"},
                    {"id": "eu_ai_act", "name": "EU AI Act"},
                    {"id": "ccpa_cpra", "name": "CCPA/CPRA"},
                ],
            },
            description=(
                "Default-on use of prompts and images for AI training; opt-out only by e-mail. Severity escalated "
                "from medium to high."
            ),
        ),
        "ch-2": SimpleNamespace(
            severity="medium",
            severity_before=None,
            escalation=None,
            clause_types=["data_retention"],
            regulations=["gdpr"],
            texts={
                "clause_types": [{"id": "data_retention", "name": "Data retention"}],
                "regulation_details": [{"id": "gdpr", "name": "GDPR"}],
            },
            description="Open-ended retention tied to the model's lifetime rather than a fixed period.",
        ),
    }
    return build_alert(
        change_set=SimpleNamespace(
            id="01J8Z6C2W5",
            summary="AI training on your prompts and images, with an e-mail-only opt-out",
            created_at=datetime(2026, 11, 22, 6, 14, tzinfo=UTC),
        ),
        document=SimpleNamespace(
            id="pictora/privacy-policy",
            title="Privacy Policy",
            urls=["https://pictora.example/legal/privacy"],
        ),
        platform=SimpleNamespace(id="pictora", name="Pictora"),
        changes=[modified, added],
        assessments=assessments,
        public_base_url=base_url,
        escalations=1,
    )


def example_html() -> str:
    """Return the example alert's HTML body."""
    alert = example_alert()
    return (
        render_alert(
            alert,
            tier="monitor",
            unsubscribe_url=unsubscribe_link("https://clausewatch.example", "tok"),
            manage_url=preferences_link("https://clausewatch.example", "tok"),
        ).html
        or ""
    )


def example_digest_html() -> str:
    """Return a weekly digest of three changes to one platform's documents, as the free tier receives it."""
    pictora = example_alert()
    second = pictora.model_copy(
        update={
            "change_set_id": "01J8Z9QK3T",
            "document_title": "Terms of Service",
            "summary": "Disputes now go to binding individual arbitration; class actions waived",
            "severity": "high",
            "regulations": ["eu_unfair_terms_directive"],
            "names": {**pictora.names, "eu_unfair_terms_directive": "EU Unfair Terms Directive"},
            "link": "https://clausewatch.example/changes/01J8Z9QK3T",
        }
    )
    other = pictora.model_copy(
        update={
            "change_set_id": "01J8ZB7M0P",
            "document_id": "pictora/acceptable-use-policy",
            "document_title": "Acceptable Use Policy",
            "summary": "Generating images of real people without their consent is now prohibited",
            "severity": "low",
            "regulations": ["eu_ai_act"],
            "link": "https://clausewatch.example/changes/01J8ZB7M0P",
        }
    )
    return (
        render_digest(
            [pictora, second, other],
            period="2026-W47",
            tier="free",
            unsubscribe_url=unsubscribe_link("https://clausewatch.example", "tok"),
            manage_url=preferences_link("https://clausewatch.example", "tok"),
        ).html
        or ""
    )


def find_chromium() -> str:
    """Return a Chromium executable, or raise FileNotFoundError."""
    for candidate in CHROMIUM_CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    msg = "Chromium not found: install Debian's chromium package"
    raise FileNotFoundError(msg)


def screenshot(
    html: str, out: Path, *, width: int = 760, height: int = 820, chromium: str | None = None
) -> Path:
    """Write a PNG of an HTML page as headless Chromium renders it."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "alert.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(  # noqa: S603  (a fixed executable and arguments we build)
            [
                chromium or find_chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return out


def main(argv: list[str] | None = None) -> None:
    """Save a screenshot of the example alert (or, with --digest, a weekly digest) to the path given."""
    args = argv if argv is not None else sys.argv[1:]
    digest = "--digest" in args
    paths = [a for a in args if not a.startswith("--")]
    out = Path(paths[0] if paths else "docs/images/alert-email.png")
    html = example_digest_html() if digest else example_html()
    print(screenshot(html, out, height=560 if digest else 820))


if __name__ == "__main__":
    main()
