"""Which way a provision's words point: whether it limits users rather than protecting them, and whether a clause
denies the practice it names.

`protects_users` (decision 0121) is a property of a clause type: access and deletion, choices, security and
region-specific rights usually state what users may do. Some provisions of those types say the opposite: "we may
reject requests that are manifestly unfounded", "we are not required to delete data we must keep by law". Removing
such a provision takes nothing from users, so it must not be rated as a lost protection (decision 0129).

Lexical and deliberately narrow: a text limits users when it says what the company may refuse, charge, delay or is
not obliged to do, and does not also grant a right in the same words. A practice is denied when a "not", "never" or
"no longer" stands before it in the same clause and governs a practice verb (`denied`, decisions 0137 and 0141),
and a sentence denies it outright when no exception follows (`denies_practice`); a "not" that the reader's choice
governs ("you can ask us not to share") denies nothing (0202). Some words name a practice and neither state nor deny
the company's: advice to the reader ("Never share your password", "we do not recommend that you put …"), the
businesses a law binds, a question the law asks, a section's title pointed to (`names_no_practice`, 0196, 0197,
0200)."""

from __future__ import annotations

import re
from typing import NamedTuple

from clausewatch_analyzer.segment import ABBREVIATIONS

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
# The user's own "not" ("if you do not provide…", "you must not share…") denies nothing the company does. The
# apostrophe may be typographic: Discord's "We don’t make money from selling your personal information" read as a
# sale of data, high (session 20).
_DENIAL = re.compile(
    r"(?<!\byou )(?<!\byou do )(?<!\byou do)(?<!\byou must )(?<!\byou should )"
    r"(?:\bnot\b|\bnever\b|\bneither\b|\bnor\b|\bno longer\b|n['’]t\b)",
    re.IGNORECASE,
)
# A "not" that a choice or a request governs is the reader's choice, not the company's denial: Pinterest's "You can
# choose for us not to share your information with other sites to personalize those ads" read as a promise not to
# share (decision 0202). The practice is what happens unless the reader chooses otherwise.
_CHOICE_BEFORE = re.compile(
    r"\b(?:choose|chooses|chose|chosen|opts?|opted|asks?|asked|requests?|requested|tells?|told|instructs?|instructed"
    r"|directs?|directed|prefers?|preferred|elects?|elected)\s+(?:(?:for|that)\s+)?"
    r"(?:(?:us|we|them|it|(?-i:[A-Z][\w.&]+))\s+)?$",
    re.IGNORECASE,
)
_OUR_CHOICE = re.compile(r"\bwe\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _readers_choice(before_denial: str) -> bool:
    """Whether the words before a "not" are a choice or request that governs it, made by anyone but the company ("you
    can ask us not to", not "we have chosen not to")."""
    choice = _CHOICE_BEFORE.search(before_denial)
    return choice is not None and _OUR_CHOICE.search(before_denial, 0, choice.start()) is None


# An abbreviation's stop ends no clause: DeepSeek's "not designed or intended to process sensitive Personal Data
# (e.g., … genetic or biometric data …)" denies the biometric data too (session 20).
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in (*ABBREVIATIONS, "incl.", "viz.")) + ")", re.IGNORECASE
)
# Characters: a denial further back governs another clause, in practice. 160 missed Zoom's "Zoom does not use any of
# your audio, video, chat, … (such as poll results, whiteboard and reactions) to train … models" (session 20; over the
# bundled histories' 7,145 paragraphs, 240 changes six, each a denial read right; scripts in decision 0158).
_DENIAL_REACH = 240


