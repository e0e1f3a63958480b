"""The provision record as a PDF (decision 0167): what the page says, in any script the font covers, readable by a PDF
reader; without a Unicode font, Latin-1 with the replacement said."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from clausewatch_api.record_pdf import (
    FALLBACK_CANDIDATES,
    FONT_CANDIDATES,
    HISTORY_LIMIT,
    find_fallback_fonts,
    find_font,
    record_filename,
    render_record_pdf,
)

NOW = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
SHA = "20bca03faeb6eca729c8a9ece674a093b027618cf9e96f1e0a652dcaef888ca9"
CLAUSE = (
    "We may use your Inputs and Outputs to train our models — unless you opt out through your account settings. "
    "Even if you opt out, we will use “flagged” conversations for safety review. Données traitées à Zürich."
)


def _detail(history: int = 1) -> dict[str, Any]:
    """A provision page's data, shaped as provision_page.provision_detail returns it."""
    citation = {
        "platform_name": "Anthropic",
        "document_title": "Anthropic Privacy Policy",
        "document_id": "anthropic/privacy-policy",
        "provision_id": "prov-1",
        "provision_key": "key-1",
        "snapshot_id": "snap-1",
        "captured_at": "2026-05-09T14:50:44Z",
        "sha256": SHA,
        "parts": [{"sha256": SHA, "url": "https://www.anthropic.com/legal/privacy"}],
        "source_url": "https://www.anthropic.com/legal/privacy",
        "archive_url": "https://web.archive.org/web/20260509145044/https://www.anthropic.com/legal/privacy",
        "permalink": "https://cw.example/provisions/key-1",
        "accessed": "2026-12-06",
    }
    return {
        "provision": {
            "id": "prov-1",
            "key": "key-1",
            "text": CLAUSE,
            "heading_path": ["Anthropic Privacy Policy", "How we use your data"],
        },
        "title": "AI model training on user content and prompts",
        "is_current": True,
        "platform": {"id": "anthropic", "name": "Anthropic"},
        "document": {"id": "anthropic/privacy-policy", "title": "Anthropic Privacy Policy"},
        "assessment": {
            "severity": "high",
            "confidence": 0.77,
            "reasons": [
                "AI model training on user content and prompts: user content may be used to train AI models"
            ],
            "evidence": [CLAUSE[:120]],
            "clause_types": [{"label": "AI model training on user content and prompts", "confidence": 0.85}],
            "texts": {
                "why_it_matters": "Anthropic may use what you submit to train its models.",
                "impact": "Flagged conversations are used whatever you choose.",
                "what_to_do": [
                    {"title": "Opt out", "text": "Turn training off.", "route": "your account settings"}
                ],
                "carve_outs": ["Even if you opt out, we will use “flagged” conversations for safety review."],
                "disclaimer": "This analysis describes what the document states.",
            },
            "opt_outs": [{"kind": "setting", "value": "your account settings"}],
            "regulations": [
                {"name": "GDPR", "jurisdiction": "European Union", "articles": ["Art. 6 (lawful basis)"]}
            ],
            "agencies": [
                {"name": "Information Commissioner's Office (ICO)", "jurisdiction": "United Kingdom"}
            ],
            "created_at": "2026-05-09T14:50:44Z",
            "model_version": "r1a2b3c-clausewatch-clauses-test",
        },
        "rarity": {"text": "Rare · 1 of 343 platforms"},
        "stability": {
            "label": "Stable",
            "changes": history,
            "months_monitored": 3,
            "first_seen": "2026-04-03T00:00:00Z",
            "last_seen": "2026-04-10T00:00:00Z",
        },
        "history": [
            {
                "kind": "modified",
                "at": f"2026-04-{(i % 28) + 1:02d}T00:00:00Z",
                "description": f"Change number {i}: expanded with an explicit opt-out",
                "severity_before": "medium",
                "severity_after": "high",
            }
            for i in range(history)
        ],
        "permalink": "https://cw.example/provisions/key-1",
        "record": {"document": "Anthropic Privacy Policy", "entity": "Anthropic", "effective": "May 1, 2026"},
        "citation": citation,
        "citation_text": f"Entity: Anthropic\nSHA-256: {SHA}\nURL: https://cw.example/provisions/key-1",
        "verification": {"verified": True, "checked_at": "2026-12-06T17:00:00Z", "parts": []},
    }


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_record_holds_the_page_s_facts_in_the_document_s_own_characters() -> None:
    font = find_font()
    assert font is not None, f"DejaVu Sans is installed by `make browser`; looked in {FONT_CANDIDATES}"
    pdf = render_record_pdf(_detail(), font=font, now=NOW)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "AI model training on user content and prompts",
        "Anthropic · Anthropic Privacy Policy · How we use your data",
        "Severity: HIGH (confidence 77%) · Rare · 1 of 343 platforms",
        "train our models — unless you opt out",  # the em dash and curly quotes are the document's
        "“flagged” conversations",
        "Données traitées à Zürich",
        "Opt out: Turn training off. (your account settings)",
        "severity medium → high",
        "GDPR (European Union): Art. 6 (lawful basis)",
        "hash verified",
        SHA,
        "https://cw.example/provisions/key-1",
        "generated 2026-12-06 17:00:00 UTC",
    ):
        assert expected in text, expected
    assert "No Unicode font" not in text
    assert (
        PdfReader(io.BytesIO(pdf)).metadata.title
        == "AI model training on user content and prompts · Anthropic"
    )


