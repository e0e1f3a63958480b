"""A cheap gate before each rule's regular expression: the literal words any match of it must contain.

Most sentences match none of a clause type's patterns, and ~200 regex scans per sentence were most of the rules'
cost. Each pattern's parse tree tells which literal strings every match must contain (one of a set, for an
alternation); a substring test on the case-folded sentence rules a pattern out before its regex runs. The gate is
derived from the patterns themselves, so an edited taxonomy never needs a hand-kept keyword list, and it is only
ever conservative: a pattern whose necessary literals cannot be worked out (no literal run, a non-ASCII literal, a
back-reference...) is always run. tests/unit/analyzer/test_prefilter.py checks identical hits on real corpora.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# The non-ASCII characters Python's re.IGNORECASE treats as equal to an ASCII letter (İ, ı ~ i; ſ ~ s; Kelvin ~ k):
# the sentence is folded through this table before lower() so a gate never rules out a sentence re would match.
# (tests/unit/analyzer/test_prefilter.py scans every code point to keep the table complete.)
RE_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_ZERO_WIDTH = {sre.AT}


def fold(text: str) -> str:
    """The form of a sentence that gates test against: ASCII-folded as re would, then lower-cased."""
    return text.translate(RE_ASCII_FOLDS).lower()


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    # The most selective set: the longest shortest literal, then the fewest alternatives.
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _branch(alternatives: list[Any]) -> frozenset[str] | None:
    found = [_necessary(alt) for alt in alternatives]
    if any(f is None for f in found):
        return None  # one alternative needs nothing we know: the alternation needs nothing
    return frozenset().union(*(f for f in found if f is not None))


def _child(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _necessary(av[-1])
    if op is sre.BRANCH:
        return _branch(av[1])
    if op in _REPEATS:
        low, _high, item = av
        return _necessary(item) if low >= 1 else None
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _necessary(av)
    return None  # classes, lookarounds, back-references, ANY: no literal known


def _necessary(items: Any) -> frozenset[str] | None:
    """A set of lower-case strings one of which every match of the sequence `items` contains, or None."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL and chr(av).isascii():
            run.append(chr(av).lower())
            continue
        if op in _ZERO_WIDTH:
            continue  # \b, ^, $ consume nothing: the literals either side are adjacent in the match
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        child = _child(op, av)
        if child:
            candidates.append(child)
    if run:
        candidates.append(frozenset({"".join(run)}))
    return _best(candidates)


def required_literals(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The literals (lower-case) of which every match of `regex` contains at least one; None when unknown."""
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    found = _necessary(parsed.data)
    return found if found and all(found) else None
