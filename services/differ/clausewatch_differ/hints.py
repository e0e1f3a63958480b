"""Hints about what a modification did: expanded, narrowed, reworded, a number, modal, web, e-mail or postal address
changed, an opt-out, a list's closing conjunction passed on.

Lexical cues only, read from the word diff; the analyzer judges what they mean legally.
"""

from __future__ import annotations

import re
from collections import Counter

from clausewatch_differ.normalize import DATE_TOKEN, canonical_dates, strip_markup
from clausewatch_differ.postal import may_hold_postal, postal_parts, without_postal_parts
from clausewatch_shared.prose import ADDRESS, count_words, may_hold_address, words_phrase

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:\s?%)?")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")
_MODALS = (
    "may not",
    "must not",
    "will not",
    "shall not",
    "cannot",
    "can not",
    "may",
    "might",
    "can",
    "could",
    "will",
    "shall",
    "must",
    "should",
    "would",
)
_MODAL = re.compile(r"\b(" + "|".join(m.replace(" ", r"\s+") for m in _MODALS) + r")\b", re.IGNORECASE)
_OPT_OUT = re.compile(
    r"\bopt(?:ing)?[- ]?out\b|\bunsubscrib\w*|\bwithdraw\w*\s+(?:your\s+|their\s+)?consent|\bobject\s+to\b|"
    r"\bdo\s+not\s+sell\b|\bturn\s+off\b|\bdisable\b|\bdelete\s+your\b|\bright\s+to\s+(?:object|erasure|delete)",
    re.IGNORECASE,
)
# Said of a modification whose diff runs mostly move words: its words net of the moves are named instead of its
# first edit ("added "audio"" was a move), see `modification_hints`.
REARRANGED = "the rest rearranged"
_LEADING_NUMBER = re.compile(r"^\W*(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])[.)]?\s+", re.IGNORECASE)


def _without_addresses(text: str) -> str:
    return ADDRESS.sub(" ", text) if may_hold_address(text) else text


def _numbers(plain: str) -> Counter[str]:
    """The numbers of a text's visible words (`strip_markup` applied by the caller)."""
    # The digits of "https://example.com/v2", "dpo2@example.com" or "1 Ashley Road, WA14 2DT" are part of an address,
    # not numbers of the text.
    return Counter(
        n.replace(" ", "") for n in _NUMBER.findall(without_postal_parts(_without_addresses(plain)))
    )


def _addresses(text: str) -> Counter[str]:
    return Counter(ADDRESS.findall(text)) if may_hold_address(text) else Counter()


def _changed(noun: str, gone: list[str], came: list[str]) -> str:
    """ "modal changed may → will", "modal added: may", "number removed: 30"."""
    if gone and came:
        return f"{noun} changed {', '.join(gone)} → {', '.join(came)}"
    return f"{noun} added: {', '.join(came)}" if came else f"{noun} removed: {', '.join(gone)}"


# "May 5", "May 12th", "May, 2026" and "5 May" are dates, not the modal verb: taken out before modals are counted.
_MONTH_MAY = re.compile(r"\bMay\.?,?\s+\d{1,4}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?May\b")


def _modals(text: str) -> Counter[str]:
    return Counter(" ".join(m.lower().split()) for m in _MODAL.findall(_MONTH_MAY.sub(" ", text)))


