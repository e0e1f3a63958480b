"""The `clausewatch` command: run the system embedded or one service at a time, and work with its data."""

from __future__ import annotations

import typer

from clausewatch_analyzer.cli import app as analyzer_cli
from clausewatch_api.cli import app as api_cli
from clausewatch_differ.cli import app as differ_cli
from clausewatch_fetcher.cli import app as fetcher_cli
from clausewatch_notifier.cli import app as notifier_cli

app = typer.Typer(
    name="clausewatch",
    help=(
        "clausewatch watches platforms' privacy policies, terms and AI policies and says, the same day, which "
        "provision changed, how, how serious it is and which laws it touches.\n\n"
        "Start with `clausewatch up --demo`: everything runs in one process on bundled real document histories."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
for service_cli in (fetcher_cli, differ_cli, analyzer_cli, notifier_cli, api_cli):
    app.add_typer(service_cli)


def main() -> None:
    """Entry point of the `clausewatch` script."""
    app()
