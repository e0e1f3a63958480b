"""The sign-up rules (pure): who a confirmation is for, the rate limits and when a refused client may try again,
what is kept of tokens and client addresses, and the confirmation e-mail's words for each kind of address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clausewatch_notifier.render import Rendered, render_signup_confirmation
from clausewatch_notifier.signups import (
    SENT_LINK,
    Recent,
    SignupLimits,
    client_key,
    decide,
    mask_email,
    new_token,
    standing,
    token_hash,
    without_link_tokens,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LIMITS = SignupLimits(per_client_per_hour=5, per_address_per_day=3, per_hour=200)


def test_a_sign_up_under_every_limit_sends_its_confirmation() -> None:
    """Four from this client, two for this address, 199 in all: the fifth request is sent."""
    decision = decide(Recent(by_client=4, for_address=2, in_all=199), LIMITS, NOW)
    assert decision.send
    assert not decision.refused


def test_a_client_over_its_hourly_limit_is_refused_until_its_oldest_request_is_an_hour_old() -> None:
    """The sixth request of a client in an hour is a 429, and Retry-After counts to when the oldest one leaves."""
    oldest = NOW - timedelta(minutes=50)
    decision = decide(Recent(by_client=5, for_address=0, in_all=5, oldest_by_client=oldest), LIMITS, NOW)
    assert not decision.send
    assert decision.refused
    assert "at most 5 an hour" in (decision.refusal or "")
    assert decision.refused_by == "client"
    assert 600 <= decision.retry_after <= 602


def test_the_server_over_its_hourly_limit_refuses_everyone() -> None:
    """Two hundred confirmations in the last hour: a request from a new client for a new address is a 429 too."""
    oldest = NOW - timedelta(minutes=59)
    decision = decide(Recent(by_client=0, for_address=0, in_all=200, oldest_in_all=oldest), LIMITS, NOW)
    assert decision.refused
    assert decision.refused_by == "server"
    assert 60 <= decision.retry_after <= 62


def test_an_address_over_its_daily_limit_gets_nothing_more_without_a_refusal() -> None:
    """A fourth request for one address in a day sends nothing, yet is not refused: the answer must not tell that
    the address is known."""
    decision = decide(Recent(by_client=0, for_address=3, in_all=3), LIMITS, NOW)
    assert not decision.send
    assert not decision.refused


def test_standing_reads_the_address_subscriber_row() -> None:
    """No row or a sign-up never confirmed is new; confirmed and unsubscribed is returning; active is existing."""
    assert standing(None, None) == "new"
    assert standing(None, False) == "new"
    assert standing(NOW, False) == "returning"
    assert standing(NOW, True) == "existing"


def test_tokens_are_random_and_kept_only_as_hashes() -> None:
    """Two tokens differ; the stored form is a SHA-256 hex that does not hold the token."""
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 40
    assert token_hash(first) != token_hash(second)
    assert len(token_hash(first)) == 64
    assert first not in token_hash(first)


def test_the_client_address_is_kept_as_a_hash() -> None:
    """What a rate limit keeps of a client is stable per address, differs between addresses and is not the address."""
    assert client_key("203.0.113.9") == client_key("203.0.113.9")
    assert client_key("203.0.113.9") != client_key("203.0.113.10")
    assert "203.0.113" not in (client_key("203.0.113.9") or "")
    assert client_key(None) is None


def test_a_confirmation_page_masks_the_address() -> None:
    """Whoever holds a link sees enough to recognise the address, not the whole of it."""
    assert mask_email("legal@example.org") == "l***@example.org"


LINK = "https://cw.test/signup/confirm/tok"


def _confirmation(who: str, platform_name: str | None, trial: str | None = None) -> Rendered:
    return render_signup_confirmation(
        email="a@example.org",
        standing=who,
        platform_name=platform_name,
        confirm_url=LINK,
        expires_at=NOW + timedelta(hours=48),
        tier="free",
        trial_tier=trial,
        trial_days=14 if trial else 0,
    )


def test_the_confirmation_email_says_what_confirming_does_for_each_kind_of_address() -> None:
    """A new address is offered the free account; a subscribed one is told its key stays; a returning one is told
    its alerts come back. Each carries the link and its expiry, and the HTML escapes what it quotes."""
    new = _confirmation("new", "Leonardo <AI>")
    assert new.subject == "Confirm your free clausewatch account"
    assert "weekly digest" in new.text
    assert "Leonardo <AI>" in new.text
    assert LINK in new.text
    assert "08 Dec 2026, 12:00 UTC" in new.text
    assert new.html is not None
    assert "Leonardo &lt;AI&gt;" in new.html
    assert LINK in new.html

    existing = _confirmation("existing", "Anthropic")
    assert existing.subject == "Confirm: follow Anthropic on clausewatch"
    assert "already have an account" in existing.text
    assert "API key stays as it is" in existing.text
    assert "trial" not in existing.text
    # A subscribed address asking for the trial is told confirming starts it (if it never had one).
    existing_trial = _confirmation("existing", "Anthropic", trial="monitor")
    assert "It also starts a 14-day trial of the monitor tier (same-day alerts, up to 25 platforms)" in (
        existing_trial.text
    )
    trial = _confirmation("new", "Anthropic", trial="monitor")
    assert trial.subject == "Confirm your 14-day monitor trial on clausewatch"
    assert "Then the free tier follows" in trial.text

    returning = _confirmation("returning", None)
    assert returning.subject == "Confirm: turn your clausewatch alerts back on"
    assert "new API key" in returning.text


def test_a_sent_confirmation_keeps_everything_but_the_link_s_token() -> None:
    """Every confirmation link in the stored parts loses its token; other links, other text and other values stay."""
    payload = {
        "subject": "Confirm your free clausewatch account",
        "text": "Open https://cw.example/signup/confirm/AbC-12_x9 within 48 hours.\nSettings: https://cw.example/me",
        "html": '<a href="https://cw.example/signup/confirm/AbC-12_x9">https://cw.example/signup/confirm/AbC-12_x9</a>',
        "attempt": 2,
    }
    kept = without_link_tokens(payload)
    assert kept["subject"] == payload["subject"]
    assert kept["attempt"] == 2
    assert (
        kept["text"]
        == f"Open https://cw.example{SENT_LINK} within 48 hours.\nSettings: https://cw.example/me"
    )
    assert "AbC-12_x9" not in kept["html"]
    assert kept["html"].count(SENT_LINK) == 2
