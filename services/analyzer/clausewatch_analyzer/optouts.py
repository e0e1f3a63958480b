"""Opt-out and control routes found in a provision's own words: email addresses, settings, URLs, links, forms.

Only what the text says is reported: "contact us at privacy@example.com" gives an email route, "through your
account settings" gives a settings route. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)
_SETTINGS = re.compile(
    r"\b(?:(?:your|the|our|in-app|app|account|privacy|profile|data|cookie|ad|advertising|notification|browser|device)\s+)+"
    r"(?:settings|preferences|controls|dashboard|privacy center|privacy centre)\b"
    r"|\bsettings\s*(?:>|›|→)\s*[\w &]+(?:\s*(?:>|›|→)\s*[\w &]+)*",
    re.IGNORECASE,
)
_LINKS = re.compile(
    r"\b(?:unsubscribe link|\"?do not sell(?: or share)?(?: my personal information)?\"? link|opt[- ]out link"
    r"|web form|online form|request form|privacy (?:request )?portal|toggle|global privacy control)\b",
    re.IGNORECASE,
)
_TRAILING = ".,;:)]}\"'"


@dataclass(frozen=True)
class OptOut:
    """One route the text offers: kind (email, setting, url, link), the value to use, and the sentence it is in."""

    kind: str
    value: str
    context: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self)


def _context(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, 0) if text.rfind(". ", 0, start) >= 0 else 0
    right = text.find(". ", end)
    right = len(text) if right < 0 else right + 1
    return text[left:right].strip()[:300]


def find_opt_outs(text: str) -> list[OptOut]:
    """Return the routes in the text, emails first, each value once."""
    found: list[OptOut] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, match: re.Match[str]) -> None:
        key = (kind, value.lower())
        if key not in seen:
            seen.add(key)
            found.append(OptOut(kind, value, _context(text, match.start(), match.end())))

    emails = list(_EMAIL.finditer(text))
    for match in emails:
        add("email", match.group(0).rstrip(_TRAILING), match)
    email_spans = [(m.start(), m.end()) for m in emails]
    for match in _SETTINGS.finditer(text):
        add("setting", " ".join(match.group(0).split()), match)
    for match in _URL.finditer(text):
        if any(s <= match.start() < e for s, e in email_spans):
            continue
        add("url", match.group(0).rstrip(_TRAILING), match)
    for match in _LINKS.finditer(text):
        add("link", " ".join(match.group(0).split()), match)
    return found
