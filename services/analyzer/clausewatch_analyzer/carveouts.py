"""Carve-outs: what a provision says a user's choice does not stop ("Even if you opt out, we will use …").

An opt-out route tells users how to say no; a carve-out tells them what no does not cover. Anthropic's training
clause (one of the seeds) offers an opt-out in the account settings and then keeps two uses beyond it: "Even if you
opt-out, we will use Inputs and Outputs for model improvement when: (1) your conversations are flagged for safety
review …, or (2) you've explicitly reported the materials to us". The opt-out alone reads as full control; the
seeds' analysis calls this "categorical exceptions that bypass the opt-out mechanism", and a reader must be told.

Lexical, like the routes: a sentence is a carve-out when it ties a user's choice (opting out, turning off,
withdrawing consent, unsubscribing, objecting, deleting) to a use that goes on regardless, or says "we may still …"
right after a sentence that names a choice. What it misses: a carve-out said without a choice verb or a "still"
("You can opt out. Some uses are not affected."), or further from the choice. Decision 0134.
"""

from __future__ import annotations

import re

from clausewatch_analyzer.segment import split_sentences

# The choices a user makes; each alternative takes its inflections ("opted out", "turns off", "unsubscribed").
_CHOICE = (
    r"(?:opt(?:s|ed|ing)?[- ]?out|turn(?:s|ed|ing)? (?:it |this |them |\w+ )?off|disabl\w*|"
    r"withdr[ae]w\w* (?:your |their )?consent|unsubscrib\w*|object(?:s|ed)?|decline[sd]?|"
    r"(?:delet|remov)\w* (?:\w+ ){0,3}?(?:account|data|content|information|posts?|messages?|profile)|"
    r"clos(?:e|es|ed) your account|cho(?:o)?se not to|do(?:n['’]t| not) (?:choose|want|agree|consent)\b)"
)
_CARVE_OUT = re.compile(
    # "Even if you opt out, we will use …" / "even after you have turned it off"
    rf"\beven (?:if|when|after|though|where|once) you(?:'ve| have| do)? (?:[\w'’]+,? ){{0,8}}?{_CHOICE}"
    # "even after your account is deleted" / "even after it is removed from X"
    r"|\beven (?:if|when|after|once) (?:it|they|your (?:\w+ ){1,3}?)(?:is|are|has been|have been|was|were)"
    r" (?:removed|deleted|closed|disabled|turned off)\b"
    # "Regardless of your settings" / "notwithstanding your opt-out" / "irrespective of any objection"
    r"|\b(?:regardless of|notwithstanding|irrespective of) (?:your|any|such|this|that|the) (?:\w+ ){0,2}?"
    r"(?:opt[- ]?outs?|choices?|settings?|preferences?|elections?|objections?|withdrawal|decisions?)\b"
    # "Opting out does not prevent us from …" / "This setting doesn't apply to …"
    r"|\b(?:opt[- ]?outs?|opting[- ]out|(?:this|that|the|these|your) (?:setting|choice|control|preference)s?)\b"
    r"[^.;]{0,80}?\b(?:does not|doesn['’]t|will not|won['’]t|do not|don['’]t|cannot|can['’]t|may not)"
    r" (?:apply|affect|cover|prevent|stop|extend|restrict|limit)\b"
    # "If you opt out, … you will still see ads" / "after you unsubscribe, we may continue to send …"
    rf"|\b(?:if|when|after|once) you(?:'ve| have)? {_CHOICE}\b[^.;]{{0,100}}?\b(?:still|continue to|nonetheless)\b"
    # "… we may still …, even if you have opted out" is the first form; "except where you …" is not a carve-out
    # of a choice, but "the opt-out applies except …" is:
    r"|\b(?:opt[- ]?outs?|opting[- ]out)\b[^.;]{0,60}?\b(?:except|other than|save for|apart from)\b",
    re.IGNORECASE,
)
# Quotes are shortened to this many characters: the page shows the whole provision below.
QUOTE_CHARS = 240


# "You can opt out of marketing emails. We may still send you non-promotional emails" (Grok): the use that goes on
# is in the sentence after the choice.
_STILL = re.compile(
    r"\b(?:we|you|they) (?:may|will|might|can|could|would) (?:still|continue to)\b", re.IGNORECASE
)
_CHOICE_ALONE = re.compile(rf"\b{_CHOICE}", re.IGNORECASE)


def carve_outs(text: str) -> list[str]:
    """Return the sentences of the text that say what a user's choice does not stop, in order, each once."""
    found: list[str] = []
    previous = ""
    for sentence in split_sentences(text):
        follows_choice = bool(_STILL.search(sentence)) and bool(_CHOICE_ALONE.search(previous))
        if (follows_choice or _CARVE_OUT.search(sentence)) and sentence not in found:
            found.append(sentence)
        previous = sentence
    return found


# Two carve-outs sharing at least this share of their words are one carve-out reworded: "even if you subsequently
# delete it" → "even if you delete your content" (TikTok), bold marks and quotes changed (Pinterest).
SAME_WORDS = 0.5


def added_carve_outs(old_text: str, new_text: str) -> list[str]:
    """Return the carve-outs the new text makes that the old one did not, a reworded one not counted as new."""
    before = [_words(s) for s in carve_outs(old_text)]
    return [
        s for s in carve_outs(new_text) if not any(_overlap(_words(s), old) >= SAME_WORDS for old in before)
    ]


def quote(sentence: str, limit: int = QUOTE_CHARS) -> str:
    """Return the sentence, cut at a word before `limit` characters with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _words(sentence: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", sentence.lower()))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets."""
    return len(a & b) / len(a | b) if a or b else 1.0


__all__ = ["QUOTE_CHARS", "added_carve_outs", "carve_outs", "quote"]
