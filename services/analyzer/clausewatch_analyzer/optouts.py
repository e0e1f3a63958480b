"""Opt-out and control routes found in a provision's own words: email addresses, settings, URLs, links, forms.

Only what the text says is reported: "contact us at privacy@example.com" gives an email route, "through your
account settings" gives a settings route. Nothing is guessed.

Not every address is a way to act on the provision. Each route carries a purpose read from its own sentence:
"complaint" (a data protection authority's address or list of them), "information" ("for more information, read
our Cookie Policy at https://…") or "control" (everything else: the ways to opt out, object, delete, ask). Only
control routes are opt-outs (decision 0128: the demo told users to "object to this use of your data" through the
European Commission's list of data protection authorities).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from clausewatch_shared.prose import visible_text

# Markdown escapes a local part's "_" ("rep\_tinder@prighter.com", Tinder's UK representative): the escape is read as
# part of the address and dropped from its value (`_MARKDOWN_ESCAPE`), not taken for its end ("_tinder@…", session 30).
_EMAIL = re.compile(r"\b(?:[A-Za-z0-9._%+-]|\\[_.-])+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_MARKDOWN_ESCAPE = re.compile(r"\\(?=[_.-])")
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
# Words of acting on one's data. Narrow where a word has other senses in policies (session 26): "the controller of
# your personal data" controls nothing, "restrict access to any content", "requests from law enforcement" and "our
# failure to exercise or enforce any right" are no way to act, "changes to this policy" change nothing of the
# reader's.
_CONTROL_WORDS = re.compile(
    r"\b(?:opt(?:ing)?[- ]?out|opt[- ]?in|unsubscrib\w*|object\w*|withdraw\w*|delet\w*|eras\w*|disabl\w*|"
    r"turn(?:ing)? (?:it |this |them )?off|manage|controls?|controlling|correct\w*|rectif\w*|"
    r"exercis\w* (?!our\b)(?:(?:any of )?(?:your|these|those|their|such|the|all) )?(?:[\w-]+ )?(?:rights?|choices?|options?)|"
    r"chang(?:e|ing) (?:your|these|this|the|its|their) (?:\w+ ){0,2}(?:settings?|preferences?|permissions?|choices?|"
    r"consent|options?)|"
    r"access(?:ing)?(?: and \w+)? (?:to )?(?:your|some|all|a copy|personal|the (?:personal )?(?:data|information))|"
    r"(?:submit|make|send|file)\w* (?:a |your )?(?:\w+ )?requests?|"
    r"request(?:s|ing)? (?:to|that|access|deletion|a copy|correction|erasure)|request form|"
    r"do not sell|contact(?:ing)? us|email us|e-mail us|write to us|reach us|ask us|let us know|tell us|tell our (?:customer|support|privacy|data)|"
    r"contact (?:our|the) (?:customer|support|privacy|data|team)|deactivat\w*|close (?:your|the) account|"
    r"(?:download|export)\w* (?:a copy of )?(?:your|the documents|a copy)|your (?:written )?request|"
    r"(?:you (?:can|may) (?:also |always )?|to )block|block(?:ing)? (?:our|cookies|tracking|ads)|"
    r"report(?:ing)? (?:it|them|content|abuse|a|an|this|that|unwanted))\b",
    re.IGNORECASE,
)
# Among them, the words that offer a way out of what the text describes ("you may opt out of arbitration"), not only
# a way to act on one's data (decision 0187).
_AVOIDING = re.compile(
    r"\b(?:opt(?:ing)?[- ]?out|object\w*|withdraw\w*|disabl\w*|turn(?:ing)? (?:it |this |them )?off|unsubscrib\w*|"
    r"stop\w*|refus\w*|declin\w*|do not sell|(?:choose|decide|elect) not to)\b",
    re.IGNORECASE,
)
_COMPLAINT_WORDS = re.compile(
    r"\b(?:complain\w*|supervisory authorit\w*|data protection authorit\w*|regulators?|ombudsman|"
    r"commissioners?|ico|cnil|edpb|attorney general)\b",
    re.IGNORECASE,
)
_INFORMATION_WORDS = re.compile(
    r"\b(?:more information|further information|more details|further details|for details|learn more|"
    r"find out more|read (?:our|the|these|this|more)|see (?:our|the|these|this)|refer to|can be found|"
    r"available (?:here|at|on)|described in|set out in|explained in)\b"
    # A sentence that is only a pointer: Grok's "… you can object … in your settings. See [Consumer FAQs](…)." offered
    # the FAQ as a way to object (session 20).
    r"|^\W*(?:please )?see\b",
    re.IGNORECASE,
)


# A web page that is itself a way to act: "https://x.com/settings/account", "…/requests/new", "…#privacyRequest",
# an account site ("https://account.gotinder.com/data").
_CONTROL_PAGE = re.compile(
    r"[/#?=._-](?:settings|preferences|opt[-_]?outs?|choices|privacy[-_]?(?:center|centre|choices|requests?|portal)|"
    r"dashboard|unsubscribe|requests?(?:/new)?|dsars?|data[-_]?(?:requests?|rights)|your[-_]\w+[-_]data|contact|"
    r"consent|ad[-_]?(?:settings|preferences|choices))\b"
    r"|^https?://(?:my)?accounts?\.",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OptOut:
    """One route the text offers: kind (email, setting, url, link), the value to use, the sentence it is in, and
    what it is for (control, complaint or information)."""

    kind: str
    value: str
    context: str
    purpose: str = "control"

    @property
    def offers_a_way_out(self) -> bool:
        """Whether its sentence offers it as a way out ("opt out", "object", "turn off"), not only a way to act."""
        return _AVOIDING.search(self.context) is not None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self)


def _context(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, 0) if text.rfind(". ", 0, start) >= 0 else 0
    right = text.find(". ", end)
    right = len(text) if right < 0 else right + 1
    return text[left:right].strip()[:300]


@lru_cache(maxsize=64)
def _as_read(text: str) -> str:
    """`visible_text`, kept for the provision every route of it is read in (a string caches its own hash)."""
    return visible_text(text)


def purpose_of(sentence: str, provision: str = "", kind: str = "email", route: str = "") -> str:
    """Return what a route in this sentence is for: "control" when the sentence speaks of acting on one's data
    (opting out, objecting, deleting, contacting the company), else "complaint" or "information" when it names an
    authority or points to more reading. A sentence that says neither ("…the ICO at casework@ico.org.uk") is read
    in its provision (a web address is a control by its own sentence only). When that says nothing either, an e-mail
    address, a setting or a form is still a way to act ("control"), and so is a web address whose path is a settings,
    choices or request page; another web address is a page to read ("information": a contents entry, a footer's "Code
    of Conduct", "our Community Guidelines" offered as ways to act on the provision read "Use https://… to request
    …")."""
    # The words as read, not the Markdown: "you can always [block](…) and [report](…)".
    sentence, provision = _as_read(sentence), _as_read(provision)
    if kind == "url" and _CONTROL_PAGE.search(route) and not _COMPLAINT_WORDS.search(sentence):
        # A settings, choices or request page is a way to act whatever else its sentence says, unless the sentence
        # names an authority (the Irish regulator's contact page is for complaints).
        return "control"
    for own, context in ((True, sentence), (False, provision)):
        # A web address is a way to act by its own sentence's words (or its page, below), not by the provision's: a
        # provision that speaks of settings somewhere made its "Match Group family of businesses" link a control.
        if _CONTROL_WORDS.search(context) and (own or kind != "url"):
            return "control"
        if _COMPLAINT_WORDS.search(context):
            return "complaint"
        if _INFORMATION_WORDS.search(context):
            return "information"
    return "information" if kind == "url" else "control"


def find_opt_outs(text: str) -> list[OptOut]:
    """Return the routes that let users act on the provision (purpose "control"), emails first, each value once."""
    return [route for route in find_routes(text) if route.purpose == "control"]


def find_routes(text: str) -> list[OptOut]:
    """Return every route in the text with its purpose, emails first, each value once."""
    found: list[OptOut] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, match: re.Match[str]) -> None:
        key = (kind, value.lower())
        if key not in seen:
            seen.add(key)
            context = _context(text, match.start(), match.end())
            found.append(OptOut(kind, value, context, purpose_of(context, text, kind, value)))

    emails = list(_EMAIL.finditer(text))
    for match in emails:
        add("email", _MARKDOWN_ESCAPE.sub("", match.group(0)).rstrip(_TRAILING), match)
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
