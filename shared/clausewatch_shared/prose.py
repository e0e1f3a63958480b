"""Provision text for people: the inline Markdown a version is stored in, shown as readers expect it.

Versions keep the Markdown the extractor wrote (links with their targets, `**bold**`, `## ` headings), because that
is the evidence and what is compared. Pages and e-mails should not show `[casework@ico.org.uk](mailto:…)`: they
show the link text as a link (HTML) or the text with its address after it (plain text), and drop heading marks.

Only complete constructs are rendered. A diff's runs are rendered one at a time, so before that `uncut_links` (one
text's runs) or `uncut_diff_links` (an inline diff) write a link or bold run the word diff cut apart as its words,
with an absolute address after them, so a changed address is still visible. Images become their alt text: a page or
e-mail never loads a remote image from a watched document. Targets other than http(s) and mailto (javascript:,
data:) are never made links.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from html import escape
from itertools import accumulate
from urllib.parse import urljoin, urlsplit

# ![alt](src "title") or [label](target "title"); labels hold no brackets, targets no spaces and only balanced
# parentheses ("wiki/Foo_(bar)").
# The extractor writes a space after every link, so "read our [FAQ](…) ." is common: that space is dropped too.
_LINK = re.compile(
    r"(!?)\[([^\[\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)(?: (?=[.,;:!?]))?"
)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_HEADING = re.compile(r"^(\s*)#{1,6}\s+", re.MULTILINE)
_SAFE_SCHEMES = {"http", "https", "mailto"}


def _target(target: str, base: str | None) -> str | None:
    """The absolute URL a link may point to, or None when it must stay text."""
    try:
        scheme = urlsplit(target).scheme.lower()
        if not scheme and base and not target.startswith("#"):
            target = urljoin(base, target)
            scheme = urlsplit(target).scheme.lower()
    except ValueError:  # a document's malformed address ("http://[abc") stays words; it must not break a page
        return None
    return target if scheme in _SAFE_SCHEMES else None


def _plain_label(label: str, target: str) -> str:
    """A link's words with its address, unless the words already are the address."""
    address = target.removeprefix("mailto:")
    if not address or address.startswith("#") or address in label:
        return label
    return f"{label} ({address})" if label else address


def visible_text(markdown: str, *, with_addresses: bool = False, rows_as_text: bool = False) -> str:
    """Return the words a reader sees: link and image labels without Markdown marks.

    With `with_addresses`, a link keeps its absolute target in parentheses ("Settings (https://…/settings)"),
    as plain-text e-mail shows it. With `rows_as_text`, a table row reads as its cells joined by dashes ("User
    Content: We may collect … — Account Information"), not "| User Content … |" (excerpts on the pages; the
    analyzer reads rows as they are).
    """
    if rows_as_text and "|" in markdown:
        markdown = "\n".join(_row_as_text(line) for line in markdown.split("\n"))

    def link(match: re.Match[str]) -> str:
        bang, label, target = match.group(1), match.group(2), match.group(3)
        if bang or not with_addresses or _target(target, None) is None:
            return label
        return _plain_label(label, target)

    text = _LINK.sub(link, markdown) if "](" in markdown else markdown
    return _HEADING.sub(r"\1", _BOLD.sub(r"\1", text))


_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")


def _row_as_text(line: str) -> str:
    row = _TABLE_ROW.match(line)
    if row is None:
        return line
    # A cell's own list marks ("- Account Information - User Content") would read "— - Account" after the dash.
    return " — ".join(
        cell for cell in (c.strip().removeprefix("- ") for c in row.group(1).split("|")) if cell
    )


# A word is letters or digits, joined by hyphens or apostrophes: "end-to-end" and "don't" are one word each, as a
# reader counts them; punctuation and Markdown marks ("(mailto:", ")") are not words.
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# A web or e-mail address is one word to a reader and one token to the word diff: "https://xai-privacy.relyance.ai/"
# → "https://x.ai/privacy-portal/" is one address changed, not eight words (decision 0138). A trailing full stop or
# bracket is the sentence's, not the address's. The e-mail part is possessive and anchored after a non-address
# character, so ordinary words fail it at once.
ADDRESS = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"
    r"|(?<![\w.%+-])[\w.%+-]++@[\w-]+(?:\.[\w-]+)+"
)
_WORD_OR_ADDRESS = re.compile(f"{ADDRESS.pattern}|{_WORD.pattern}")


def may_hold_address(text: str) -> bool:
    """Whether `text` may hold a web or e-mail address (a cheap test before the address patterns)."""
    return "@" in text or "://" in text or "www." in text


def count_words(text: str) -> int:
    """Return how many words a reader counts in `text` (the differ's hints and the change page agree on it); an
    address is one word."""
    return len((_WORD_OR_ADDRESS if may_hold_address(text) else _WORD).findall(text))


def words_phrase(count: int) -> str:
    """Return "1 word" or "N words"."""
    return f"{count} word" if count == 1 else f"{count} words"


def inline_html(markdown: str, *, base: str | None = None, strip_headings: bool = True) -> str:
    """Return escaped HTML: links as <a> (relative ones resolved against `base`), images as alt text, **bold**.

    `strip_headings` drops a leading `## `; a diff run that does not start a line passes False.
    """
    out: list[str] = []
    last = 0
    for match in _LINK.finditer(markdown) if "](" in markdown else ():
        out.append(_escaped(markdown[last : match.start()]))
        bang, label, target = match.group(1), match.group(2), match.group(3)
        href = None if bang else _target(target, base)
        words = _escaped(label)
        if href is None:
            out.append(words)
        else:
            out.append(f'<a href="{escape(href, quote=True)}" rel="nofollow noopener noreferrer">{words}</a>')
        last = match.end()
    out.append(_escaped(markdown[last:]))
    html = "".join(out)
    return _HEADING.sub(r"\1", html) if strip_headings else html