def test_without_a_unicode_font_the_record_is_latin_1_and_says_so() -> None:
    text = _text(render_record_pdf({**_detail(), "title": "Training 训练"}, font=None, now=NOW))
    assert "train our models - unless you opt out" in text
    assert '"flagged" conversations' in text
    assert "Données traitées à Zürich" in text  # Latin-1 keeps accents
    assert "Training ??" in text
    assert "No Unicode font was found" in text


def test_ideographs_the_main_font_lacks_are_written_in_the_fallback_font(tmp_path: Path) -> None:
    """DejaVu Sans has no Chinese: with Droid Sans Fallback beside it, a Chinese title and clause keep their characters
    (each written in the first font that has it), Latin text stays in the main font; without it they are lost."""
    fallbacks = find_fallback_fonts()
    assert fallbacks, f"Droid Sans Fallback is installed by `make browser`; looked in {FALLBACK_CANDIDATES}"
    detail = _detail()
    detail = {
        **detail,
        "title": "Training 训练",
        "provision": {
            **detail["provision"],
            "text": "我们可能使用您的对话来训练模型。 We may use your chats.",
        },
    }
    with_fallback = _text(render_record_pdf(detail, font=find_font(), now=NOW, fallbacks=fallbacks))
    assert "Training 训练" in with_fallback
    assert "我们可能使用您的对话来训练模型。" in with_fallback
    assert "We may use your chats." in with_fallback
    without = _text(render_record_pdf(detail, font=find_font(), now=NOW))
    assert "训练" not in without
    with pytest.raises(FileNotFoundError, match="PDF fallback font"):
        find_fallback_fonts([tmp_path / "missing.ttf"])
    assert find_fallback_fonts([]) == ()


def test_a_long_history_keeps_the_latest_changes_and_points_to_the_page() -> None:
    """The history runs oldest first: the record keeps its last entries."""
    text = _text(render_record_pdf(_detail(history=HISTORY_LIMIT + 3), font=find_font(), now=NOW))
    assert f"Change number {HISTORY_LIMIT + 2}:" in text
    assert "Change number 3:" in text
    assert "Change number 2:" not in text
    assert (
        f"The last {HISTORY_LIMIT} of {HISTORY_LIMIT + 3} changes; the earlier ones are on the provision page."
        in text
    )


def test_a_failed_hash_check_is_said_in_the_record() -> None:
    detail = _detail()
    detail["verification"] = {
        "verified": False,
        "checked_at": "2026-12-06T17:00:00Z",
        "parts": [{"status": "mismatch"}],
    }
    assert "hash check FAILED (mismatch;" in _text(render_record_pdf(detail, font=find_font(), now=NOW))


def test_a_configured_font_must_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_font(tmp_path / "missing.ttf")
    installed = find_font()
    assert installed is not None
    assert find_font(installed) == installed


def test_the_file_name_is_safe_in_a_header() -> None:
    detail = _detail()
    detail["citation"]["platform_name"] = 'Zürich "Quotes" AG'
    assert record_filename(detail) == "clausewatch-z-rich-quotes-ag-key-1.pdf"
    assert record_filename({**detail, "citation": None}) == "clausewatch-provision-key-1.pdf"
