"""Noise normalisation: make two renderings of the same words compare equal without losing any word.

Two levels:
- `clean_text` is what we store and show: Unicode and whitespace made uniform, typographic quotes straightened,
  tracking parameters dropped from links and query strings dropped from image URLs (CDNs rotate them).
- `comparison_tokens` is what decides significance: the words only, lower-cased, with markup, link targets and
  image URLs ignored and dates written in one canonical form, so "28 August 2025" equals "August 28, 2025".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import compress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Characters that change how text looks but never which words it holds.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\t": " ",
        # Zero-width characters and soft hyphens split words invisibly: dropping them re-joins the word.
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
_SPACES = re.compile(r"[ \f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Query parameters that identify a visitor or a campaign, not a page.
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|hsctatracking|igshid|"
    r"ref_src|ref_url|_ga|_gl|_ke|trk|trkcampaign|trackingid|sc_channel|sc_campaign|spm|scm|cmpid|icid|"
    r"mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|s_cid|__s|ved|usg|ei|si|_nc_\w+|oh|oe)$",
    re.IGNORECASE,
)
# Groups: image bang (or None), label, target, title. The pattern opens with two literal branches (not an optional
# `!`) so the regex engine skips to candidate characters at C speed, and label runs are possessive (`++`: giving
# characters back could never let a match succeed): the same matches, three times faster on link-heavy provisions.
MD_LINK = re.compile(
    r"(?:(!)\[|\[)((?:[^\[\]]++|\[[^\]]*\])*)\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(\s+\"[^\"]*\")?\s*\)"
)
# The same link without the image bang, so the pattern opens with one literal `[` (the engine then skips to each
# `[` at memchr speed; the two-branch opening above cannot): `strip_markup` takes the bang from the text before.
_MD_LINK_FROM_BRACKET = re.compile(
    r"\[((?:[^\[\]]++|\[[^\]]*\])*)\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(\s+\"[^\"]*\")?\s*\)"
)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,500}>")
# Words: letters and digits of any script; `_` is markup in Markdown, not a word character.
_WORD = re.compile(r"[^\W_]+")
# The same split for ASCII text, at C speed: a byte table lower-cases letters, keeps digits and turns every other
# byte into a space, then str.split. Most provisions are ASCII, and this is about three times as fast as the regex.
_ASCII_WORD_BYTES = bytes(
    ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else ord(" ") for c in range(256)
)
# The same table keeping NUL, which separates the texts of a batch (see `comparison_words`).
_ASCII_WORD_BYTES_NUL = b"\x00" + _ASCII_WORD_BYTES[1:]
_SPACE_RUNS = re.compile(rb"  +")
_NOT_DIGIT_OR_NUL = bytes(c for c in range(1, 256) if not 48 <= c <= 57)

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Month names are matched capitalised only, so the modal "may" is never read as a month.
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_DMY = re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH},?(?:\s+(\d{{4}}))?\b")
_DATE_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\b,?(?:\s+(\d{{4}}))?\b")
_HAS_DIGIT = re.compile(r"\d")
_HAS_ASCII_DIGIT = re.compile(r"[0-9]")  # the same test for ASCII text, without Unicode category look-ups
_ASCII_DIGITS = b"0123456789"
_MONTH_HINT = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"
)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


def clean_line(line: str) -> str:
    """Return one line with uniform Unicode, straight quotes, single spaces and tidy link targets."""
    line = unicodedata.normalize("NFC", line).translate(_TRANSLATE)
    line = _CONTROL.sub("", line)
    if "](" in line:
        line = MD_LINK.sub(_clean_link_match, line)
    body = line.lstrip(" ")
    # Leading indentation is kept (it nests list items); everything else collapses to single spaces.
    indent = min(len(line) - len(body), 12) if body else 0
    return " " * indent + _SPACES.sub(" ", body).strip()


def clean_text(text: str) -> str:
    """Return text cleaned line by line, with runs of blank lines collapsed to one."""
    out: list[str] = []
    blank = True
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = clean_line(raw)
        if not line.strip():
            if not blank:
                out.append("")
            blank = True
            continue
        out.append(line)
        blank = False
    return "\n".join(out).strip("\n") + "\n" if out else ""


def _clean_link_match(match: re.Match[str]) -> str:
    bang, label, url, title = match.group(1) or "", match.group(2), match.group(3), match.group(4) or ""
    return f"{bang}[{label}]({clean_url(url, image=bool(bang))}{title})"


def clean_url(url: str, *, image: bool = False) -> str:
    """Return a URL without tracking parameters; an image URL also loses its query and fragment (CDNs rotate them)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query and not (image and parts.fragment):
        return url
    if image:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept, doseq=True), parts.fragment))


def _date_dmy(m: re.Match[str]) -> str:
    return _canonical_date(m.group(3), _MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)))


def _date_mdy(m: re.Match[str]) -> str:
    return _canonical_date(m.group(3), _MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)))


def _date_iso(m: re.Match[str]) -> str:
    return _canonical_date(m.group(1), int(m.group(2)), int(m.group(3)))


def _canonical_date(year: str | None, month: int, day: int) -> str:
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        return f" {year or ''} {month} {day} "
    return f" cwdate {year or 'y'} {month:02d} {day:02d} "


def canonical_dates(text: str) -> str:
    """Return text with every recognised date written one way, so a format flip is not a change."""
    if not (_HAS_ASCII_DIGIT if text.isascii() else _HAS_DIGIT).search(text):
        return text
    if "-" in text:
        text = _DATE_ISO.sub(_date_iso, text)
    # The month patterns are the slow ones: run them only where a month name appears at all.
    if _MONTH_HINT.search(text):
        text = _DATE_DMY.sub(_date_dmy, text)
        text = _DATE_MDY.sub(_date_mdy, text)
    return text


