"""Which way a provision's words point: whether it limits users rather than protecting them, and whether a clause
denies the practice it names.

`protects_users` (decision 0121) is a property of a clause type: access and deletion, choices, security and
region-specific rights usually state what users may do. Some provisions of those types say the opposite: "we may
reject requests that are manifestly unfounded", "we are not required to delete data we must keep by law". Removing
such a provision takes nothing from users, so it must not be rated as a lost protection (decision 0129).

Lexical and deliberately narrow: a text limits users when it says what the company may refuse, charge, delay or is
not obliged to do, and does not also grant a right in the same words. A practice is denied when a "not", "never" or
"no longer" stands before it in the same clause (`denied`, decision 0137).
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


# A clause ends at a sentence or list mark, where a contrast starts ("we do not sell it, but we share it…") and where a
# condition starts ("we cannot suggest matches if you do not provide … your sexual preferences").
_CLAUSE_BREAK = re.compile(
    r"[.;:!?\n]|\b(?:but|however|except|unless|although|though|whereas|while|other than|if)\b", re.IGNORECASE
)
# The user's own "not" ("if you do not provide…", "you must not share…") denies nothing the company does.
_DENIAL = re.compile(
    r"(?<!\byou )(?<!\byou do )(?<!\byou do)(?<!\byou must )(?<!\byou should )"
    r"(?:\bnot\b|\bnever\b|\bneither\b|\bnor\b|\bno longer\b|n't\b)",
    re.IGNORECASE,
)
_DENIAL_REACH = 160  # characters: a denial further back governs another clause, in practice


def denied(text: str, start: int) -> bool:
    """Whether the clause around text[start:] denies what stands there: "we do not sell personal information or
    share it for targeted advertising" denies "advertising"; "we do not sell it, but we use it for advertising" does
    not (decision 0137)."""
    before = text[max(0, start - _DENIAL_REACH) : start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    return _DENIAL.search(clause) is not None
