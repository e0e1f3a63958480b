"""Safeguards a provision promises in so many words, and which of them a rewording drops.

A modified provision can keep its clause types and its severity while losing the one word that protected users:
eharmony's "The messages sent between members via our Service are end-to-end encrypted" became "… are
encrypted" and was reported as a low "reworded" change (demo, session 13). Each safeguard below is a promise a
reader would notice losing; a modification whose old text makes it and whose new text no longer does takes a
protection away (decision 0131).

Matched on the whole old and new texts, so a safeguard that moves within the provision is not lost, and "never sell"
reworded to "do not sell" is the same promise.
"""

from __future__ import annotations

import re

_NEGATION = r"(?:never|not|n't|no longer)\s+(?:\w+\s+){0,5}?"
SAFEGUARDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("end-to-end encryption", re.compile(r"\bend[- ]to[- ]end\b", re.IGNORECASE)),
    ("encryption", re.compile(r"\bencrypt\w*", re.IGNORECASE)),
    ("anonymisation", re.compile(r"\b(?:anonymi[sz]\w*|pseudonymi[sz]\w*|de-?identif\w*)", re.IGNORECASE)),
    ("a promise not to sell", re.compile(rf"\b{_NEGATION}sell\w*\b", re.IGNORECASE)),
    ("a promise not to train AI on it", re.compile(rf"\b{_NEGATION}(?:train|training)\b", re.IGNORECASE)),
    ("a promise not to share", re.compile(rf"\b{_NEGATION}(?:share|disclose|rent)\w*\b", re.IGNORECASE)),
    (
        "your consent first",
        re.compile(
            r"\b(?:with|upon|after obtaining|subject to|based on) your\b[^.]{0,30}?\b(?:consent|permission)\b"
            r"|\b(?:ask|request|obtain|seek|get)\w* (?:for )?your\b[^.]{0,20}?\b(?:consent|permission)\b"
            r"|\bbasis (?:is|being|will be) your\b[^.]{0,20}?\bconsent\b|\bopt(?:s|ed|ing)?[- ]in\b",
            re.IGNORECASE,
        ),
    ),
)


_EMPHASIS = re.compile(r"[*_]+")


def safeguards_in(text: str) -> list[str]:
    """Return the names of the safeguards the text promises, in the order of SAFEGUARDS."""
    # Markdown emphasis is not a change of promise: "**_With your consent_**" says what "With your consent" says.
    visible = _EMPHASIS.sub(" ", text)
    return [name for name, pattern in SAFEGUARDS if pattern.search(visible)]


def lost_safeguards(old_text: str, new_text: str) -> list[str]:
    """Return the safeguards the old text promised and the new one no longer does ("end-to-end encryption" alone
    when only that qualifier went and the data stays encrypted)."""
    kept = set(safeguards_in(new_text))
    return [name for name in safeguards_in(old_text) if name not in kept]
