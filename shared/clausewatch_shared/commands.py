"""What the services' maintenance commands share: run a job on the database, print its report or a clear error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import typer
from sqlalchemy.exc import SQLAlchemyError


def run_report(job: Callable[[], Awaitable[str]], database_url: str) -> None:
    """Run `job` and print the line it returns; a LookupError (a document that cannot be found) or a database error
    (often a schema not migrated) exits with status 2 and says which."""

    async def main() -> str:
        return await job()

    try:
        typer.echo(asyncio.run(main()))
    except LookupError as exc:
        typer.echo(f"error: {exc.args[0]}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:
        typer.echo(
            f"error: database {database_url}: {exc.__class__.__name__} (run `clausewatch migrate`?)", err=True
        )
        raise typer.Exit(2) from None