def modification_hints(old: str, new: str, inserted: str, deleted: str) -> tuple[list[str], list[str]]:
    """Return (hints, readable details) for a provision that went from `old` to `new`.

    `inserted` and `deleted` are the texts the word diff marked as added and removed.
    """
    hints: list[str] = []
    details: list[str] = []
    if _renumbered(old, new):
        hints.append("renumbered")
        details.append("renumbered")
        return hints, details
    if only_dates_changed(old, new):
        # "Last updated: March 18, 2026" → "April 9, 2026" is a new date, not also a rewording (the change's first
        # edit shows which); the counts below would call it "reworded" (demo, session 15).
        return ["date_changed"], ["date changed"]
    if joint := _list_joint_changed(old, new):
        # "…any other person; and" → "…any other person;" when an item follows it: the list's wording, not this
        # item's, changed (Qwen, Zoom, TikTok; it read "narrowed" or "expanded", demo, session 17).
        return ["list_joint_changed"], [joint]
    dated_old, dated_new = canonical_dates(old), canonical_dates(new)
    if dated_old != old or dated_new != new:
        old_dates = set(DATE_TOKEN.findall(dated_old))
        new_dates = set(DATE_TOKEN.findall(dated_new))
        if old_dates != new_dates:
            hints.append("date_changed")
            details.append("date changed")
    # Numbers and postal addresses hold digits: where the digits are the same, neither changed (a street renamed
    # under the same number is left to the rewording), and most modifications skip both readings.
    digits_moved = Counter(_DIGITS.findall(old)) != Counter(_DIGITS.findall(new))
    # Both readings below take the visible words: stripped once per text.
    plain_old, plain_new = (strip_markup(old), strip_markup(new)) if digits_moved else ("", "")
    old_numbers, new_numbers = _numbers(plain_old), _numbers(plain_new)
    if old_numbers != new_numbers and "date_changed" not in hints:
        gone = sorted((old_numbers - new_numbers).elements())
        came = sorted((new_numbers - old_numbers).elements())
        hints.append("number_changed")
        details.append(_changed("number", gone, came))
    # Counted over whole texts, not the diff's fragments: "27th 2025" → "May 12th 2026" inserts a bare "May",
    # which only its neighbours show to be a month.
    old_modals, new_modals = _modals(old), _modals(new)
    if old_modals != new_modals:
        dropped, added_modals = old_modals - new_modals, new_modals - old_modals
        hints.append("modal_changed")
        details.append(_changed("modal", sorted(dropped), sorted(added_modals)))
    # Addresses are where users write, click or complain: a changed one is named whole (decision 0138).
    old_addresses, new_addresses = _addresses(old), _addresses(new)
    if old_addresses != new_addresses:
        gone = [f'"{a}"' for a in sorted((old_addresses - new_addresses).elements())]
        came = [f'"{a}"' for a in sorted((new_addresses - old_addresses).elements())]
        hints.append("address_changed")
        details.append(_changed("address", gone, came))
    old_postal, new_postal = postal_parts(plain_old), postal_parts(plain_new)
    if old_postal != new_postal:
        gone = [f'"{p}"' for p in (old_postal - new_postal).elements()]
        came = [f'"{p}"' for p in (new_postal - old_postal).elements()]
        # Which way it went matters to a reader: Grok's external DPO "Taceo Limited, … 2 Swan Lane" left the text
        # with nothing in its place, which "postal address changed" misreported (demo, session 17). "Added" or
        # "removed" only where the other side holds no address word at all: Tinder's "Block D, Iveagh Court Harcourt
        # Road" has no part the patterns take, and was replaced, not joined, by "42 Charlemont Street".
        if gone and came:
            direction = "changed"
        elif came:
            direction = "changed" if may_hold_postal(plain_old) else "added"
        else:
            direction = "changed" if may_hold_postal(plain_new) else "removed"
        hints.append(f"postal_address_{direction}")
        details.append(_changed("postal address", gone, came))
    old_opt, new_opt = len(_OPT_OUT.findall(old)), len(_OPT_OUT.findall(new))
    if new_opt > old_opt:
        hints.append("opt_out_added")
        details.append("opt-out added")
    elif new_opt < old_opt:
        hints.append("opt_out_removed")
        details.append("opt-out removed")
    # Counted as the change page counts them ("end-to-end" and an address are one word each), so the two never
    # disagree. An address replaced by another, and nothing else, is said above, not also as a rewording.
    added, removed = count_words(strip_markup(inserted)), count_words(strip_markup(deleted))
    if "address_changed" in hints and not count_words(_without_addresses(inserted + " " + deleted)):
        return hints, details
    if (added and not removed) or (added >= 2 * removed and added - removed >= 3):
        hints.append("expanded")
        details.append(f"expanded (+{words_phrase(added)})")
    elif (removed and not added) or (removed >= 2 * added and removed - added >= 3):
        hints.append("narrowed")
        details.append(f"narrowed (-{words_phrase(removed)})")
    elif added or removed:
        # The diff's runs may hide what a rearranged sentence gained: Qwen's "images[+ audio+] and [-audio-][+video+]"
        # inserts two words and deletes one, yet only "video" is new (it read "reworded; added "audio"", demo,
        # session 17). Counted over both texts, case aside, the words that only moved cancel out.
        more, fewer = _net_words(old, new)
        if more and not fewer:
            hints.append("expanded")
            details.append(f"expanded ({_listed('+', more)}; {REARRANGED})")
        elif fewer and not more:
            hints.append("narrowed")
            details.append(f"narrowed ({_listed('-', fewer)}; {REARRANGED})")
        else:
            hints.append("reworded")
            details.append("reworded")
    return hints, details


