"""`clausewatch status` against a real migrated database and a real nats-server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import CaptureFailure, Document, Platform, Subscriber
from tests.support.nats import NatsServer


async def _seed(url: str) -> None:
    """Three documents: healthy, failing once with a cut page, flagged after three walls."""
    db = Database(url)
    now = utcnow()
    async with db.session() as session:
        session.add(Platform(id="acme", name="Acme", jurisdictions=[], categories=[]))
        await session.flush()
        for slug, failures, flagged in (("terms", 0, False), ("privacy", 1, False), ("cookies", 3, True)):
            session.add(
                Document(
                    id=f"acme/{slug}",
                    platform_id="acme",
                    doc_type=slug,
                    title=slug,
                    urls=[f"https://acme.example/{slug}"],
                    consecutive_failures=failures,
                    needs_attention=flagged,
                    attention_reason="3 failed captures in a row; last: bot_wall: a cloudflare page"
                    if flagged
                    else None,
                    next_due_at=now + timedelta(minutes=15),
                )
            )
        await session.flush()
        session.add(
            CaptureFailure(
                id="f1",
                document_id="acme/privacy",
                url="https://acme.example/privacy",
                cause="incomplete_page",
                retry_class="transient",
                detail='its contents link to 2 sections the page lacks: "Your Rights"; "Retention"',
            )
        )
        # Subscribers: one on a trial of the monitor tier, one unsubscribed, one sign-up not confirmed.
        for email, tier, active, confirmed, trial in (
            ("trial@example.org", "monitor", True, now, now + timedelta(days=14)),
            ("gone@example.org", "free", False, now, None),
            ("waiting@example.org", "free", False, None, None),
        ):
            session.add(
                Subscriber(
                    id=email,
                    email=email,
                    tier=tier,
                    active=active,
                    unsubscribe_token=email,
                    confirmed_at=confirmed,
                    trial_ends_at=trial,
                )
            )
    await db.dispose()


def test_status_names_flagged_documents_and_those_still_being_retried(
    sqlite_url: str, nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document failing but not yet flagged is listed with its last cause and next try; a flagged one under
    NEEDS ATTENTION; a healthy one in neither."""
    asyncio.run(_seed(sqlite_url))
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CLAUSEWATCH_NATS_URL", nats_server.url)
    result = CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "holdings:   platforms 1, documents 3, snapshots 0, versions 0, change_sets 0" in lines
    assert "subscribers: active monitor 1, on trial 1, pending 1, unsubscribed 1" in lines
    retrying = [line for line in lines if line.startswith("retrying:")]
    assert len(retrying) == 1
    assert retrying[0].startswith(
        'retrying:   acme/privacy: incomplete_page: its contents link to 2 sections the page lacks: "Your Rights"'
    )
    assert "(1 in a row; next try " in retrying[0]
    assert lines[lines.index("NEEDS ATTENTION:") + 1].startswith("  acme/cookies: 3 failed captures in a row")
    assert "acme/terms" not in result.output
    # the test's nats-server holds no clausewatch stream: the line says so rather than staying empty
    assert f"streams:    none at {nats_server.url} (the services create them when they start" in result.output
