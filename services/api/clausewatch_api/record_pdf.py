"""The provision record as a PDF: what the provision page shows, laid out for a compliance file or a filing.

It is built from the page's own data (`provision_page.provision_detail`), so the two never disagree, with fpdf2 (pure
Python). Policy text is in any script: a TrueType font is embedded (DejaVu Sans where installed, or the font the
`CLAUSEWATCH_PDF_FONT` setting names), and fallback fonts for the scripts it lacks (Droid Sans Fallback's Chinese,
Japanese and Korean where installed, or `CLAUSEWATCH_PDF_FALLBACK_FONTS`), each character written in the first
font that has it; without a main font, the PDF's built-in Helvetica is used, which holds Latin-1 only, and the
record says that other characters were replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clausewatch_api.templating import day, percent, stamp
from clausewatch_shared.prose import visible_text

# Where Debian, Fedora and Arch install DejaVu Sans (the service image installs fonts-dejavu-core).
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
)
# Where Debian installs Droid Sans Fallback (fonts-droid-fallback, about 4 MB): CJK ideographs, kana and hangul,
# which DejaVu Sans lacks (a Qwen or Baidu policy quotes Chinese names and laws).
FALLBACK_CANDIDATES = (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),)
HISTORY_LIMIT = 20
_LINE = 5.0  # mm per line of body text
_FAMILY = "Body"
# The built-in fonts' encoding is Latin-1: typographic punctuation policies use has close equivalents there.
_LATIN1_EQUIVALENTS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "*",
        "→": "->",
        "✓": "v",
        "✗": "x",
    }
)


def find_font(configured: Path | None = None) -> Path | None:
    """Return the TrueType font to embed: the configured one (which must exist), else the first installed
    candidate, else None (the built-in Helvetica)."""
    if configured is not None:
        if not configured.is_file():
            msg = f"PDF font {configured} does not exist"
            raise FileNotFoundError(msg)
        return configured
    return next((path for path in FONT_CANDIDATES if path.is_file()), None)


def find_fallback_fonts(configured: list[Path] | None = None) -> tuple[Path, ...]:
    """Return the fonts for characters the main font lacks: the configured ones (which must exist; an empty list
    for none), else the installed candidates."""
    if configured is None:
        return tuple(path for path in FALLBACK_CANDIDATES if path.is_file())
    missing = [str(path) for path in configured if not path.is_file()]
    if missing:
        msg = f"PDF fallback font {', '.join(missing)} does not exist"
        raise FileNotFoundError(msg)
    return tuple(configured)


class _Record(FPDF):
    """An A4 record with a footer naming the page it belongs to."""

    def __init__(self, font: Path | None, footer: str, fallbacks: tuple[Path, ...] = ()) -> None:
        super().__init__(format="A4")
        self.footer_text = footer
        self.unicode = font is not None
        if font is not None:
            bold = font.with_name(font.stem + "-Bold" + font.suffix)
            self.add_font(_FAMILY, "", str(font))
            self.add_font(_FAMILY, "B", str(bold if bold.is_file() else font))
            names = [f"fallback{n}" for n in range(len(fallbacks))]
            for name, path in zip(names, fallbacks, strict=True):
                self.add_font(name, "", str(path))
            if names:
                # Not exact: a bold heading's ideographs are written in the fallback's regular weight, not dropped.
                self.set_fallback_fonts(names, exact_match=False)
        self.family = _FAMILY if font is not None else "helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def text_of(self, text: str) -> str:
        """`text` as the font can write it."""
        if self.unicode:
            return text
        ascii_like = unicodedata.normalize("NFKC", text).translate(_LATIN1_EQUIVALENTS)
        return ascii_like.encode("latin-1", errors="replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, self.text_of(f"{self.footer_text} · page {self.page_no()}"), align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        # A heading is not left alone at the foot of a page: it starts the next one when its first lines would not fit.
        if self.will_page_break(2 + 6.5 + 2 * _LINE):
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", 11.5)
        self.multi_cell(0, 6.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(self.family, size=9.5)

    def para(self, text: str, *, bold: bool = False, size: float = 9.5, indent: float = 0.0) -> None:
        if not text:
            return
        self.set_font(self.family, "B" if bold else "", size)
        if indent:
            self.set_x(self.l_margin + indent)
        # Lines break between words; a URL or a hash longer than the line is broken inside it, not cut off.
        self.multi_cell(0, _LINE, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(self.family, size=9.5)

    def items(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.para(f"•  {line}", indent=3)

    def facts(self, pairs: Iterable[tuple[str, str]]) -> None:
        for label, value in pairs:
            if value:
                self.para(f"{label}: {value}")


def render_record_pdf(
    detail: dict[str, Any], *, font: Path | None, now: datetime, fallbacks: tuple[Path, ...] = ()
) -> bytes:
    """Return the provision record of `detail` (what `provision_detail` returns) as PDF bytes."""
    platform = (detail.get("platform") or {}).get("name") or ""
    document = detail.get("document") or {}
    provision = detail["provision"]
    citation = detail.get("citation")
    permalink = citation["permalink"] if citation else detail.get("permalink", "")
    pdf = _Record(font, f"clausewatch record · {permalink} · generated {stamp(now)}", fallbacks)
    pdf.set_title(f"{detail['title']} · {platform}")
    pdf.set_author("clausewatch")
    pdf.set_creator("clausewatch")
    pdf.set_creation_date(now)
    pdf.add_page()

    pdf.para("clausewatch · provision record", size=8)
    pdf.para(detail["title"], bold=True, size=15)
    section = [h for h in provision.get("heading_path") or [] if h != document.get("title")]
    pdf.para(" · ".join(p for p in (platform, document.get("title", ""), " › ".join(section)) if p))
    _badges(pdf, detail)

    pdf.heading("Original clause language")
    pdf.para(visible_text(provision.get("text") or "", rows_as_text=True))
    if not detail.get("is_current"):
        pdf.para("This text is from an earlier version of the document.", bold=True)

    assessment = detail.get("assessment")
    if assessment:
        _analysis(pdf, assessment)
    else:
        pdf.para("This provision has not been analysed yet.")
    _history(pdf, detail)
    _stability(pdf, detail)
    if assessment:
        _regulations(pdf, assessment)
    _evidence(pdf, detail)
    if not pdf.unicode:
        pdf.para(
            "No Unicode font was found: characters outside Latin-1 are shown as '?'. Set CLAUSEWATCH_PDF_FONT to a "
            "TrueType font to keep them.",
            size=7.5,
        )
    return bytes(pdf.output())


def record_filename(detail: dict[str, Any]) -> str:
    """The PDF's file name: the platform and the provision key's start, in letters, digits and dashes (a header's
    quoted file name allows no quotes and no non-ASCII)."""
    platform = detail["citation"]["platform_name"] if detail.get("citation") else "provision"
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"clausewatch-{platform}-{detail['provision']['key'][:8]}")
    return name.strip("-").lower() + ".pdf"


def _badges(pdf: _Record, detail: dict[str, Any]) -> None:
    assessment = detail.get("assessment")
    parts = []
    if assessment:
        parts.append(
            f"Severity: {assessment['severity'].upper()} (confidence {percent(assessment['confidence'])})"
        )
    else:
        parts.append("Severity: not assessed")
    if detail.get("rarity"):
        parts.append(detail["rarity"]["text"])
    if not detail.get("is_current"):
        parts.append("Superseded")
    pdf.para(" · ".join(parts), bold=True)


def _analysis(pdf: _Record, a: dict[str, Any]) -> None:
    texts = a.get("texts") or {}
    if not a.get("clause_types"):
        pdf.heading("What it is")
        pdf.para("No clause type of our taxonomy is recognised in this provision.")
        return
    if texts.get("what_it_is"):
        pdf.heading("What it is")
        pdf.para(texts["what_it_is"])
    pdf.heading("Why it matters")
    pdf.para(texts.get("why_it_matters") or "")
    if a.get("reasons"):
        pdf.para("Severity reasons:", bold=True)
        pdf.items(a["reasons"])
    if a.get("evidence"):
        pdf.para("Document language supporting this:", bold=True)
        pdf.items(f"“{e}”" for e in a["evidence"])
    pdf.para(
        "Clause types: "
        + "; ".join(
            c["label"] + (f" ({percent(c['confidence'])})" if c.get("confidence") is not None else "")
            for c in a["clause_types"]
        )
    )
    if texts.get("impact"):
        pdf.heading("Consumer impact")
        pdf.para(texts["impact"])
    actions = texts.get("what_to_do") or []
    if actions or a.get("opt_outs"):
        pdf.heading("What you can do")
        if actions:
            pdf.items(
                (f"{t['title']}: " if t.get("title") else "")
                + t["text"]
                + (f" ({t['route']})" if t.get("route") else "")
                for t in actions
            )
        else:
            pdf.items(f"{o.get('kind') or 'opt out'}: {o.get('value') or ''}" for o in a["opt_outs"])
    if texts.get("carve_outs"):
        pdf.para("What your choices do not stop, in the text's words:", bold=True)
        pdf.items(f"“{c}”" for c in texts["carve_outs"])
    if texts.get("disclaimer"):
        pdf.para(texts["disclaimer"], size=8)


def _history(pdf: _Record, detail: dict[str, Any]) -> None:
    pdf.heading("Change history")
    history = detail.get("history") or []
    if not history:
        pdf.para("No change to this provision since monitoring began.")
        return
    if len(history) > HISTORY_LIMIT:
        # The history runs oldest first; the record keeps the latest, and says where the rest is.
        pdf.para(
            f"The last {HISTORY_LIMIT} of {len(history)} changes; the earlier ones are on the provision page."
        )
    for h in history[-HISTORY_LIMIT:]:
        moved = (
            h.get("severity_before")
            and h.get("severity_after")
            and h["severity_before"] != h["severity_after"]
        )
        severity = f" · severity {h['severity_before']} → {h['severity_after']}" if moved else ""
        pdf.para(f"{day(h['at'])} · {h['kind']}{severity}", bold=True)
        pdf.para(h.get("description") or "", indent=3)


def _stability(pdf: _Record, detail: dict[str, Any]) -> None:
    stab = detail.get("stability") or {}
    record = detail.get("record") or {}
    pdf.heading("Clause stability and document")
    pdf.facts(
        [
            ("Stability", str(stab.get("label", ""))),
            ("Changes", str(stab.get("changes", ""))),
            ("Months monitored", str(stab.get("months_monitored", ""))),
            ("First seen", day(stab.get("first_seen"))),
            ("Last seen", day(stab.get("last_seen"))),
            ("Document last updated", record.get("last_updated") or "not stated in the document"),
            ("Effective", record.get("effective") or ""),
            ("First tracked", day(record.get("first_tracked"))),
            ("Last verified", day(record.get("last_verified"))),
        ]
    )


def _regulations(pdf: _Record, a: dict[str, Any]) -> None:
    regulations = a.get("regulations") or []
    pdf.heading("Applicable regulations")
    if not regulations:
        pdf.para("No regulation mapped.")
    for r in regulations:
        articles = ", ".join(r.get("articles") or [])
        where = f" ({r['jurisdiction']})" if r.get("jurisdiction") else ""
        pdf.para(f"{r['name']}{where}" + (f": {articles}" if articles else ""))
    agencies = a.get("agencies") or []
    if agencies:
        pdf.para("Agencies:", bold=True)
        pdf.items(g["name"] + (f" ({g['jurisdiction']})" if g.get("jurisdiction") else "") for g in agencies)


def _evidence(pdf: _Record, detail: dict[str, Any]) -> None:
    pdf.heading("Evidence and citation")
    citation = detail.get("citation")
    if not citation:
        pdf.para("No snapshot is recorded for this provision's version.")
        return
    verification = detail.get("verification")
    if verification is None:
        checked = "not checked"
    elif verification.get("verified"):
        checked = f"snapshot stored, hash verified ({stamp(verification.get('checked_at'))})"
    else:
        statuses = ", ".join(p.get("status", "") for p in verification.get("parts") or [])
        checked = f"hash check FAILED ({statuses}; {stamp(verification.get('checked_at'))})"
    assessment = detail.get("assessment") or {}
    pdf.facts(
        [
            ("Verification", checked),
            ("Source", citation.get("source_url", "")),
            ("Captured", stamp(citation.get("captured_at"))),
            ("SHA-256", citation.get("sha256", "")),
            *((f"Part {i}", p.get("sha256", "")) for i, p in enumerate(citation.get("parts") or [], start=1)),
            ("Archive", citation.get("archive_url") or ""),
            (
                "Analysis",
                f"{stamp(assessment.get('created_at'))}, model {assessment.get('model_version')}"
                if assessment
                else "",
            ),
        ]
    )
    pdf.para("Citation record", bold=True)
    pdf.para(detail.get("citation_text") or "", size=8.5)