def _net_words(old: str, new: str) -> tuple[list[str], list[str]]:
    """Return the words the new text has more of and those it has fewer of (case aside), as first written."""
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    old_count = Counter(w.lower() for w in old_words)
    new_count = Counter(w.lower() for w in new_words)
    return _in_order(new_words, new_count - old_count), _in_order(old_words, old_count - new_count)


def _in_order(words: list[str], wanted: Counter[str]) -> list[str]:
    taken: list[str] = []
    for word in words:
        if wanted[word.lower()] > 0:
            wanted[word.lower()] -= 1
            taken.append(word)
    return taken


def _listed(sign: str, words: list[str]) -> str:
    """'+"video"', '-"information", "about"', or '+5 words' past four."""
    if len(words) > 4:
        return f"{sign}{words_phrase(len(words))}"
    return sign + ", ".join(f'"{w}"' for w in words)


def only_dates_changed(old: str, new: str) -> bool:
    """Return True if the two texts differ only in their dates ("Last updated: May 1, 2026" → "June 3, 2026")."""
    a = DATE_TOKEN.sub(" cwdate ", canonical_dates(strip_markup(old)))
    b = DATE_TOKEN.sub(" cwdate ", canonical_dates(strip_markup(new)))
    return old != new and _WORD.findall(a.lower()) == _WORD.findall(b.lower())


_JOINTS = (["and"], ["or"], ["and", "or"])


def _list_joint_changed(old: str, new: str) -> str:
    """Return 'list conjunction "and" dropped' (or added) when the texts differ only by an "and", "or" or "and/or"
    at the end, as a list item does when an item is added or removed after it; else ""."""
    if not (_ends_with_joint(old) or _ends_with_joint(new)):
        return ""  # most modifications: no word lists are built
    a, b = _WORD.findall(strip_markup(old).lower()), _WORD.findall(strip_markup(new).lower())
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    tail = longer[len(shorter) :]
    if not shorter or tail not in _JOINTS or longer[: len(shorter)] != shorter:
        return ""
    return f'list conjunction "{"/".join(tail)}" {"added" if longer is b else "dropped"}'


def _ends_with_joint(text: str) -> bool:
    return text.rstrip(" \t\n;,.:*_").lower().endswith((" and", " or", "/or"))


def _renumbered(old: str, new: str) -> bool:
    """Return True if the two texts differ only in a leading number ("3. Sharing" → "4. Sharing")."""
    a = strip_markup(old).strip().lstrip("#*-+ ").strip()
    b = strip_markup(new).strip().lstrip("#*-+ ").strip()
    rest_a, rest_b = _strip_numbers(a), _strip_numbers(b)
    if rest_a == a and rest_b == b:
        return False
    # Numbers added, dropped or changed in front of the same words ("1. Scope" → "Scope", "3." → "4.").
    words_a = _WORD.findall(rest_a.lower())
    return bool(words_a) and words_a == _WORD.findall(rest_b.lower())


def _strip_numbers(text: str) -> str:
    """Return text without its leading numbering ("1. 1.2 Scope" → "Scope")."""
    while True:
        match = _LEADING_NUMBER.match(text)
        if match is None:
            return text
        text = text[match.end() :]


def cosmetic_kinds(old: str, new: str) -> list[str]:
    """Return what kind of cosmetic difference separates two texts with the same words."""
    if old == new:
        return []
    if " ".join(old.split()) == " ".join(new.split()):
        return ["whitespace"]
    kinds: list[str] = []
    old_plain, new_plain = strip_markup(old), strip_markup(new)
    if old_plain == new_plain or " ".join(old_plain.split()) == " ".join(new_plain.split()):
        return ["link_target"]
    if old_plain.lower() == new_plain.lower():
        return ["case"]
    strip = re.compile(r"[*_`#>|]+")
    if strip.sub("", old_plain).split() == strip.sub("", new_plain).split():
        kinds.append("formatting")
    elif (
        canonical_dates(old_plain) != old_plain
        and canonical_dates(old_plain).lower().split() == canonical_dates(new_plain).lower().split()
    ):
        kinds.append("date_format")
    elif _WORD.findall(old_plain.lower()) == _WORD.findall(new_plain.lower()):
        kinds.append("punctuation" if old_plain.lower() != new_plain.lower() else "case")
    else:
        kinds.append("formatting")
    return kinds
