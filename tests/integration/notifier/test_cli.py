"""The `clausewatch notify` commands against a real migrated database."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch_notifier import management
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.signups import token_hash
from clausewatch_shared.db import Database
from clausewatch_shared.models import SignupConfirmation, Subscriber
from clausewatch_shared.settings import load_settings
from tests.integration.notifier.seed import add_platform


def test_cli_manages_subscribers_endpoints_and_refuses_over_limit(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Create, follow, hit the tier limit (exit 1 with the reason), upgrade, add a webhook, rotate its secret, list deliveries."""
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")
    monkeypatch.setenv("CLAUSEWATCH_ENVIRONMENT", "development")

    async def seed() -> None:
        db = Database(sqlite_url)
        await add_platform(db, "acme", "Acme")
        await add_platform(db, "zeta", "Zeta")
        await db.dispose()

    asyncio.run(seed())
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["notify", *args])
        assert result.exit_code == code, result.output
        return result.output

    created = json.loads(run("create-subscriber", "Ana@Example.org", "--timezone", "Europe/Paris"))
    sid = created["subscriber"]["id"]
    assert created["api_key"].startswith("cwk_")
    assert created["subscriber"]["email"] == "ana@example.org"
    run("follow", sid, "acme")
    refused = runner.invoke(app, ["notify", "follow", sid, "zeta"])
    assert refused.exit_code == 1
    assert "the free tier follows at most 1 platform" in refused.output
    run("set-tier", sid, "compliance")
    assert json.loads(run("follow", sid, "zeta"))["platforms"] == ["acme", "zeta"]
    filters = json.loads(run("set-filters", sid, "--min-severity", "high", "--regulation", "gdpr-art-6"))
    assert filters["filters"] == {"min_severity": "high", "regulations": ["gdpr-art-6"]}
    endpoint = json.loads(run("add-endpoint", sid, "http://127.0.0.1:9/hook"))
    assert endpoint["secret"].startswith("whsec_")
    rotated = json.loads(run("rotate-secret", endpoint["endpoint"]["id"], "--grace-hours", "2"))
    assert rotated["secret"] != endpoint["secret"]
    assert rotated["endpoint"]["secrets_live"] == 2
    listed = run("endpoints", sid)
    assert "whsec_" not in listed
    assert json.loads(run("deliveries", "--subscriber", sid)) == []
    ping = json.loads(run("test-endpoint", endpoint["endpoint"]["id"]))
    assert (ping["kind"], ping["status"], ping["target"]) == ("ping", "pending", endpoint["endpoint"]["id"])
    assert [d["id"] for d in json.loads(run("deliveries", "--subscriber", sid))] == [ping["id"]]
    assert "no subscriber" in runner.invoke(app, ["notify", "show", "nobody"]).output


def test_cli_lists_subscribers_by_state_tier_and_trial(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`notify subscribers` lists the newest first with state and tier; --state pending finds the sign-ups not
    confirmed, --trial those on a trial, --tier one tier; a bad state is refused (exit 2)."""
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)

    async def seed() -> None:
        db = Database(sqlite_url)
        await add_platform(db, "acme", "Acme")
        settings = load_settings(NotifierSettings)
        await management.create_subscriber(db, "ops@example.org", tier="compliance")
        await management.request_signup(db, settings, "waiting@example.org")
        await management.request_signup(db, settings, "trying@example.org", trial=True)
        async with db.session() as session:
            token_row = (
                await session.exec(
                    select(SignupConfirmation)
                    .join(Subscriber, col(Subscriber.id) == col(SignupConfirmation.subscriber_id))
                    .where(Subscriber.email == "trying@example.org")
                )
            ).one()
            token_row.token_hash = token_hash("known-token")
            session.add(token_row)
        await management.confirm_signup(db, "known-token", trial=management.Trial.offered(settings))
        await db.dispose()

    asyncio.run(seed())
    runner = CliRunner()

    def lines(*args: str) -> list[str]:
        result = runner.invoke(app, ["notify", "subscribers", *args])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    everyone = lines()
    assert everyone[-1] == "3 of 3"
    assert "trying@example.org" in everyone[0]  # newest first
    assert "monitor" in everyone[0]
    assert "trial until" in everyone[0]
    pending = lines("--state", "pending")
    assert len(pending) == 2
    assert "waiting@example.org" in pending[0]
    assert "pending" in pending[0]
    assert [line.split()[3] for line in lines("--trial")[:-1]] == ["trying@example.org"]
    assert [line.split()[3] for line in lines("--tier", "compliance")[:-1]] == ["ops@example.org"]
    refused = runner.invoke(app, ["notify", "subscribers", "--state", "gone"])
    assert refused.exit_code == 2
