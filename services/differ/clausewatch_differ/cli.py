"""The differ's commands, merged into the `clausewatch` CLI: `diff` for files and histories, `reextract`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from clausewatch_differ.extract import ExtractionError
from clausewatch_differ.files import compare_files, compare_history, history_files, read_document
from clausewatch_differ.render import report_html, report_text
from clausewatch_shared import jsonout

app = typer.Typer(no_args_is_help=True)


class Format(StrEnum):
    """Output formats of `clausewatch diff`."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    html = "html"
    html_inline = "html-inline"


def _emit(result: dict[str, object], fmt: Format) -> None:
    if fmt in {Format.json}:
        sys.stdout.write(jsonout.dumps(result, indent=2) + "\n")
    elif fmt == Format.jsonl:
        sys.stdout.write(jsonout.dumps(result) + "\n")
    elif fmt == Format.html:
        sys.stdout.write(report_html(result, "side-by-side"))
    elif fmt == Format.html_inline:
        sys.stdout.write(report_html(result, "inline"))
    else:
        sys.stdout.write(report_text(result))


@app.command("diff")
def diff(
    old: Path | None = typer.Argument(None, help="The older document (Markdown, text, HTML or PDF)."),
    new: Path | None = typer.Argument(None, help="The newer document."),
    history: Path | None = typer.Option(
        None,
        "--history",
        help="Diff each document file of DIR with the next in name order (JSON: one per pair).",
    ),
    fmt: Format = typer.Option(
        Format.text, "--format", "-f", help="text, json, jsonl, html (side by side) or html-inline."
    ),
) -> None:
    """Compare two versions of a document provision by provision, or every consecutive pair of a history.

    JSON output: `old`, `new` (file names), `substantive` (bool), `counts`, `summary` and `changes`, each with
    `kind` (added|removed|modified|moved), `significance` (substantive|cosmetic), `old_text`, `new_text` (null
    where absent), `heading_path`, `hints`, `summary` and `diff` ([op, text] word segments).
    Exit status: 0 when done (whether or not anything changed), 2 on unreadable input.
    """
    if history is not None:
        if not history.is_dir():
            typer.echo(f"error: {history} is not a directory", err=True)
            raise typer.Exit(2)
        if len(history_files(history)) < 2:
            typer.echo(
                f"warning: {history} holds fewer than two document files: nothing to compare", err=True
            )
        for result in compare_history(history):
            _emit(result, Format.jsonl if fmt in {Format.json, Format.jsonl} else fmt)
        return
    if old is None or new is None:
        typer.echo("error: give OLD and NEW files, or --history DIR", err=True)
        raise typer.Exit(2)
    try:
        for path in (old, new):
            if not path.is_file():
                raise ExtractionError(f"{path}: no such file")
        result = compare_files(old, new)
    except ExtractionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    _emit(result, fmt)


@app.command("extract")
def extract_command(path: Path = typer.Argument(..., help="A Markdown, text, HTML or PDF file.")) -> None:
    """Print the clean structured text the differ extracts from a file."""
    try:
        sys.stdout.write(read_document(path))
    except (ExtractionError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("reextract")
def reextract(
    document: str = typer.Argument(..., help="Document id, e.g. acme/privacy-policy."),
) -> None:
    """Rebuild a document's versions from its stored snapshots with the current extractor, without alerting."""
    from clausewatch_differ.rebuild import rebuild_document
    from clausewatch_differ.settings import DifferSettings
    from clausewatch_shared.commands import run_report
    from clausewatch_shared.settings import load_settings

    settings = load_settings(DifferSettings)

    async def job() -> str:
        return (await rebuild_document(settings, document)).describe()

    run_report(job, settings.database_url)
