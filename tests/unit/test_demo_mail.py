"""The demo's mail never leaves the machine, so it prints what a person needs from it: a sign-up's link."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from clausewatch.demo import _on_email


def _message(subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = "visitor@example.org"
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative("<p>html</p>", subtype="html")
    return message


def test_a_confirmation_email_prints_its_link(capsys: pytest.CaptureFixture[str]) -> None:
    """A sign-up's confirmation e-mail received by the demo's SMTP server is announced with the link to open."""
    _on_email(
        _message(
            "Confirm your free clausewatch account",
            "Confirm here:\nhttp://127.0.0.1:8080/signup/confirm/AbC_d-9\n\nThe link works until …",
        )
    )
    out = capsys.readouterr().out
    assert "e-mail received by visitor@example.org: Confirm your free clausewatch account" in out
    assert "its confirmation link: http://127.0.0.1:8080/signup/confirm/AbC_d-9" in out


def test_an_alert_email_prints_only_its_subject(capsys: pytest.CaptureFixture[str]) -> None:
    """Other e-mails are announced by subject alone."""
    _on_email(_message("[high] Acme changed its privacy policy", "See https://example.org/changes/1"))
    out = capsys.readouterr().out
    assert "Acme changed its privacy policy" in out
    assert "confirmation link" not in out
