"""Safeguards a provision promises in so many words, and which of them a rewording drops.

A modified provision can keep its clause types and its severity while losing the one word that protected users:
eharmony's "The messages sent between members via our Service are end-to-end encrypted" became "… are
encrypted" and was reported as a low "reworded" change (demo, session 13). Each safeguard below is a promise a
reader would notice losing; a modification whose old text makes it and whose new text no longer does takes a
protection away (decision 0131).

Matched on the whole old and new texts, so a safeguard that moves within the provision is not lost, and "never sell"
reworded to "do not sell" is the same promise.

A provision removed whole takes its promises with it (decision 0137): Grok's "We do not sell your personal
information or use it for marketing" went in a change that added "Deliver relevant content and targeted
advertising". Only the promises a removal most clearly takes away count there (`REMOVAL_PROMISES`): over the kit's
histories, "encryption", "anonymisation" and "your consent first" in removed provisions were as often a product name
("Encrypted Messages"), a heading or a description of the right to withdraw consent as a promise.
"""

from __future__ import annotations

import re
from collections.abc import Collection

# ("n't" has no word boundary before it, so each alternative carries its own; the apostrophe may be typographic.
# The law's words are often quoted: we do not "sell" or "share". A condition ends the denial: "we don't store
# streaming content when you share your screen" promises nothing about sharing.)
_NEGATION = (
    r"(?:\bnever|\bnot|n['’]t|\bno longer)\s+"
    r"(?:(?!(?:when|if|where|because|unless|while)\b)[\w\"“”'‘’]+\s+){0,5}?[\"“'‘]?"
)
SAFEGUARDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("end-to-end encryption", re.compile(r"\bend[- ]to[- ]end\b", re.IGNORECASE)),
    ("encryption", re.compile(r"\bencrypt\w*", re.IGNORECASE)),
    ("anonymisation", re.compile(r"\b(?:anonymi[sz]\w*|pseudonymi[sz]\w*|de-?identif\w*)", re.IGNORECASE)),
    ("no sale of your data", re.compile(rf"{_NEGATION}sell\w*\b", re.IGNORECASE)),
    ("no AI training on your data", re.compile(rf"{_NEGATION}(?:train|training)\b", re.IGNORECASE)),
    ("no sharing of your data", re.compile(rf"{_NEGATION}(?:share|disclose|rent)\w*\b", re.IGNORECASE)),
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
# The denials above are promises only with the company as speaker. A sentence that opens with them is an instruction
# to the reader ("Don't send messages or share content…", a "Do Not Sell My Personal Information" link), and a denial
# right after "you" is the user's duty or choice ("you must not share your password", "if you do not want us to…").
_DENIALS = frozenset({"no sale of your data", "no AI training on your data", "no sharing of your data"})
_IMPERATIVE = re.compile(r"(?:\A|[.:;!?]\s+|\n\s*|\[)(?:please\s+)?(?:do\s*)?\Z", re.IGNORECASE)
_USERS_OWN = re.compile(r"\byou(?:\s+\w+)?\s*\Z", re.IGNORECASE)


def _promised(name: str, pattern: re.Pattern[str], text: str) -> bool:
    if name not in _DENIALS:
        return pattern.search(text) is not None
    return any(
        not _IMPERATIVE.search(text, 0, m.start())
        and not _USERS_OWN.search(text, max(0, m.start() - 40), m.start())
        for m in pattern.finditer(text)
    )


def safeguards_in(text: str) -> list[str]:
    """Return the names of the safeguards the text promises, in the order of SAFEGUARDS."""
    # Markdown emphasis is not a change of promise: "**_With your consent_**" says what "With your consent" says.
    visible = _EMPHASIS.sub(" ", text)
    return [name for name, pattern in SAFEGUARDS if _promised(name, pattern, visible)]


def lost_safeguards(old_text: str, new_text: str) -> list[str]:
    """Return the safeguards the old text promised and the new one no longer does ("end-to-end encryption" alone
    when only that qualifier went and the data stays encrypted)."""
    kept = set(safeguards_in(new_text))
    return [name for name in safeguards_in(old_text) if name not in kept]


REMOVAL_PROMISES = ("end-to-end encryption", *sorted(_DENIALS))


def removed_promises(old_text: str, kept_elsewhere: Collection[str]) -> list[str]:
    """Return the promises (of REMOVAL_PROMISES) a removed provision made that `kept_elsewhere`, the promises of the
    provisions added in the same change set, does not make again."""
    return [s for s in safeguards_in(old_text) if s in REMOVAL_PROMISES and s not in kept_elsewhere]
