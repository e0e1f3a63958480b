"""The dates a document states about itself, in the forms real policies write them."""

from __future__ import annotations

from datetime import date

import pytest

from clausewatch_shared.stated_dates import announced_date, effective_until, stated_dates


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Last Updated: June 13, 2025", "last_updated", "June 13, 2025"),  # Cursor
        ("Last Updated: 14 August, 2025", "last_updated", "August 14, 2025"),  # Bluesky
        ("Last modified: Aug 19, 2026", "last_updated", "August 19, 2026"),  # Civitai
        ("Last Modified: 2026-06-03", "last_updated", "June 3, 2026"),  # Tumblr
        ("Last updated: July 2026_", "last_updated", "July 2026"),  # TikTok: a month, shown as one
        ("Version: May 12th 2026", "last_updated", "May 12, 2026"),  # eharmony
        (
            "Version: February 15\nth\n2024",
            "last_updated",
            "February 15, 2024",
        ),  # eharmony's <sup>th</sup>, by line
        (
            "_Effective: April 4, 2026 ([previous version](https://x.ai/…))_",
            "effective",
            "April 4, 2026",
        ),  # Grok
        ("**Effective Date: March 28, 2023**", "effective", "March 28, 2023"),  # Hugging Face
        ("Effective as of July 6, 2026", "effective", "July 6, 2026"),  # Grammarly
        ("Effective: 21 September 2026", "effective", "September 21, 2026"),  # Snapchat
    ],
)
def test_a_stated_date_is_read_in_each_form(text: str, kind: str, expected: str) -> None:
    """Each label and date form real policies use gives the date, shown one way."""
    found = stated_dates(f"# Privacy Policy\n\n{text}\n\nWe collect data.")
    assert found[kind].text() == expected


def test_both_dates_are_kept_and_the_first_of_each_wins() -> None:
    """Reddit states both; a later "updated" in the body does not replace the first."""
    found = stated_dates(
        "Effective July 1, 2026. Last Revised May 26, 2026.\n\nWe last updated our cookie list on May 2, 2025."
    )
    assert found["effective"].value == date(2026, 7, 1)
    assert found["last_updated"].value == date(2026, 5, 26)


@pytest.mark.parametrize(
    "text",
    [
        "We may update this policy from time to time and will post the effective date here.",
        "We measure the effectiveness of advertising campaigns run in 2026.",
        "Updated versions of the app are released monthly.",
        "Last updated: February 30, 2026",  # no such day
    ],
)
def test_no_date_is_guessed(text: str) -> None:
    """A label without a date right after it, or an impossible date, gives nothing."""
    assert stated_dates(text) == {}


def test_an_end_date_is_not_an_effective_date() -> None:
    """X's page keeps earlier versions under "Effective until November 15, 2024": not when the text took effect."""
    assert stated_dates("### Effective until November 15, 2024\n\nWe collect data.") == {}


def test_only_the_ends_of_a_huge_document_are_read() -> None:
    """A date at the top or bottom of megabytes of text is found; the middle is not read (it bounds the cost)."""
    middle = "We updated the version of the app. " * 100_000
    assert stated_dates(f"Last updated: May 5, 2026\n{middle}")["last_updated"].text() == "May 5, 2026"
    assert stated_dates(f"{middle}\nEffective: June 1, 2026")["effective"].text() == "June 1, 2026"
    assert stated_dates(f"{middle}Last updated: May 5, 2026\n{middle}") == {}


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        (
            "This version of the Privacy Policy will go into effect on July 28, 2025.",
            date(2025, 6, 28),
            "July 28, 2025",
        ),
        ("### Effective until January 15, 2026\n\nWe collect …", date(2025, 12, 17), "January 15, 2026"),
        ("These terms will take effect from 1 March 2026.", date(2026, 2, 1), "March 1, 2026"),
        (
            "This version will go into effect on July 28, 2025.",
            date(2025, 7, 28),
            None,
        ),  # the day itself: in force
        ("Changes will take effect 30 days after we post them.", date(2025, 1, 1), None),  # no date
        ("Effective: July 28, 2025", date(2025, 6, 28), None),  # a version's own date, not an announcement
    ],
)
def test_an_announced_version_is_read_with_its_date(text: str, today: date, expected: str | None) -> None:
    """X's banner and its "Effective until" heading announce a coming version (decision 0157); a date already
    reached, a delay without a date, and a version's own "Effective:" date do not."""
    found = announced_date(f"# Privacy Policy\n\n{text}\n\nWe collect data.", today)
    assert (found.text() if found else None) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Effective until November 15, 2024", "November 15, 2024"),
        ("### Effective until July 28, 2025", "July 28, 2025"),
        ("**Effective until:** 15 January 2026.", "January 15, 2026"),
        ("This policy is effective until November 15, 2024", None),  # prose that mentions the date
        ("Effective until November 15, 2024, unless we end it sooner", None),  # more than the label
        ("Effective until we replace it", None),  # no date
        ("Effective: November 15, 2024", None),  # a version's own date
    ],
)
def test_an_effective_until_label_is_read_only_when_it_is_the_whole_label(
    label: str, expected: str | None
) -> None:
    """X's heading above the version still in force reads only "Effective until DATE" (decision 0160); a sentence
    that mentions such a date is not that label."""
    found = effective_until(label)
    assert (found.text() if found else None) == expected
