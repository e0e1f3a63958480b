"""`clausewatch classify`: the --lines contract evaluation relies on, and documents split into provisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from clausewatch.cli import app
from tests.support.pdf import make_pdf

RUNNER = CliRunner()


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    """The command points structlog at the runner's stderr, which closes after it: restore the defaults."""
    yield
    structlog.reset_defaults()


def test_lines_give_one_object_per_input_line_in_order(tmp_path: Path) -> None:
    """Each input line, including an empty one, yields one JSON line with clause_types and severity."""
    source = tmp_path / "units.txt"
    source.write_text(
        "Any dispute shall be resolved by final and binding arbitration.\n"
        "\n"
        "We do not currently respond to Do Not Track signals.\n"
        "We may use your prompts to train our AI models.\n",
        encoding="utf-8",
    )
    result = RUNNER.invoke(app, ["classify", str(source), "--lines", "--format", "jsonl", "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert "arbitration" in rows[0]["clause_types"]
    assert rows[1] == {
        "clause_types": [],
        "severity": "none",
        "confidence": 1.0,
        "reasons": [],
        "labels": [],
        "regulations": [],
        "opt_outs": [],
        "carve_outs": [],
    }
    assert "do_not_track" in rows[2]["clause_types"]
    assert rows[3]["severity"] == "high"
    assert all(row["severity"] in {"high", "medium", "low", "none"} for row in rows)


def test_brief_json_output_has_exactly_the_contract_fields(tmp_path: Path) -> None:
    """--brief prints a JSON array of {clause_types, severity} per line."""
    source = tmp_path / "units.txt"
    source.write_text("\nWe retain your data for 90 days.\n", encoding="utf-8")
    result = RUNNER.invoke(app, ["classify", str(source), "--lines", "--brief", "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0] == {"clause_types": [], "severity": "none"}
    assert "data_retention" in rows[1]["clause_types"]


def test_document_is_split_into_provisions_with_headings(tmp_path: Path) -> None:
    """Without --lines the file is a document: one object per provision with its heading path."""
    source = tmp_path / "policy.md"
    source.write_text(
        "# Terms\n\n## Disputes\n\nAll disputes go to binding arbitration.\n\n## Data\n\nWe sell your personal data.\n",
        encoding="utf-8",
    )
    result = RUNNER.invoke(app, ["classify", str(source), "--format", "json", "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["heading_path"] for r in rows] == [["Terms", "Disputes"], ["Terms", "Data"]]
    assert "arbitration" in rows[0]["clause_types"]
    assert "data_sale" in rows[1]["clause_types"]
    assert rows[1]["severity"] == "high"


def test_lines_end_only_at_newlines_so_results_stay_in_step(tmp_path: Path) -> None:
    """A line ends at "\\n" (a CRLF file's "\\r" dropped, a BOM ignored); a bare "\\r", a form feed or a Unicode
    line separator inside a unit, as text from a PDF may hold, does not start another line."""
    source = tmp_path / "units.txt"
    units = [
        "Any dispute shall be resolved\rby binding arbitration.",
        "Page 2\x0cWe may terminate your account at any time.",
        "We retain your data\u2028for 90 days.",
        "",
    ]
    source.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(units).encode() + b"\r\n")
    result = RUNNER.invoke(app, ["classify", str(source), "--lines", "--format", "jsonl", "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert len(rows) == len(units)
    assert "arbitration" in rows[0]["clause_types"]
    assert "data_retention" in rows[2]["clause_types"]
    assert rows[3]["clause_types"] == []


def test_each_result_is_one_line_for_any_line_reader(tmp_path: Path) -> None:
    """A unit holding U+2028 (quoted back in its opt-out route's context) still gives one output line by
    `str.splitlines()`, and the JSON reads back to the same text."""
    source = tmp_path / "units.txt"
    source.write_text(
        "We may use your prompts\u2028to train our AI models unless you opt out by emailing privacy@example.com.\n",
        encoding="utf-8",
    )
    result = RUNNER.invoke(app, ["classify", str(source), "--lines", "--format", "jsonl", "--rules-only"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    row = json.loads(line)
    assert "ai_training_on_user_content" in row["clause_types"]
    assert "\u2028" in row["opt_outs"][0]["context"]


def test_a_document_saved_as_html_or_pdf_is_read_as_the_pipeline_reads_it(tmp_path: Path) -> None:
    """Without --lines, an HTML page is classified by its text (headings, not markup) and a PDF by its text, as
    `clausewatch diff` reads them; a binary file is a clear error (exit 2), not a provision of bytes."""
    page = tmp_path / "terms.html"
    page.write_text(
        "<html><head><title>Terms</title><script>var x = 1;</script></head><body><nav>Home</nav><main>"
        "<h1>Terms of Service</h1><h2>Disputes</h2>"
        "<p>Any dispute shall be resolved by final and binding arbitration.</p></main></body></html>",
        encoding="utf-8",
    )
    result = RUNNER.invoke(app, ["classify", str(page), "--format", "jsonl", "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert not any("<" in row["text"] for row in rows), rows
    [dispute] = [row for row in rows if "arbitration" in row["clause_types"]]
    assert dispute["heading_path"][-1] == "Disputes"

    pdf = tmp_path / "terms.pdf"
    pdf.write_bytes(make_pdf(["Any dispute shall be resolved by final and binding arbitration."]))
    from_pdf = RUNNER.invoke(app, ["classify", str(pdf), "--format", "jsonl", "--rules-only"])
    assert from_pdf.exit_code == 0, from_pdf.output
    assert any("arbitration" in json.loads(line)["clause_types"] for line in from_pdf.stdout.splitlines())

    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    refused = RUNNER.invoke(app, ["classify", str(binary), "--format", "jsonl", "--rules-only"])
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert "error: image.bin" in refused.stderr


def test_the_cli_takes_a_document_type_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    """`--doc-type "Terms of Service"` keeps the model off; a type outside the vocabulary is an error (exit 2)."""
    source = tmp_path / "lines.txt"
    # A CLAUDETTE terms-of-service line (Grindr) in which the privacy-category model, out of its domain, reads
    # collection (decision 0188).
    source.write_text("GRINDR DOES NOT CONDUCT CRIMINAL OR OTHER BACKGROUND SCREENINGS OF ITS USERS.\n")
    unknown = RUNNER.invoke(app, ["classify", str(source), "--lines", "--format", "jsonl"])
    terms = RUNNER.invoke(
        app, ["classify", str(source), "--lines", "--format", "jsonl", "--doc-type", "terms of use"]
    )
    assert "first_party_collection" in json.loads(unknown.stdout)["clause_types"]
    assert "first_party_collection" not in json.loads(terms.stdout)["clause_types"]
    bad = RUNNER.invoke(app, ["classify", str(source), "--lines", "--doc-type", "Manifesto"])
    assert bad.exit_code == 2
    assert "unknown document type 'Manifesto'" in bad.stderr