# A date as canonical_dates writes it ("cwdate 2026 05 01").
DATE_TOKEN = re.compile(r"cwdate \S+ \d\d \d\d")
# A date line holds a date and at most this many other words ("Effective:", "Last updated", "previous version").
_DATE_LINE_WORDS = 5


def is_date_line(text: str) -> bool:
    """Return True if the text is a date with a few words around it, as documents head themselves ("Last updated:
    March 18, 2026")."""
    # Most headings hold no digit: no date, and no need to strip their markup.
    if not (_HAS_ASCII_DIGIT if text.isascii() else _HAS_DIGIT).search(text):
        return False
    dated = canonical_dates(strip_markup(text))
    if not DATE_TOKEN.search(dated):
        return False
    return len(_WORD.findall(DATE_TOKEN.sub(" ", dated))) <= _DATE_LINE_WORDS


def strip_markup(text: str) -> str:
    """Return the visible words of Markdown text: link labels without targets, image alt text, no HTML tags."""
    if "](" in text:
        text = _strip_links(text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return text


def _strip_links(text: str) -> str:
    """Return `MD_LINK.sub(r" \\2 ", text)`: each link or image written as its label between spaces.

    Found from the `[`, by one C-level split (text, label, target, title, text, ...): an image's `!` is the last
    character of the text before its `[` (a link ends with `)`, so that `!` never belongs to the previous match,
    and from the `!` the two-branch pattern matches exactly what it matches from the `[`).
    """
    parts = _MD_LINK_FROM_BRACKET.split(text)
    n = len(parts)
    if n == 1:
        return text
    for i in range(0, n - 1, 4):
        if parts[i][-1:] == "!":
            parts[i] = parts[i][:-1]
    links = n // 4
    parts[1::4] = [f" {label} " for label in parts[1::4]]
    parts[2::4] = [""] * links
    parts[3::4] = [""] * links
    return "".join(parts)


def words_of(text: str) -> list[str]:
    """Return the lower-cased runs of letters and digits of text (any script; `_` separates words)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    return _WORD.findall(text.lower())


def comparison_tokens(text: str) -> list[str]:
    """Return the words that decide whether text changed: lower-cased, markup, links and date formats ignored."""
    if "](" in text or "<" in text:
        text = strip_markup(text)
    if not text.isascii():
        return _WORD.findall(canonical_dates(text).lower())
    # ASCII (most provisions): the digit test that gates the date patterns is a byte deletion, not a regex scan.
    raw = text.encode("ascii")
    if len(raw.translate(None, _ASCII_DIGITS)) != len(raw):
        raw = canonical_dates(text).encode("ascii")
    return raw.translate(_ASCII_WORD_BYTES).decode("ascii").split()


def comparison_words(texts: Sequence[str]) -> list[str]:
    """Return, for each text, its comparison tokens joined by single spaces (`comparison_tokens`, batched).

    ASCII texts (nearly all) are done at once once their links and tags are dropped: joined by NUL (a character
    no such text holds), dates written one way in the texts with digits, one byte-table translation, space runs
    collapsed, and one split at the NULs. Each text then costs a slice, not a
    tokenisation: no list of tokens is built (a block splits its words when something needs them as a list).
    """
    simple = [text.isascii() for text in texts]
    # Links and tags are dropped text by text first, as `comparison_tokens` does (their patterns could match
    # across two joined texts); what is left of an ASCII text is ASCII.
    batch = [strip_markup(t) if "](" in t or "<" in t else t for t in compress(texts, simple)]
    if not batch:
        return [" ".join(comparison_tokens(text)) for text in texts]
    raw = "\x00".join(batch).encode("ascii")
    if raw.count(b"\x00") != len(batch) - 1:
        # A text holds NUL itself (never after `clean_text`): each text on its own.
        return [" ".join(comparison_tokens(text)) for text in texts]
    if len(raw.translate(None, _ASCII_DIGITS)) != len(raw):
        # Dates are rewritten text by text, and only in texts with a digit (found for all in one pass: every
        # byte but digits and NUL deleted, then split at the NULs), as `comparison_tokens` does.
        for k, digits in enumerate(raw.translate(None, _NOT_DIGIT_OR_NUL).split(b"\x00")):
            if digits:
                batch[k] = canonical_dates(batch[k])
        raw = "\x00".join(batch).encode("ascii")
    # Only letters, digits, spaces and the NULs are left: str.strip removes just the spaces at each end.
    words = list(
        map(str.strip, _SPACE_RUNS.sub(b" ", raw.translate(_ASCII_WORD_BYTES_NUL)).decode().split("\x00"))
    )
    if len(batch) == len(texts):
        return words
    out = [""] * len(texts)
    for k, piece in zip(compress(range(len(texts)), simple), words, strict=True):
        out[k] = piece
    for k, text in enumerate(texts):
        if not simple[k]:
            out[k] = " ".join(comparison_tokens(text))
    return out


def word_tokens(text: str) -> list[str]:
    """Return the visible words of text (markup and link targets dropped), lower-cased, dates as written."""
    return words_of(strip_markup(text))


def fingerprint_text(text: str) -> str:
    """Return the form of a version's text whose hash decides whether a new version is recorded.

    Image URLs are dropped (rotating CDN names) and dates canonicalised (format flips); everything else that
    `clean_text` kept, including ordinary link targets, still counts, so a changed link is a (cosmetic) change.
    """
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"![\1]()", text)
    return canonical_dates(text)
