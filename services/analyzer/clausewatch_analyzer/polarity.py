"""Whether a provision limits users rather than protecting them, read from its own words.

`protects_users` (decision 0121) is a property of a clause type: access and deletion, choices, security and
region-specific rights usually state what users may do. Some provisions of those types say the opposite: "we may
reject requests that are manifestly unfounded", "we are not required to delete data we must keep by law". Removing
such a provision takes nothing from users, so it must not be rated as a lost protection (decision 0129).

Lexical and deliberately narrow: a text limits users when it says what the company may refuse, charge, delay or is
not obliged to do, and does not also grant a right in the same words.
"""

from __future__ import annotations

import re

_LIMITS = re.compile(
    r"\bwe (?:may|can|might|will|reserve the right to)\s+(?:\w+\s+){0,2}?"
    r"(?:reject|refuse|deny|decline|charge|limit|restrict|delay|extend|ignore"
    r"|not (?:be able to |always )?(?:respond|comply|honou?r|fulfil|fulfill|act|process|delete|grant))\w*"
    r"|\b(?:are|is|be) not (?:required|obliged|obligated|able) to\b"
    r"|\b(?:requests?|rights?) (?:may|can|will) be (?:refused|rejected|denied|limited|restricted)\b"
    r"|\bmay be exempt\b|\bexemptions? (?:may )?appl(?:y|ies)\b|\bexceptions? (?:may )?appl(?:y|ies)\b",
    re.IGNORECASE,
)
_GRANTS = re.compile(
    r"\byou (?:have|has|will have|also have) (?:the |a |certain )?rights?\b|\bright to\b"
    r"|\byou (?:can|may) (?:\w+ )?(?:request|ask|object|opt|withdraw|delete|access|correct|lodge|complain|exercise"
    r"|choose|turn|change|manage|disable|update|download|export)\b",
    re.IGNORECASE,
)


def limits_users(text: str) -> bool:
    """Whether the text only limits users: it states what the company may refuse or need not do, and no right."""
    return _LIMITS.search(text) is not None and _GRANTS.search(text) is None
