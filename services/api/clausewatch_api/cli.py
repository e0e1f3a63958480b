"""The api's commands, merged into the `clausewatch` CLI: `serve-api` serves the pages and JSON API alone."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.settings import SettingsError, load_settings

app = typer.Typer(no_args_is_help=True)


@app.command("serve-api")
def serve_api(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: CLAUSEWATCH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CLAUSEWATCH_PORT, 8080).")] = None,
) -> None:
    """Serve the web pages, feeds and JSON API over the database and blob directory, without the event bus.

    Read-only use (browsing a copy of the data, a second web front): requesting a capture answers 503 here.
    With `clausewatch up` or `clausewatch run api` the same app runs inside the runtime instead.
    """
    try:
        settings = load_settings(ApiSettings)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if settings.blob_store != "filesystem":
        typer.echo(
            "error: serve-api reads blobs from a directory; use `clausewatch run api` for NATS blobs",
            err=True,
        )
        raise typer.Exit(2)
    application = create_api(
        settings, Database(settings.database_url), FilesystemBlobStore(settings.blob_dir)
    )
    bind_host, bind_port = host or settings.host, port if port is not None else settings.port
    typer.echo(f"clausewatch pages on http://{bind_host}:{bind_port}/ (JSON API under /api/v1/)")
    uvicorn.run(application, host=bind_host, port=bind_port, log_config=None, access_log=False)
