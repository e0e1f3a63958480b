"""The analyzer's commands, merged into the `clausewatch` CLI: `clausewatch classify FILE`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)

# How a document file (not `--lines`, not standard input) becomes text. The `clausewatch` CLI installs the differ's
# reader, so a page saved as HTML or a PDF is read as the pipeline reads it (the analyzer does not import the
# differ: services are independent). Alone, the analyzer reads the file as UTF-8 text. A reader raises ValueError
# (or OSError) for a file it cannot read.
DocumentReader = Callable[[Path], str]
_document_reader: DocumentReader | None = None


def use_document_reader(reader: DocumentReader) -> None:
    """Read `classify`'s document files with `reader` from now on."""
    global _document_reader
    _document_reader = reader


class OutputFormat(StrEnum):
    """How results are printed."""

    json = "json"
    jsonl = "jsonl"


@app.command("classify")
def classify(
    file: Path = typer.Argument(
        ...,
        help="Document to classify (Markdown, text, HTML or PDF; '-' reads text from standard input).",
        allow_dash=True,
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.json, "--format", help="json (one array) or jsonl."
    ),
    lines: bool = typer.Option(
        False,
        "--lines",
        help='Each input line (ended by "\\n" or "\\r\\n") is one unit; one output object per line.',
    ),
    rules_only: bool = typer.Option(False, "--rules-only", help="Do not use the trained model."),
    jurisdiction: list[str] = typer.Option(
        [], "--jurisdiction", "-j", help="Limit regulations (EU, US, GB...)."
    ),
    brief: bool = typer.Option(False, "--brief", help="Print only clause_types and severity."),
    doc_type: str | None = typer.Option(
        None,
        "--doc-type",
        help='The document\'s type ("Privacy Policy", "Terms of Service", …): the privacy-category model reads '
        "only privacy texts, and texts of unknown type; in a privacy text, a terms type needs a rule to agree "
        "with the clause model (decision 0203).",
    ),
) -> None:
    """Tag clause types, severity, regulations and opt-outs in a document (split into provisions) or per line.

    Each output object has at least `clause_types` (taxonomy ids) and `severity` (high, medium, low or none); an
    empty line gives {"clause_types": [], "severity": "none"}.
    """
    # Imported here so `clausewatch --help` stays fast.
    from clausewatch_analyzer.assess import Context
    from clausewatch_analyzer.batch import assess_units, unit_record
    from clausewatch_analyzer.engine import build_engine
    from clausewatch_analyzer.segment import split_provisions
    from clausewatch_shared import jsonout
    from clausewatch_shared.doctypes import canonical_doc_type
    from clausewatch_shared.logging import configure_logging

    # Logs go to stderr, warnings only: stdout carries nothing but the JSON results.
    configure_logging("WARNING", "auto", "analyzer")

    try:
        kind = None if doc_type is None else canonical_doc_type(doc_type)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    # Bytes, decoded here: text mode would also end a line at a bare "\r" (universal newlines), and a unit holding
    # one, as text from a PDF can, would shift every later result against the caller's lines.
    try:
        if lines or str(file) == "-" or _document_reader is None:
            raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
            text = raw.decode("utf-8-sig", errors="replace")
        else:
            text = _document_reader(file)
    except (ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    engine = build_engine(use_model=not rules_only)
    context = Context(document_title=file.name, jurisdictions=tuple(jurisdiction), doc_type=kind)
    records: list[dict[str, object]]
    if lines:
        units = [unit.removesuffix("\r") for unit in text.split("\n")]  # "\n" ends a line, "\r\n" too
        if units and units[-1] == "":
            units.pop()  # the file's final newline ends the last line; it does not start an empty one
        results = assess_units(units, engine, context)
        records = [unit_record(r, engine, detail=not brief) for r in results]
    else:
        segments = split_provisions(text.replace("\r\n", "\n").replace("\r", "\n"))
        results = assess_units([s.text for s in segments], engine, context)
        records = [
            {
                "provision": s.ordinal,
                "heading_path": list(s.heading_path),
                "text": s.text,
                **unit_record(r, engine, detail=not brief),
            }
            for s, r in zip(segments, results, strict=True)
        ]
    out = sys.stdout
    if output_format is OutputFormat.jsonl:
        for record in records:
            out.write(jsonout.dumps(record) + "\n")
    else:
        out.write(jsonout.dumps(records, indent=2) + "\n")


@app.command("reassess")
def reassess(
    documents: list[str] = typer.Argument(
        None, help="Document ids, e.g. acme/privacy-policy; none: every document with a version."
    ),
) -> None:
    """Assess the documents' latest versions again with the installed rules and model, without alerting."""
    from clausewatch_analyzer.engine import build_engine
    from clausewatch_analyzer.reassess import reassess as run
    from clausewatch_analyzer.settings import AnalyzerSettings
    from clausewatch_shared.commands import run_report
    from clausewatch_shared.db import Database
    from clausewatch_shared.settings import load_settings

    settings = load_settings(AnalyzerSettings)
    engine = build_engine(settings.analyzer_model_path, use_model=settings.analyzer_use_model)

    async def job() -> str:
        db = Database(settings.database_url)
        try:
            report = await run(db, engine, documents or (), comparisons=settings.analyzer_comparisons)
        finally:
            await db.dispose()
        return report.describe()

    run_report(job, settings.database_url)
