"""A version that newly announces a coming one says so on its change set (decision 0157)."""

from __future__ import annotations

from datetime import date

from clausewatch_differ.plan import Previous, plan_version

CURRENT = (
    "# X Privacy Policy\n\n**Effective: November 15, 2024**\n\nWe collect the information you give us.\n"
)
# X's page during a notice period: the coming text first, then "Effective until" above the one in force.
IN_FORCE = "# X Privacy Policy\n\n**Effective: July 28, 2025**\n\nWe collect the information you give us and your prompts.\n"
NOTICE = (
    "# X Privacy Policy\n\n**This version of the Privacy Policy will go into effect on July 28, 2025. Until then, the "
    "current Privacy Policy continues to apply.**\n\nWe collect the information you give us and your prompts.\n\n"
    "# X Privacy Policy\n\n### Effective until July 28, 2025\n\nWe collect the information you give us.\n"
)


def _changed(old: str, new: str, today: date | None) -> object:
    first = plan_version(document_id="x/privacy-policy", snapshot_id="s1", text=old, previous=None)
    assert first is not None
    second = plan_version(
        document_id="x/privacy-policy",
        snapshot_id="s2",
        text=new,
        previous=Previous(first.version, first.keys()),
        today=today,
    )
    assert second is not None
    assert second.change_set is not None
    return second.change_set


def test_a_newly_announced_version_is_noted_with_its_date() -> None:
    """X's page on 2025-06-28 announced its policy of July 28: the change set carries the date and says it first."""
    change_set = _changed(CURRENT, NOTICE, date(2025, 6, 28))
    assert change_set.announces_effective_date == date(2025, 7, 28)  # type: ignore[attr-defined]
    assert change_set.summary.startswith("Announces a new version effective 28 Jul 2025. ")  # type: ignore[attr-defined]


def test_an_announcement_already_made_or_past_is_not_news() -> None:
    """The same notice captured again with an edit, a date already past, and no capture day: nothing is noted."""
    edited = NOTICE.replace("your prompts", "your prompts and images")
    assert _changed(NOTICE, edited, date(2025, 7, 1)).announces_effective_date is None  # type: ignore[attr-defined]
    assert _changed(CURRENT, NOTICE, date(2025, 8, 1)).announces_effective_date is None  # type: ignore[attr-defined]
    assert _changed(CURRENT, NOTICE, None).announces_effective_date is None  # type: ignore[attr-defined]


def test_the_first_version_in_force_under_an_announced_one_says_so() -> None:
    """X's page the day after July 28, 2025 drops the replaced text (v011): the change set says the announced version
    is in force, so its removals read as the old text going, not as terms withdrawn."""
    change_set = _changed(NOTICE, IN_FORCE, date(2025, 7, 29))
    assert change_set.takes_effect_date == date(2025, 7, 28)  # type: ignore[attr-defined]
    assert change_set.announces_effective_date is None  # type: ignore[attr-defined]
    assert change_set.summary.startswith("The version announced for 28 Jul 2025 is now in force. ")  # type: ignore[attr-defined]
    # Before its date, a page that drops the notice announces nothing in force; a notice left up past its date is not
    # yet the page of the version in force, and would otherwise mark every later change.
    assert _changed(NOTICE, IN_FORCE, date(2025, 7, 1)).takes_effect_date is None  # type: ignore[attr-defined]
    lingering = NOTICE.replace("your prompts", "your prompts and images")
    assert _changed(NOTICE, lingering, date(2025, 7, 29)).takes_effect_date is None  # type: ignore[attr-defined]
