"""The dates a document states about itself: "Last updated: May 19, 2026", "Effective: 21 September 2026".

The seed pages show a document's "last updated" date beside when it was first tracked and last verified. Only the
document can say when it was last updated or takes effect, so the date is read from its own words: the first date
after a "last updated / modified / revised", "updated on", "version" or "effective (date / as of / from)" label,
in the first or last ENDS characters.
A date the text does not give is None; nothing is guessed. Partial dates ("Last updated: July 2026") are kept with
day 1 and flagged, so they are shown as a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# The ordinal may stand apart: a page that sets it as <sup>th</sup> reads "February 15\nth\n2024" line by line.
_DAY = r"(?P<day>\d{1,2})(?:\s*(?:st|nd|rd|th)\b)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_FORMS = (
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",  # May 19, 2026 / November 27th 2025
    rf"{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}",  # 21 September 2026 / 14 August, 2025
    rf"{_YEAR}-(?P<imonth>\d\d)-(?P<iday>\d\d)",  # 2026-06-03
    rf"{_MONTH},?\s+{_YEAR}",  # July 2026
)
# Each form, tried in turn to read the date (Python's re refuses one group name in two alternatives) ...
_DATES = tuple(re.compile(form, re.IGNORECASE) for form in _DATE_FORMS)
# ... and all of them, without names, to find where a label is followed by one.
_ANY_DATE = "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", form) for form in _DATE_FORMS) + ")"


# A label (after anything but a letter: "_Effective: April 4, 2026_" is emphasis), separators or "on" / "as of" /
# "from", then, within _GAP characters that are not words, a date ("Effective until November 15, 2024" ends a
# version's life: X's page keeps its earlier versions below the current one). The lookahead finds label and date in
# one pass of the regex engine.
_GAP = 12
_LABELS = {
    "last_updated": re.compile(
        r"(?<![a-z])(?:last\s+(?:updated|modified|revised|changed)|updated(?:\s+on)?|revised(?:\s+on)?|version(?:\s+date)?)"
        rf"\b[\s:*_\-–—]*(?:on\s+|as\s+of\s+)?[^\n\w]{{0,{_GAP}}}?(?={_ANY_DATE})",
        re.IGNORECASE,
    ),
    "effective": re.compile(
        r"(?<![a-z])effective(?:\s+date)?\b[\s:*_\-–—]*(?:on\s+|as\s+of\s+|from\s+)?"
        rf"[^\n\w]{{0,{_GAP}}}?(?={_ANY_DATE})",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class StatedDate:
    """A date the document gives for itself, and whether it named a day (False: "July 2026")."""

    value: date
    has_day: bool

    def text(self) -> str:
        """ "May 19, 2026", or "July 2026" for a month."""
        month = self.value.strftime("%B")
        return (
            f"{month} {self.value.day}, {self.value.year}" if self.has_day else f"{month} {self.value.year}"
        )


def _parse(match: re.Match[str]) -> StatedDate | None:
    groups = match.groupdict()
    try:
        if groups.get("imonth"):
            return StatedDate(date(int(groups["year"]), int(groups["imonth"]), int(groups["iday"])), True)
        month = _MONTHS[groups["month"].lower()]
        day = int(groups["day"]) if groups.get("day") else 1
        return StatedDate(date(int(groups["year"]), month, day), groups.get("day") is not None)
    except (ValueError, KeyError):  # "February 30, 2026" is no date
        return None


# Documents state their dates at the top or at the bottom: only so many characters of each end are read, which bounds
# the cost on a document of megabytes where "updated" or "version" occurs thousands of times (13 MB took 7 s).
ENDS = 20_000


def _ends(text: str) -> str:
    """The first and last ENDS characters of a text (all of it if shorter)."""
    return text if len(text) <= 2 * ENDS else text[:ENDS] + "\n" + text[-ENDS:]


def _date_at(text: str, position: int) -> StatedDate | None:
    """The date written at `position`, in the first form that reads there; None for none, or "February 30, 2026"."""
    return next((_parse(m) for pattern in _DATES if (m := pattern.match(text, position)) is not None), None)


def stated_dates(text: str) -> dict[str, StatedDate]:
    """Return the document's own "last_updated" and "effective" dates, each the first one its top or, failing
    that, its bottom states (ENDS characters of each)."""
    ends = _ends(text)
    found: dict[str, StatedDate] = {}
    for kind, label in _LABELS.items():
        for match in label.finditer(ends):
            parsed = _date_at(ends, match.end())
            if parsed is not None:
                found[kind] = parsed
                break
    return found


# A version announced ahead of its date: "This version of the Privacy Policy will go into effect on July 28, 2025",
# "### Effective until July 28, 2025" above the version still in force (X's page during each notice period).
_ANNOUNCED = re.compile(
    r"(?<![a-z])(?:will|shall)\s+(?:go into|take|come into|become)\s+effect(?:ive)?\s+(?:on|from|as of)?\s*"
    rf"[^\w\n]{{0,3}}(?={_ANY_DATE})|(?<![a-z])effective\s+until\b[\s:*_]*(?={_ANY_DATE})",
    re.IGNORECASE,
)


_ANNOUNCING_WORDS = ("into effect", "take effect", "become effect", "effective until")


def announced_dates(text: str) -> tuple[StatedDate, ...]:
    """Return every date on which the document says a new version takes effect, in order, past or not.

    Read in the first and last ENDS characters, like the stated dates.
    """
    ends = _ends(text)
    # The phrases' fixed words, looked for first: most texts hold none, and str.lower and `in` cost microseconds
    # where the case-blind regex costs a millisecond on a policy.
    lowered = ends.lower()
    if not any(word in lowered for word in _ANNOUNCING_WORDS):
        return ()
    dates = (_date_at(ends, match.end()) for match in _ANNOUNCED.finditer(ends))
    return tuple(found for found in dates if found is not None)


def announced_date(text: str, today: date) -> StatedDate | None:
    """Return the first date after `today` on which the document says a new version takes effect, or None: a date
    already reached is no announcement."""
    return first_after(announced_dates(text), today)


def first_after(dates: tuple[StatedDate, ...], today: date) -> StatedDate | None:
    """The first of `dates` after `today`, or None."""
    return next((found for found in dates if found.value > today), None)


# A label that is nothing but "Effective until DATE": X's heading above the version still in force while its page
# carries the coming one above it (decision 0160). Prose that mentions such a date ("This policy is effective until
# we replace it") is no label.
_UNTIL_LABEL = re.compile(r"[^\w]*effective\s+until\b[\s:*_]*", re.IGNORECASE)


def effective_until(label: str) -> StatedDate | None:
    """Return the date of a label that reads only "Effective until DATE" (markup and final punctuation aside), or
    None."""
    start = _UNTIL_LABEL.match(label)
    if start is None:
        return None
    for pattern in _DATES:
        found = pattern.match(label, start.end())
        if found is not None and not label[found.end() :].strip(" .:*_)\n"):
            return _parse(found)
    return None


def own_date(text: str) -> StatedDate | None:
    """Return the one date a document gives for its current text: its "last updated" date, else its effective date.

    The fetcher compares it between captures (a later capture stating an earlier date is an older copy, decision
    0155), so it is read the same way from both.
    """
    found = stated_dates(text)
    return found.get("last_updated") or found.get("effective")


__all__ = ["StatedDate", "announced_date", "announced_dates", "first_after", "own_date", "stated_dates"]
