"""The differ's commands, merged into the `clausewatch` CLI."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
