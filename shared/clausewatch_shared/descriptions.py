"""How a change's one-line description and a change set's summary are put together, for the services that read
them back.

The analyzer writes "removed (sharing with third parties, sale of personal data); promise removed (no sale of your
data); severity medium for the lost protection (the provision itself: low)": what happened, then its severity
part. Its change-set summary and the API's headline both say what happened without the severity part (a badge or
the sentence's start says it), and without an added or removed provision's list of types where more follows. One
definition here keeps the writer and its readers in step. The same holds for the summary's opening sentence ("16
changes assessed; highest severity medium."), which the notifier's subject replaces with its own count.
"""

from __future__ import annotations

import re

# The severity part at the end ("; severity unchanged (medium)", "; severity medium for the lost protection (the
# provision itself: low)", "; change rated medium for the lost protection"), one or more of them.
_SEVERITY_PART = re.compile(r"(?:; (?:severity|change rated) [^;]*)+$")
# The types an added or removed provision held ("removed (specific audiences (children, region-specific rights))").
_TYPES_LIST = re.compile(r"^(added|removed) \([^;]*\)")


def split_severity(description: str) -> tuple[str, str]:
    """Return (what happened, the severity part without its leading "; "); either may be empty."""
    match = _SEVERITY_PART.search(description)
    if match is None:
        return description, ""
    return description[: match.start()], match.group(0)[2:]


def without_type_list(description: str) -> str:
    """Return the description without an added or removed provision's list of types ("removed; promise removed")."""
    return _TYPES_LIST.sub(r"\1", description)


_SUMMARY_HEAD = re.compile(r"^(\d+) changes? assessed; highest severity \w+\.\s+(?=\S)")


def summary_head(count: int, top: str) -> str:
    """Return the opening sentence of a change set's summary: "16 changes assessed; highest severity medium."."""
    return f"{count} change{'s' if count != 1 else ''} assessed; highest severity {top}."


def split_summary_head(summary: str) -> tuple[int, str] | None:
    """Return (the number of changes, the rest of the summary) when it opens with `summary_head`, else None."""
    head = _SUMMARY_HEAD.match(summary)
    return (int(head.group(1)), summary[head.end() :]) if head else None


def severity_word(severity: str) -> str:
    """Return the word before "severity" in a badge or a change's line: "high", "medium", "low", and "no" for none
    ("none severity" read as a fault in the demo's e-mails, session 17)."""
    return "no" if severity == "none" else severity


# How the analyzer's description says a change takes something from users (assess_change's parts, decisions 0121,
# 0131, 0134, 0137): its summary, and the e-mail's list of changes, put those changes first.
# tests/unit/analyzer/test_records.py keeps these in step with the words assess_change writes.
LOSS_PARTS = (
    "user protection removed",
    "promise removed",
    "safeguard dropped",
    "exception to users' choices added",
    "opt-out mechanism removed",
)


def takes_away(description: str) -> bool:
    """Whether a change's description says it takes a protection from users."""
    return any(part in description for part in LOSS_PARTS)


def reading_rank(escalation: str | None, description: str) -> int:
    """Return where a change comes among equally severe ones, lowest first: one that escalates or takes something
    from users (0), an added or removed provision (1), a rewording whose severity moved (2), one whose did not (3).

    The change set's summary (the alert's subject) and the alert's list of changes follow it: Tinder's subject named
    "Reworded; … severity escalated from medium to high" while its e-mail listed a removed paragraph first (demo,
    session 18)."""
    if escalation == "escalated" or takes_away(description):
        return 0
    if description.startswith(("added", "removed")):
        return 1
    return 3 if "severity unchanged" in description else 2
