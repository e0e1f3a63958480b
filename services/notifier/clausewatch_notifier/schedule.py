"""When a subscriber's weekly digest is due, in the subscriber's own time zone. Pure.

A digest belongs to an ISO week ("2026-W47") of the subscriber's local calendar; its slot is the chosen weekday and
hour of that week, local time. The digest loop asks for the latest slot that has passed: if no digest run exists
for its week, it is due now, so a notifier that was down at the slot catches up when it comes back, and the unique
(subscriber, week) key keeps it from ever running twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ScheduleError(ValueError):
    """A digest schedule that cannot be used (unknown time zone, day or hour)."""


def zone(name: str) -> ZoneInfo:
    """Return the IANA time zone called `name`, or raise ScheduleError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {name!r}: use an IANA name such as Europe/Paris or America/New_York"
        raise ScheduleError(msg) from None


def parse_weekday(value: int | str) -> int:
    """Return 0 (Monday) to 6 (Sunday) from a number or a day name (`mon`, `Monday`)."""
    if isinstance(value, int) or str(value).isdigit():
        day = int(value)
        if 0 <= day <= 6:
            return day
    else:
        text = str(value).strip().lower()
        for i, name in enumerate(WEEKDAYS):
            if len(text) >= 3 and name.startswith(text):
                return i
    msg = f"digest day must be 0-6 or a day name, not {value!r}"
    raise ScheduleError(msg)


def period_of(day: date) -> str:
    """Return the ISO week label of a date, e.g. '2026-W47'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def slot_in_week(day: date, tz: ZoneInfo, weekday: int, hour: int) -> datetime:
    """Return, in UTC, the digest slot of the ISO week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    local = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=tz)
    # A slot that falls in a DST gap or fold resolves as zoneinfo does (fold=0): a fixed, repeatable instant.
    return local.astimezone(UTC)


def latest_slot(now: datetime, tz_name: str, weekday: int, hour: int) -> tuple[str, datetime]:
    """Return (week label, UTC slot) of the most recent digest slot at or before `now`."""
    tz = zone(tz_name)
    local_today = now.astimezone(tz).date()
    slot = slot_in_week(local_today, tz, weekday, hour)
    if slot > now:
        local_today -= timedelta(days=7)
        slot = slot_in_week(local_today, tz, weekday, hour)
    return period_of(local_today), slot


def due_digest(
    now: datetime, *, tz_name: str, weekday: int, hour: int, subscribed_since: datetime, done: set[str]
) -> tuple[str, datetime] | None:
    """Return the (week, slot) whose digest should run now, or None.

    Due when the latest passed slot is after the subscriber joined and no run exists for its week.
    """
    period, slot = latest_slot(now, tz_name, weekday, hour)
    if slot <= subscribed_since or period in done:
        return None
    return period, slot


def next_slot(now: datetime, tz_name: str, weekday: int, hour: int) -> datetime:
    """Return the first digest slot strictly after `now` (shown to subscribers and used to sleep)."""
    _, slot = latest_slot(now, tz_name, weekday, hour)
    tz = zone(tz_name)
    following = slot_in_week(slot.astimezone(tz).date() + timedelta(days=7), tz, weekday, hour)
    return following if following > now else following + timedelta(days=7)
