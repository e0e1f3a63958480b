"""Secrets stay secret: signing secrets, URL tokens and the SMTP password never reach logs, the log table or listings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import structlog

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_shared.db import Database
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver


async def test_secrets_never_appear_in_logs_or_the_delivery_log(
    tmp_path: Path,
    sqlite_url: str,
    smtp: tuple[Inbox, int],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing then succeeding webhook with a token in its URL, and SMTP with a password, leave no secret in any output."""
    caplog.set_level(logging.INFO)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory())
    settings = make_settings(
        tmp_path, "nats://127.0.0.1:1", sqlite_url, smtp[1], smtp_password="smtp-pa55word", smtp_user="cw"
    )
    db = Database(sqlite_url)
    await add_platform(db)
    event = await add_change_set(db)
    sub = (await management.create_subscriber(db, "legal@example.org", tier="compliance")).subscriber
    with webhook_receiver(script=[500]) as receiver:
        endpoint = await management.register_endpoint(
            db, settings, sub.id, receiver.url("/hook?token=url-t0ken")
        )
        rotated = await management.rotate_secret(db, settings, endpoint.endpoint.id)
        await AssessmentHandler(db, settings)(event)
        worker = DeliveryWorker(db, settings)
        await worker.run_once()
        await (
            worker.run_once()
        )  # SMTP refuses AUTH (so the password is used and fails); the webhook gets a 500, then a 200
    await worker.webhooks.aclose()
    assert receiver.requests[0].path == "/hook?token=url-t0ken"  # the receiver did get the token

    log = await management.list_deliveries(db, subscriber_id=sub.id, with_history=True)
    email_errors = [a.error or "" for d in log if d.channel == "email" for a in d.history]
    assert email_errors
    assert all("AUTH" in e.upper() for e in email_errors)  # the password was tried and refused
    listing = await management.list_endpoints(db, sub.id)
    captured = capsys.readouterr()
    haystack = "\n".join(
        [
            captured.out,
            captured.err,
            caplog.text,
            "\n".join(d.model_dump_json() for d in log),
            "\n".join(e.model_dump_json() for e in listing if e.kind != "webhook"),
        ]
    )
    assert "delivery_tried" in haystack  # the logs were captured at all
    for secret in (endpoint.secret, rotated.secret, "url-t0ken", "smtp-pa55word"):
        assert secret
        assert secret not in haystack
    await db.dispose()
