"""Extraction: turn a captured part (HTML, PDF, Markdown or plain text) into clean structured Markdown.

HTML is parsed with selectolax (the Lexbor engine, C): the catalogue's `select` selectors keep the document,
`remove` selectors and a built-in list drop navigation, headers, footers, cookie banners and scripts, and a walk
writes headings, paragraphs, lists and tables as Markdown lines. PDF text comes from pypdf.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser, LexborNode

from clausewatch_differ.menus import drop_link_menus
from clausewatch_differ.normalize import clean_text, strip_markup

# Bump when extraction changes its output: versions record it, and `reextract` rebuilds older ones.
# 2026.12.1: page controls dropped (_is_page_control); 2026.12.2: link menus of undeclared pages dropped (menus.py);
# 2026.12.3: text set straight inside a list kept; a block that is one bold run written in bold, a sub-heading for
# the block parser (_bold_title); 2026.12.4: collapsed accordion panels and their toggle titles kept (0153);
# 2026.12.5: panels named by a Bootstrap collapse target or by their own aria-labelledby kept too (0165)
EXTRACTOR_VERSION = "2026.12.5"
MAX_INPUT_BYTES = 64 * 1024 * 1024


def extractor_version() -> str:
    """Return the current extractor version (read at call time, so a test can simulate a bump)."""
    return EXTRACTOR_VERSION


_DROP_TAGS = "script, style, noscript, template, svg, canvas, iframe, object, embed, form, button, nav, footer, aside, dialog, select, input, textarea, link, meta"
_HIDDEN = '[aria-hidden="true"], [hidden]'
_DROP_SELECTORS = (
    '[role="navigation"], [role="banner"], [role="contentinfo"], [role="dialog"], '
    '[id*="cookie" i], [class*="cookie" i], [id*="consent" i], [class*="consent" i], '
    '[id*="onetrust" i], [class*="onetrust" i], [id*="gdpr" i][class*="banner" i], [class*="skip-link" i], '
    '[class*="breadcrumb" i], [id*="breadcrumb" i]'
)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
    "thead", "tbody", "tfoot", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "figure",
    "figcaption", "address", "details", "summary", "body", "html",
}  # fmt: skip
_BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


class ExtractionError(ValueError):
    """The input cannot be read as a document (binary, unknown encoding, too large); retrying will not help."""


@dataclass(frozen=True)
class Spec:
    """A document's extraction declaration from the catalogue: selectors to keep and to drop, and whether PDF."""

    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    pdf: bool = False

    @classmethod
    def from_json(cls, spec: dict[str, Any] | None) -> Spec:
        """Build from the Document row's spec JSON, tolerating a single selector given as a string."""
        spec = spec or {}

        def many(value: Any) -> tuple[str, ...]:
            if not value:
                return ()
            return (value,) if isinstance(value, str) else tuple(str(v) for v in value)

        return cls(many(spec.get("select")), many(spec.get("remove")), bool(spec.get("pdf")))


def sniff_kind(data: bytes, content_type: str = "", name: str = "") -> str:
    """Return 'html', 'pdf', 'markdown' or 'text' from the content type, the file name and the bytes."""
    ct = content_type.lower()
    lower_name = name.lower()
    if data[:5] == b"%PDF-" or "pdf" in ct or lower_name.endswith(".pdf"):
        return "pdf"
    if "html" in ct or lower_name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower_name.endswith((".md", ".markdown")) or "markdown" in ct:
        return "markdown"
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or b"<div" in head:
        return "html"
    return "text"


def decode(data: bytes) -> str:
    """Decode bytes to text: UTF-8 if valid, else the detected encoding, else line by line (mixed encodings)."""
    if len(data) > MAX_INPUT_BYTES:
        msg = f"input is {len(data)} bytes, more than the {MAX_INPUT_BYTES} accepted"
        raise ExtractionError(msg)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_mixed(data)
    _refuse_binary(text)
    return text


def _decode_mixed(data: bytes) -> str:
    lines = data.split(b"\n")
    utf8_lines = 0
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                pass
    if utf8_lines:
        # Mixed encodings (a UTF-8 page with a pasted Windows-1252 paragraph): decode each line on its own.
        return "\n".join(_decode_line(line) for line in lines)
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace")


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


