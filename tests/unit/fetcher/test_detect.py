"""Recognising what is not the document: walls, logins, app shells, empty and foreign pages, and HTTP errors."""

from __future__ import annotations

from datetime import date

import pytest

from clausewatch_fetcher.detect import (
    OLDER_COPY,
    Expectation,
    bot_wall_vendor,
    judge_html,
    older_copy_rejection,
    status_rejection,
)
from clausewatch_shared.stated_dates import own_date
from tests.integration.fetcher.pages import (
    ACCESS_DENIED_200,
    CLOUDFLARE_403,
    SIGNUP_WIDGET,
    french_html,
    policy_html,
    script_rendered_html,
)

URL = "https://acme.example/privacy"


def judge(html: str, status: int = 200, final_url: str = URL, **expect: object) -> object:
    return judge_html(
        html, status=status, expect=Expectation(**expect), requested_url=URL, final_url=final_url
    )[1]  # type: ignore[arg-type]


def test_a_real_policy_is_accepted() -> None:
    """A long English policy page passes every check."""
    assert judge(policy_html()) is None


def test_a_policy_that_mentions_captcha_and_access_denied_is_not_a_wall() -> None:
    """Wall words inside a long policy (reCAPTCHA, access denied) do not make it a wall."""
    extra = "<p>We use Google reCAPTCHA (g-recaptcha) to fight spam. Access denied requests are logged.</p>"
    assert judge(policy_html(repeat=4, extra_body=extra)) is None


def test_a_cloudflare_challenge_is_a_transient_bot_wall_the_browser_may_pass() -> None:
    """A 403 challenge page is a bot wall, transient, worth a browser try."""
    rejection = judge(CLOUDFLARE_403, status=403)
    assert rejection is not None
    assert (rejection.cause, rejection.retry_class, rejection.status_code) == ("bot_wall", "transient", 403)
    assert rejection.browser_may_help


def test_a_200_access_denied_page_is_a_bot_wall() -> None:
    """An Akamai-style 'Access Denied' body served with 200 is still a wall."""
    rejection = judge(ACCESS_DENIED_200)
    assert rejection is not None
    assert rejection.cause == "bot_wall"


def test_a_cloudflare_mitigation_header_marks_a_wall() -> None:
    """cf-mitigated: challenge marks a wall even without a known body."""
    assert bot_wall_vendor("<html><body>hi</body></html>", 2, {"CF-Mitigated": "challenge"}) == "cloudflare"


def test_a_redirect_to_a_login_page_is_a_login_wall() -> None:
    """Landing on /login after asking for a policy is a login wall that needs attention."""
    rejection = judge(policy_html("Sign in"), final_url="https://acme.example/login?next=/privacy")
    assert rejection is not None
    assert (rejection.cause, rejection.retry_class) == ("login_wall", "needs_attention")


def test_remove_selectors_apply_before_the_wall_checks() -> None:
    """A sign-in box declared removed no longer makes a short policy page a login wall."""
    page = policy_html(repeat=1, extra_body=SIGNUP_WIDGET)
    without = judge(page, min_chars=300)
    assert without is not None
    assert without.cause == "login_wall"
    assert judge(page, min_chars=300, remove=(".signup",)) is None


def test_an_app_shell_is_empty_and_the_browser_may_help() -> None:
    """A script-rendered shell extracts nothing; the verdict says a browser may help."""
    rejection = judge(script_rendered_html("text"))
    assert rejection is not None
    assert (rejection.cause, rejection.browser_may_help) == ("empty", True)


def test_a_selector_that_matches_nothing_is_empty_not_the_whole_page() -> None:
    """Selector rot reads as an empty capture that needs attention."""
    rejection = judge(policy_html(), select=("#policy-body",))
    assert rejection is not None
    assert (rejection.cause, rejection.retry_class) == ("empty", "needs_attention")
    assert "#policy-body" in rejection.detail


def test_a_french_page_declared_english_is_the_wrong_language() -> None:
    """A page in French for a document declared English is refused with the detected language."""
    rejection = judge(french_html(), min_chars=100)
    assert rejection is not None
    assert rejection.cause == "wrong_language"
    assert "'fr'" in rejection.detail
    assert judge(french_html(), min_chars=100, language="fr") is None


def test_http_statuses_map_to_retry_classes() -> None:
    """5xx/429 are transient; 404 needs attention; 401 is a login wall; 2xx/3xx are not errors."""
    assert status_rejection(200) is None
    assert status_rejection(304) is None
    assert status_rejection(503).retry_class == "transient"  # type: ignore[union-attr]
    assert status_rejection(429).retry_class == "transient"  # type: ignore[union-attr]
    assert status_rejection(404).retry_class == "needs_attention"  # type: ignore[union-attr]
    assert status_rejection(401).cause == "login_wall"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "floor", "older"),
    [
        ("Effective as of March 28, 2025\n\nWe collect …", date(2025, 10, 29), True),
        ("Effective as of October 29, 2025\n\nWe collect …", date(2025, 10, 29), False),
        ("Last updated: November 3, 2025\n\nWe collect …", date(2025, 10, 29), False),
        # A month-only date is compared by month: "October 2025" is not older than October 29.
        ("Last updated: October 2025\n\nWe collect …", date(2025, 10, 29), False),
        ("Last updated: September 2025\n\nWe collect …", date(2025, 10, 29), True),
        ("We collect … (no date stated)", date(2025, 10, 29), False),
        ("Effective as of March 28, 2025", None, False),
    ],
)
def test_an_earlier_stated_date_than_the_record_is_an_older_copy(
    text: str, floor: date | None, older: bool
) -> None:
    """The page's own date against the version on record's (decision 0155); no date on either side, no judgement."""
    rejection = older_copy_rejection(own_date(text), floor, 200)
    assert (rejection is not None) == older
    if rejection is not None:
        assert (rejection.cause, rejection.retry_class, rejection.browser_may_help) == (
            OLDER_COPY,
            "transient",
            False,
        )
