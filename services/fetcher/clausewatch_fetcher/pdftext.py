"""PDF bytes to text with pypdf (pure), so a PDF document can be judged like a page."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError


class PdfTextError(ValueError):
    """The bytes are not a readable PDF."""


def is_pdf(data: bytes) -> bool:
    """Return True if the bytes start like a PDF file (within the first KiB, as readers allow)."""
    return b"%PDF-" in data[:1024]


def pdf_to_text(data: bytes, max_pages: int = 500) -> str:
    """Return the text of every page, pages separated by blank lines; raise PdfTextError if unreadable."""
    if not is_pdf(data):
        msg = "not a PDF (no %PDF- header)"
        raise PdfTextError(msg)
    # pypdf logs every tolerated defect at WARNING; real-world PDFs have many, so keep them out of our logs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        msg = f"unreadable PDF: {exc}"
        raise PdfTextError(msg) from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())
