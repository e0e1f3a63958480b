"""Weekly digest slots in the subscriber's time zone, and catching up on missed ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausewatch_notifier.schedule import (
    ScheduleError,
    due_digest,
    latest_slot,
    next_slot,
    parse_weekday,
)

JOINED = datetime(2026, 1, 1, tzinfo=UTC)


def test_slot_is_in_the_subscribers_time_zone() -> None:
    """Monday 08:00 in New York in November (EST, UTC-5) is 13:00 UTC."""
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday
    period, slot = latest_slot(now, "America/New_York", 0, 8)
    assert period == "2026-W48"
    assert slot == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def test_before_this_weeks_slot_the_latest_is_last_weeks() -> None:
    """An hour before this week's slot, the latest slot is the previous week's."""
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    period, slot = latest_slot(now, "America/New_York", 0, 8)
    assert period == "2026-W47"
    assert slot == datetime(2026, 11, 16, 13, 0, tzinfo=UTC)


def test_dst_moves_the_utc_slot_not_the_local_one() -> None:
    """Paris 08:00 is 06:00 UTC in summer and 07:00 UTC in winter."""
    _, summer = latest_slot(datetime(2026, 7, 6, 12, tzinfo=UTC), "Europe/Paris", 0, 8)
    _, winter = latest_slot(datetime(2026, 12, 7, 12, tzinfo=UTC), "Europe/Paris", 0, 8)
    assert (summer.hour, winter.hour) == (6, 7)


def test_due_once_per_week_and_catches_up() -> None:
    """A slot missed while down is due later in the week; once run it is not due again."""
    three_days_late = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    due = due_digest(three_days_late, tz_name="UTC", weekday=0, hour=8, subscribed_since=JOINED, done=set())
    assert due == ("2026-W48", datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert (
        due_digest(
            three_days_late, tz_name="UTC", weekday=0, hour=8, subscribed_since=JOINED, done={"2026-W48"}
        )
        is None
    )


def test_no_digest_for_a_slot_before_joining() -> None:
    """A subscriber who joined after the latest slot waits for the next one."""
    joined = datetime(2026, 11, 24, tzinfo=UTC)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert due_digest(now, tz_name="UTC", weekday=0, hour=8, subscribed_since=joined, done=set()) is None


def test_weekday_names_and_bad_zones() -> None:
    """Day names parse to numbers; unknown zones and days are refused."""
    assert parse_weekday("fri") == 4
    assert parse_weekday("Sunday") == 6
    assert parse_weekday(2) == 2
    with pytest.raises(ScheduleError):
        parse_weekday("someday")
    with pytest.raises(ScheduleError, match="unknown time zone"):
        latest_slot(JOINED, "Mars/Olympus", 0, 8)


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]),
    st.integers(0, 6),
    st.integers(0, 23),
)
def test_latest_slot_is_past_and_next_slot_is_future(now: datetime, tz: str, day: int, hour: int) -> None:
    """For any time and zone the latest slot is at or before now, within a week, and the next one is after now."""
    _, slot = latest_slot(now, tz, day, hour)
    assert slot <= now
    assert (now - slot).days < 8
    following = next_slot(now, tz, day, hour)
    assert following > now
    assert (following - now).days < 8