# Control characters that a text should not have (below 32, but for the whitespace ones and ESC), deleted by
# str.translate to count them in C: a loop over every character cost about 1 ms per 64 KiB sample.
_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\r\t\f\v\x1b")


def _refuse_binary(text: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    controls = len(sample) - len(sample.translate(_CONTROLS))
    if "\x00" in sample or controls / len(sample) > 0.02:
        msg = "input looks binary (control bytes), not a text, Markdown, HTML or PDF document"
        raise ExtractionError(msg)


def extract(data: bytes, content_type: str = "", spec: Spec | None = None, name: str = "") -> str:
    """Return the clean Markdown text of one captured part."""
    spec = spec or Spec()
    if len(data) > MAX_INPUT_BYTES:
        msg = f"input is {len(data)} bytes, more than the {MAX_INPUT_BYTES} accepted"
        raise ExtractionError(msg)
    kind = "pdf" if spec.pdf else sniff_kind(data, content_type, name)
    if kind == "pdf":
        return clean_text(pdf_to_markdown(data))
    text = decode(data)
    if kind == "html":
        return clean_text(html_to_markdown(text, spec))
    return clean_text(text)


def pdf_to_markdown(data: bytes) -> str:
    """Return the text of a PDF, one paragraph per run of lines, pages in order."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        msg = f"unreadable PDF: {exc}"
        raise ExtractionError(msg) from exc
    out: list[str] = []
    for page in pages:
        for raw in page.split("\n"):
            line = raw.strip()
            if not line:
                out.append("")
                continue
            # PDF lines are visual lines: a line ending a sentence (or a short, title-like line) ends a paragraph.
            out.append(line)
            if line.endswith((".", ":", ";")) or (len(line) < 60 and not line.endswith(",")):
                out.append("")
        out.append("")
    return "\n".join(out)


def html_to_markdown(html: str, spec: Spec | None = None) -> str:
    """Return the Markdown of an HTML page's document content."""
    spec = spec or Spec()
    tree = LexborHTMLParser(html)
    roots: list[LexborNode] = []
    for selector in spec.select:
        roots.extend(tree.css(selector))
    declared = bool(roots)
    if not roots:
        main = tree.css_first("main") or tree.css_first("article")
        roots = [main] if main is not None else ([tree.body] if tree.body is not None else [])
    panels, toggles = disclosure_panels(tree)
    for root in roots:
        for selector in spec.remove:
            for node in root.css(selector):
                node.decompose()
        for node in root.css(_HIDDEN):
            # A collapsed accordion panel is the document's text, hidden until its title is clicked (0153).
            if node.attributes.get("id") not in panels and node.attributes.get("hidden") != "until-found":
                node.decompose()
        for node in root.css("button"):
            # The panel's title is set in its toggle button (the WAI-ARIA accordion): keep the words, drop the control.
            if _controlled_ids(node) & panels or node.attributes.get("id") in toggles:
                node.unwrap()
        for selector in (_DROP_TAGS, _DROP_SELECTORS):
            for node in root.css(selector):
                node.decompose()
        # A page header outside the document body holds the site's menu, not the policy.
        for node in root.css("header"):
            if node.css_first("nav, ul, ol") is not None:
                node.decompose()
    writer = _Writer()
    for root in roots:
        writer.walk(root)
    writer.flush()
    # Without a declared selector the page's own menus may be in the text; a declared one is trusted as is.
    return "\n".join(writer.lines if declared else drop_link_menus(writer.lines))


_PANEL_MIN_WORDS = 20


def disclosure_panels(tree: LexborHTMLParser) -> tuple[set[str], set[str]]:
    """Return the ids of the page's disclosure panels that hold prose, and the ids of the toggles that name them by
    being their label.

    A panel is an element a control names (`aria-controls`, or Bootstrap's `data-bs-target` / `data-target`, which
    pages built on it set without the ARIA attribute), or an element labelled (`aria-labelledby`) by a button or by an
    element with `aria-expanded`, the toggle of an accordion that leaves `aria-controls` out (decision 0165). It holds
    prose when it has at least 20 words, at most half of them link text (a menu that a hamburger button opens is
    links, and stays dropped).
    """
    panels: set[str] = set()
    toggles: set[str] = set()
    controls = tree.css("[aria-controls], [data-bs-target], [data-target]")
    labelled_elements = tree.css("[id][aria-labelledby]")
    if not controls and not labelled_elements:
        return panels, toggles  # most pages: no disclosure widget, and no pass over their ids
    # One pass over the elements with an id (the first of a repeated id, as a selector would find): looking each id
    # up with a selector would scan the page once per panel or label, quadratic on a page of many sections.
    by_id: dict[str, LexborNode] = {}
    for node in tree.css("[id]"):
        by_id.setdefault(node.attributes.get("id") or "", node)
    candidates: list[tuple[str, str | None]] = []  # (panel id, the toggle's id when the panel names it)
    for control in controls:
        candidates.extend((panel_id, None) for panel_id in _controlled_ids(control))
    for labelled in labelled_elements:
        for label_id in (labelled.attributes.get("aria-labelledby") or "").split():
            if _is_toggle(by_id.get(label_id)):
                candidates.append((labelled.attributes.get("id") or "", label_id))
    for panel_id, toggle_id in candidates:
        if not panel_id or (panel_id in panels and toggle_id is None):
            continue
        if panel_id not in panels:
            panel = by_id.get(panel_id)
            if panel is None or not _holds_prose(panel):
                continue
            panels.add(panel_id)
        if toggle_id is not None:
            toggles.add(toggle_id)
    return panels, toggles


def _controlled_ids(node: LexborNode) -> set[str]:
    """The ids of the elements a control opens: its `aria-controls` ids, or its Bootstrap collapse target's ("#a"
    or "#a, #b"; a class selector names no single panel)."""
    attributes = node.attributes
    ids = set((attributes.get("aria-controls") or "").split())
    for name in ("data-bs-target", "data-target"):
        for part in (attributes.get(name) or "").split(","):
            part = part.strip()
            if part.startswith("#") and len(part) > 1:
                ids.add(part[1:])
    return ids


def _is_toggle(node: LexborNode | None) -> bool:
    """Whether a panel's label is the control that opens it: a button, or an element that says it expands."""
    return node is not None and (
        node.tag == "button" or node.attributes.get("role") == "button" or "aria-expanded" in node.attributes
    )


def _holds_prose(panel: LexborNode) -> bool:
    words = len(panel.text(deep=True).split())
    linked = sum(len(a.text(deep=True).split()) for a in panel.css("a"))
    return words >= _PANEL_MIN_WORDS and linked * 2 <= words


_MAX_NESTING = 150

# A block made only of these words, one of them a trigger, is a page control ("Print or download as PDF file",
# "Back to top"), usually a link to the page itself: the site's furniture, not the document. Kept, its removal or
# rewording would be reported as a change of the policy (seen in the demo's eharmony history, session 12).
_CONTROL_WORDS = frozenset(
    [
        "print",
        "printable",
        "printer",
        "download",
        "save",
        "export",
        "view",
        "open",
        "or",
        "and",
        "as",
        "to",
        "in",
        "a",
        "an",
        "the",
        "this",
        "of",
        "pdf",
        "file",
        "version",
        "copy",
        "page",
        "policy",
        "notice",
        "document",
        "terms",
        "back",
        "return",
        "scroll",
        "top",
    ]
)
_CONTROL_TRIGGERS = frozenset({"print", "printable", "download", "pdf", "top"})


def _is_page_control(text: str) -> bool:
    """Whether a block's text (links as their labels) is only a print, download or back-to-top control."""
    words = re.findall(r"[a-z]+", strip_markup(text).lower())
    return 0 < len(words) <= 8 and set(words) <= _CONTROL_WORDS and not _CONTROL_TRIGGERS.isdisjoint(words)


class _Writer:
    """Walks an HTML tree and writes Markdown blocks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""
        self.depth = 0
        self.items = 0  # list items being walked (a bold paragraph inside one labels it)
        self.nesting = 0

    def flush(self) -> None:
        text = " ".join("".join(self.inline).split())
        if text and not _is_page_control(text):
            self.lines.extend([self.prefix + text, ""])
        self.inline = []
        self.prefix = ""

    def walk(self, node: LexborNode) -> None:
        if self.nesting >= _MAX_NESTING:
            # Pathologically deep markup (no real policy nests this far): keep its words as one run of text
            # rather than recurse until Python's stack gives out.
            self.inline.append(" " + (node.text(deep=True, separator=" ") or "") + " ")
            return
        self.nesting += 1
        try:
            self._walk_children(node)
        finally:
            self.nesting -= 1

    def _walk_children(self, node: LexborNode) -> None:
        for child in _children(node):
            self._visit(child)

    def _visit(self, child: LexborNode) -> None:
        tag = child.tag
        if tag == "-text":
            self.inline.append(child.text_content or "")
        elif tag in {"-comment", None}:
            return
        elif tag and tag[0] == "h" and len(tag) == 2 and tag[1].isdigit():
            self.flush()
            self.prefix = "#" * int(tag[1]) + " "
            self.walk(child)
            self.flush()
        elif tag in {"ul", "ol"}:
            self.flush()
            self.depth += 1
            number = 0
            for item in _children(child):
                if item.tag != "li":
                    # Text or paragraphs set straight inside the list, outside any item: Qwen Chat's
                    # "<ol>(a) Adequacy decisions. …" were dropped whole (session 17). Each is a paragraph.
                    self._visit(item)
                    continue
                number += 1
                self.flush()
                marker = f"{number}." if tag == "ol" else "-"
                self.prefix = "  " * (self.depth - 1) + marker + " "
                self.items += 1
                self.walk(item)
                self.items -= 1
                self.flush()
            self.flush()
            self.depth -= 1
        elif tag == "table":
            self.flush()
            self._table(child)
        elif tag == "a":
            label = " ".join((child.text(deep=True) or "").split())
            href = (child.attributes.get("href") or "").strip()
            if label and href and not href.startswith(("javascript:", "#")):
                self.inline.append(f" [{label}]({href}) ")
            else:
                self.inline.append(f" {label} ")
        elif tag == "img":
            alt = (child.attributes.get("alt") or "").strip()
            src = (child.attributes.get("src") or "").strip()
            if alt or src:
                self.inline.append(f" ![{alt}]({src}) ")
        elif tag == "br":
            self.inline.append(" ")
        elif tag == "blockquote" or tag in _BLOCK_TAGS:
            self.flush()
            # Inside a list item a bold paragraph labels the item (Tinder's "<li><p><b>Other information with your
            # consent:</b></p><ul>…"), as Open Terms Archive keeps it; elsewhere, even set straight inside a list
            # (Qwen's table of contents, "<ol><p><strong>I. How Do We …"), it titles a section.
            if not self.items and (title := _bold_title(child)):
                self.inline.append(title)
            else:
                self.walk(child)
            self.flush()
        else:
            self.walk(child)

    def _table(self, table: LexborNode) -> None:
        rows = table.css("tr")
        for n, row in enumerate(rows):
            cells = [" ".join((c.text(deep=True, separator=" ") or "").split()) for c in row.css("th, td")]
            if not any(cells):
                continue
            self.lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
            if n == 0:
                self.lines.append("|" + " --- |" * len(cells))
        self.lines.append("")


_BOLD_TAGS = frozenset({"strong", "b"})
_WRAPPERS = frozenset({"span", "font", "u", "em", "i"})
_BOLD_TITLE_CHARS = 120  # the block parser's limit for a bold line read as a sub-heading (blocks._BOLD_LINE)


def _bold_title(block: LexborNode) -> str:
    """Return "**I. How We Collect Your Personal Data**" for a paragraph that is one bold run, else "".

    Many policies set their section titles as bold paragraphs (Qwen Chat's <p class="title"><strong>…</strong>,
    eharmony's, Tinder's); written plain they were ordinary paragraphs, and every provision of the demo's Qwen
    history sat under "Privacy Policy" alone (session 17). Open Terms Archive's Markdown keeps such lines in bold,
    which the block parser reads as sub-headings; this writes them the same way. Bold words inside a sentence stay
    plain text, as before.
    """
    if block.tag not in {"p", "div"}:
        return ""
    node = block
    while True:
        children = [
            c
            for c in _children(node)
            if c.tag not in {"-comment", None}
            and not (c.tag == "-text" and not (c.text_content or "").strip())
        ]
        if len(children) != 1 or children[0].tag == "-text":
            return ""
        node = children[0]
        if node.tag in _BOLD_TAGS:
            break
        if node.tag not in _WRAPPERS:
            return ""
    text = " ".join((node.text(deep=True, separator=" ") or "").split())
    if not text or len(text) > _BOLD_TITLE_CHARS or "*" in text or "_" in text or node.css_first("a, img"):
        return ""
    return f"**{text}**"


def _children(node: LexborNode) -> Iterable[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next
