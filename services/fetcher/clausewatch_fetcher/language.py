"""A small, dependency-free language check: which of a few languages a text is written in, by stopwords.

Good enough to catch the failure that matters here (a geo-redirected or default-language page, e.g. French
instead of the declared English) on texts of a few hundred words; it abstains on short texts and on languages it
does not know, so it never invents a mismatch.
Pure module.
"""

from __future__ import annotations

from collections import Counter


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in that is for with you your we our this are be as by or not on may"),
    "fr": _words("le la les des et de du un une que qui est pour vous votre nous nos dans sur par pas"),
    "de": _words("der die das und zu den von mit ist für sie ihre wir unsere nicht auf dem des eine ein"),
    "es": _words("el la los las de y que en para por con su sus usted nosotros nuestra es una no se del"),
    "it": _words("il la le di e che per con del della dei sono una non si al nel sua suoi noi nostro"),
    "pt": _words("o a os as de e que para com do da dos das em uma não se seu sua você nós nosso por"),
    "nl": _words("de het een en van in dat is voor met je uw wij onze niet op te zijn die"),
}
_PUNCTUATION = ".,;:!?()[]{}\"'«»“”‘’—–-/*"
MIN_WORDS = 80


def detect_language(text: str) -> tuple[str | None, float]:
    """Return (language, share of stopwords that are its own) or (None, 0.0) if the text is too short to tell."""
    # The first ~20k characters say which language a page is in; reading more only costs time.
    words = [w.strip(_PUNCTUATION) for w in text[:20_000].lower().split()]
    if len(words) < MIN_WORDS:
        return None, 0.0
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in stops) for lang, stops in _STOPWORDS.items()}
    total = sum(scores.values())
    if total == 0:
        return None, 0.0
    best = max(scores, key=lambda lang: scores[lang])
    return best, scores[best] / total


def language_mismatch(text: str, declared: str, min_share: float = 0.5) -> str | None:
    """Return the detected language if the text is clearly not in the declared one, else None."""
    base = declared.split("-")[0].lower()
    if base not in _STOPWORDS:
        return None
    detected, share = detect_language(text)
    if detected is None or detected == base or share < min_share:
        return None
    return detected