# Words between a denial and the verb it governs: adverbs ("not knowingly collect", any "-ly"), auxiliaries.
_FILLER = frozenset(
    {"ever", "and", "or", "will", "would", "be", "been", "being", "have", "has", "do", "does", "to", "any"}
    | {"also", "yet", "otherwise", "longer", "at", "all"}
)
# Idioms between a denial and its verb: "The Company is not in the business of selling your information" (session 30).
_IDIOM_FILLER = re.compile(r"\bin the business of\b", re.IGNORECASE)
# The verbs a denied practice is made of: a "not" before another verb denies that verb ("does not apply to
# products provided by any third party", "we are not responsible for any third party's use"), not the practice.
_PRACTICE_VERB = re.compile(
    r"(?:sell|sold|sale|shar|disclos|use|used|using|collect|process|transfer|track|train|rent|stor|keep|kept|retain"
    r"|mak|target|provid|giv|trad|permit|allow|let|send|sent|show|display|publish|combin|link|infer|profil"
    r"|monitor|record|scan|access|exchang|engag|rel[yi]|direct|intend|aim|design|offer|market|visibl|availabl"
    r"|seek|sought|request|ask|obtain|receiv|buy|purchas|licens|pass|transmit|upload|analy[sz]|advertis"
    r"|extract|mine|mining)",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[\w'’]+")
# "No" right before the practice's words denies it (Cursor's heading-like "No automated decisions: Anysphere does not
# make decisions based solely on automated processing…" read as automated decisions with significant effects, session
# 26). Only right before: "no" elsewhere governs other words ("at no cost we share…").
_NO_BEFORE = re.compile(r"(?<![\w'’])no[\s*_]+$", re.IGNORECASE)


# "Do Not Track" is the name of a browser signal, not a denial: "how we respond to “do not track” signals", "the
# Do Not Track setting". Quoted, title-cased or followed by what it names, it is masked before denials are read.
_SIGNAL_NAME = re.compile(
    r"[\"“‘']\s*do[- ]not[- ]track\b|(?-i:\bDo[- ]Not[- ]Track\b)"
    r"|\bdo[- ]not[- ]track\b(?=[\"”’']?\s*\(?(?:dnt\b|signals?|requests?|settings?|preferences?|mechanisms?"
    r"|features?|headers?|options?|browser|standard|technolog|instructions?|function))",
    re.IGNORECASE,
)


def _mask_signal_names(text: str) -> str:
    return _SIGNAL_NAME.sub(lambda m: "#" * len(m.group(0)), text)  # no word, no clause break


# A question reported, not answered: Bumble's "This law also requires operators … to disclose whether third parties
# may collect personal information …", "… to disclose how they respond to …" state no practice (decision 0189).
_REPORTED_QUESTION = re.compile(
    r"\b(?:(?:disclose|state|say|explain|tell|inform|ask)\s+(?:\w+\s+){0,3}?whether|disclose\s+how)\b",
    re.IGNORECASE,
)


# An imperative addressed to the reader denies nothing the company does: Snapchat's "Don't send messages or share
# content that you wouldn't want someone to save or share" is advice (decision 0196). Only at the start of a sentence,
# followed by a lower-case verb: after a "but" the subject is carried over ("we share it, but never sell it"), and
# "Do Not Sell My Personal Information" names a link. The company's recommendation to the reader is advice too: "We
# also do not recommend that you put email addresses, … credit card details … and other sensitive information … on
# your profile" read as sensitive data collected, medium (decision 0200). Not "we ask you to provide …", a request
# for data. A step through the app's menus is an instruction too: "Select Advertising and follow the on-screen
# instructions" (an opt-out route, Snapchat's) read as targeted advertising, medium (decision 0204): an imperative that
# picks a control by its capitalised name.
_ADVICE_OPENING = re.compile(
    r"[\W\d_]*(?:(?:"
    r"(?:please\s+)?(?:do\s+not|don['’]t|never)\s+"
    r"(?!(?:will|would|do|does|did|have|has|had|be|is|are|was|were|can|could|shall|should|may|might|must)\b)"
    r"|we\s+(?:(?:also|strongly|therefore|would|do\s+not|don['’]t)\s+)*"
    r"(?:recommend|encourage|advise|urge|suggest)s?\s+(?:that\s+)?you\s+"
    r"(?:(?:do\s+not|don['’]t|not|never|always|also|only|to|should(?:\s+not)?)\s+)*"
    r")(?-i:[a-z])"
    r"|(?:select|tap|click(?:\s+on)?|go\s+to|navigate\s+to|toggle)\s+[\"“'‘]?(?-i:[A-Z]))",
    re.IGNORECASE,
)


# A subject after an imperative starts a statement of its own: "Don't worry, we share it only with processors".
_SUBJECT = re.compile(r"\b(?:we|you|they|it|he|she|i)\b", re.IGNORECASE)


class _Clause(NamedTuple):
    """The clause a practice's words stand in, up to them; the word the practice's words open with ("" where a masked
    signal name stands there); and where an imperative opening the clause ends (0 when it opens with none)."""

    text: str
    practice_word: str
    advice_end: int = 0

    @property
    def advises(self) -> bool:
        """Whether the clause is advice to the reader up to its end: it opens with an imperative and no subject of
        its own follows ("Never share your password with", not "Don't worry, we share")."""
        return self.advice_end > 0 and _SUBJECT.search(self.text, self.advice_end) is None


def _clause_before(masked: str, start: int) -> _Clause:
    """The clause masked[start:] stands in, up to `start` (`masked`: the text with the signal's names masked):
    denials and questions further back govern other words."""
    word = _WORDS.match(masked, start)
    practice_word = "" if word is None else word.group()
    window = max(0, start - _DENIAL_REACH)
    before = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", " "), masked[window:start])
    last_break = next(reversed(list(_CLAUSE_BREAK.finditer(before))), None)
    if last_break is None and window > 0:
        return _Clause(before, practice_word)  # where the sentence opens is out of reach
    if last_break is not None and last_break.group(0)[0].isalpha():
        # after "but", "if": the subject carries over
        return _Clause(before[last_break.end() :], practice_word)
    opening = 0 if last_break is None else last_break.end()
    # The imperative's verb may be the practice itself ("Never share"), so it is read on from the clause's start.
    advice = _ADVICE_OPENING.match(masked, window + opening)
    return _Clause(before[opening:], practice_word, 0 if advice is None else advice.end() - window - opening)


def denied(text: str, start: int) -> bool:
    """Whether the clause around text[start:] denies what stands there: "we do not sell personal information or
    share it for targeted advertising" denies "advertising"; "we do not sell it, but we use it for advertising" does
    not, nor does a "not" governing another verb ("the policy does not apply to services provided by third
    parties"; decisions 0137, 0141)."""
    return _denied_in(_clause_before(_mask_signal_names(text), start))


def _denied_in(clause: _Clause) -> bool:
    """`denied`, on the clause before the practice."""
    if _NO_BEFORE.search(clause.text):
        return True  # "No automated decisions: …", "there is no sale of your data"
    last = None
    for match in _DENIAL.finditer(clause.text):
        last = match  # the last denial governs what follows it
    if last is None:
        return False
    if last.start() < clause.advice_end:
        return False  # "Don't send messages or share content …": advice to the reader, no practice denied
    if _readers_choice(clause.text[: last.start()]):
        # "You can choose for us not to share your information": the reader's choice; sharing is the default
        return False
    for word in _WORDS.findall(_IDIOM_FILLER.sub(" ", clause.text[last.end() :])):
        lower = word.lower().strip("'’")
        if lower in _FILLER or lower.endswith("ly"):
            continue
        return _PRACTICE_VERB.match(lower) is not None
    # Nothing between the denial and the practice's words: "we do not sell", but not "we do not respond to “Do Not
    # Track” signals", whose "not" governs "respond" (decision 0202: read as a promise not to track, Reddit).
    return _PRACTICE_VERB.match(clause.practice_word.lower().strip("'’")) is not None


# After the practice, words that turn a denial into a rule with exceptions: "we do not share your data except with
# our processors" describes sharing; "we will not share it without your consent" sharing with consent.
_EXCEPTION = re.compile(
    r"\b(?:except|unless|other than|apart from|save for|without (?:your|the user's|their)|but|only|however)\b",
    re.IGNORECASE,
)


def practice_start(text: str, start: int, end: int) -> int:
    """Where the practice named by the phrase text[start:end] begins: at its first practice verb. A rule's phrase may
    open with its subject and a denial ("We never pass your details on to", "we do not sell"), and the denial must be
    read before the verb it governs, not before the phrase (decision 0189)."""
    for word in _WORDS.finditer(text, start, end):
        if _PRACTICE_VERB.match(word.group()):
            return word.start()
    return start


def denies_practice(sentence: str, start: int, end: int | None = None) -> bool:
    """Whether the sentence states that the practice at sentence[start:] does not happen: it is denied in its
    clause (`denied`) and no exception follows in the sentence ("We do not sell personal information or share
    it for targeted advertising", but not "We do not share your data except with processors"; decision 0141).
    With `end`, sentence[start:end] is the phrase that names the practice, and a denial inside it counts."""
    return _denies_in(_mask_signal_names(sentence), start, end)


def _denies_in(masked: str, start: int, end: int | None) -> bool:
    """`denies_practice` on the sentence with the signal's names masked."""
    if end is not None:
        start = practice_start(masked, start, end)
    # From the practice's start: a rule's phrase may run on into the exception ("share … except with …").
    return _denied_in(_clause_before(masked, start)) and _EXCEPTION.search(masked, start) is None


# A practice whose subject is the businesses a law binds: "The CCPA sets forth certain obligations for businesses that
# sell personal information" describes the law, not the company (session 30). Only after the law's words: "our
# affiliated organizations that process information for us" and "advertising companies that collect …" are parties
# the company deals with.
_GENERIC_SUBJECT = re.compile(
    r"\b(?:obligations?|requirements?|duties|rules|applies|apply|requires?|required)\s+(?:\w+\s+){0,2}?"
    r"(?:businesses|companies|operators)\s+(?:that|which|who)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


# A practice's words inside the title of a section or page the text points to: "Please see “Profile Verification
# Information (Including Biometric Information)” in Section 2" (Bumble's retention paragraph, read as biometric
# data, high; session 30).
_POINTER_TITLE = re.compile(
    r"\b(?:see|read|visit|review|refer to|(?:described|set out|explained|detailed) (?:in|under))\s+"
    r"(?:the\s+|our\s+)?(?:section\s+)?[“\"‘][^”\"’]*$",
    re.IGNORECASE,
)


def names_no_practice(text: str, start: int, end: int | None = None) -> bool:
    """Whether the practice words at text[start:] (the phrase text[start:end], when given) state no practice of the
    company, either way: advice to the reader (`advises_reader`), what businesses in general do ("obligations for
    businesses that sell personal information"), a question the text reports ("operators must disclose whether
    third parties may collect …", 0189), or the title of a section pointed to ("see “Profile Verification
    Information (Including Biometric Information)”"). Such words make no label and no denial (decisions 0196,
    0197)."""
    return _states_none(_clause_of_practice(text, start, end))


def _states_none(clause: _Clause) -> bool:
    """`names_no_practice`, on the clause before the practice."""
    return clause.advises or any(
        pattern.search(clause.text) for pattern in (_GENERIC_SUBJECT, _REPORTED_QUESTION, _POINTER_TITLE)
    )


def advises_reader(text: str, start: int, end: int | None = None) -> bool:
    """Whether the practice at text[start:] (named by the phrase text[start:end], when given) stands in an imperative
    addressed to the reader: "Never share your password with anyone", "Don't send messages or share content that …".
    Such advice states nothing the company does, nor denies it (decision 0196)."""
    return _clause_of_practice(text, start, end).advises


def _clause_of_practice(text: str, start: int, end: int | None) -> _Clause:
    """The clause before the practice at text[start:] (at its phrase's first practice verb, given the phrase's
    `end`), read with the signal's names masked."""
    masked = _mask_signal_names(text)
    if end is not None:
        start = practice_start(masked, start, end)
    return _clause_before(masked, start)


def states_practice(text: str, start: int, end: int) -> bool:
    """Whether the match text[start:end] of a practice's words states that the practice happens: it does not stand
    inside the "Do Not Track" signal's name (whose "track" names no tracking), nor where the words name a practice
    without stating the company's (`names_no_practice`: a question the text reports, advice to the reader, the
    businesses a law binds, a title pointed to), and its clause does not deny it (`denies_practice`; decisions 0189,
    0196, 0197)."""
    masked = _mask_signal_names(text)
    if start < len(masked) and masked[start] == "#":
        return False
    if _states_none(_clause_before(masked, start)):
        return False
    return not _denies_in(masked, start, end)