def _escaped(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text, quote=False))


def uncut_links(runs: Sequence[str]) -> list[str]:
    """Return the runs of one text with every Markdown link (or **bold** run) that the runs cut apart written as
    readers see it.

    A word diff cuts a link when its label or its target changed: "[[-Terms Required by the -][+Apple +]App Store
    and Google Play](…)". Each run is rendered alone (`visible_text`, `inline_html`), so such a link showed its
    Markdown in e-mails and on the change page (299 of the 3,655 modified changes of the bundled histories). Here
    its marks go; an absolute target stays after the label in parentheses, as `visible_text(with_addresses=True)`
    writes a whole link, so a changed address still shows; a relative target and an image's source go. A link
    inside one run is left to that run's rendering. The runs keep their number; some may become empty.
    """
    text = "".join(runs)
    if "](" not in text and "**" not in text:
        return list(runs)
    ends = list(accumulate(len(run) for run in runs))
    rendering = _cut_link_rendering(text, ends)
    return _apply(text, ends, rendering) if rendering else list(runs)


def uncut_diff_links(segments: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """`uncut_links` for an inline word diff of (op, text) segments, op "=", "-" or "+".

    The old text is the "=" and "-" segments, the new one the "=" and "+"; each is read for its links. A shared
    segment follows the new text's reading where the new text has a cut link there, else the old text's. Segments
    left empty are dropped and neighbours of one op joined.
    """
    joined = "".join(text for _, text in segments)
    if "](" not in joined and "**" not in joined:
        return list(segments)
    readings = []
    for side in ("-", "+"):
        runs = ["" if op not in ("=", side) else text for op, text in segments]
        side_text = "".join(runs)
        readings.append(_cut_link_rendering(side_text, list(accumulate(len(run) for run in runs))))
    old_reading, new_reading = readings
    if not old_reading and not new_reading:
        return list(segments)
    old_marked, new_marked = sorted(old_reading), sorted(new_reading)
    out: list[tuple[str, str]] = []
    old_at = new_at = 0
    for op, text in segments:
        rendered = text
        # Characters are rewritten one by one only in segments a cut link touches: a megabyte provision's diff
        # passes through whole.
        in_old = op != "+" and _touches(old_marked, old_at, len(text))
        in_new = op != "-" and _touches(new_marked, new_at, len(text))
        if in_old or in_new:
            rendered = "".join(
                old_reading.get(old_at + k, char)
                if op == "-"
                else new_reading.get(new_at + k, char)
                if op == "+"
                else new_reading.get(new_at + k, old_reading.get(old_at + k, char))
                for k, char in enumerate(text)
            )
        old_at += len(text) if op != "+" else 0
        new_at += len(text) if op != "-" else 0
        if not rendered:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + rendered)
        else:
            out.append((op, rendered))
    return out


def _cut_link_rendering(text: str, ends: list[int]) -> dict[int, str]:
    """For each character of a link or a **bold** run crossing a run boundary (`ends`: where each run ends), what
    it reads as (a bold run's marks cut apart showed as "**" too: Bumble's "[+**[+]Terms and Conditions of Use")."""
    rendering: dict[int, str] = {}
    for bold in _BOLD.finditer(text) if "**" in text else ():
        if bisect_right(ends, bold.start()) != bisect_right(ends, bold.end() - 1):
            rendering.update(
                dict.fromkeys((bold.start(), bold.start() + 1, bold.end() - 2, bold.end() - 1), "")
            )
    for match in _LINK.finditer(text):
        if bisect_right(ends, match.start()) == bisect_right(ends, match.end() - 1):
            continue  # inside one run: that run's own rendering makes it a link
        rendering.update((i, text[i]) for i in range(match.start(), match.end()))
        bang, label, target = match.group(1), match.group(2), match.group(3)
        for i in range(match.start(), match.start(2)):  # "!" and "["
            rendering[i] = ""
        address = target.removeprefix("mailto:")
        shown = (
            not bang
            and _target(target, None) is not None
            and bool(address)
            and not address.startswith("#")
            and address not in label
        )
        if not shown:
            for i in range(match.end(2), match.end()):
                rendering[i] = ""
            continue
        # "](<target> "title") " → " (target)"
        close = match.start() + match.group(0).rindex(")")
        rendering[match.end(2)] = " "
        first = match.start(3) + (len("mailto:") if target.startswith("mailto:") else 0)
        for i in (
            *range(match.end(2) + 2, first),
            *range(match.end(3), close),
            *range(close + 1, match.end()),
        ):
            rendering[i] = ""
    return rendering


def _apply(text: str, ends: list[int], rendering: dict[int, str]) -> list[str]:
    marked = sorted(rendering)
    out = []
    start = 0
    for end in ends:
        if _touches(marked, start, end - start):
            out.append("".join(rendering.get(i, text[i]) for i in range(start, end)))
        else:
            out.append(text[start:end])
        start = end
    return out


def _touches(marked: list[int], start: int, length: int) -> bool:
    """Whether any of the sorted positions `marked` lies in [start, start + length)."""
    k = bisect_left(marked, start)
    return k < len(marked) and marked[k] < start + length
