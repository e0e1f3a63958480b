"""The `clausewatch` command: run the system embedded or one service at a time, and work with its data."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from clausewatch import services
from clausewatch_analyzer.cli import app as analyzer_cli
from clausewatch_analyzer.cli import use_document_reader
from clausewatch_api.cli import app as api_cli
from clausewatch_differ.cli import app as differ_cli
from clausewatch_differ.files import read_document
from clausewatch_fetcher.cli import app as fetcher_cli
from clausewatch_notifier.cli import app as notifier_cli
from clausewatch_shared.settings import DEFAULT_DATA_DIR, CommonSettings, SettingsError, load_settings

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
# `clausewatch classify FILE` reads a document the way `clausewatch diff` and the pipeline do: HTML and PDF too.
use_document_reader(read_document)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir", help="Where the embedded system keeps its database, blobs and JetStream store."
    ),
]


@app.command()
def up(
    demo: Annotated[
        bool, typer.Option("--demo", help="Serve bundled real document histories locally and advance them.")
    ] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    port: Annotated[int, typer.Option(help="Port of the web pages and the API.")] = 8080,
    duration: Annotated[
        float | None, typer.Option("--for", help="Stop after this many seconds (default: run until Ctrl-C).")
    ] = None,
) -> None:
    """Run every service in this process on an embedded nats-server and a SQLite database.

    With `--demo`, a local web site serves real policy histories (captured by Open Terms Archive), a local SMTP
    server and webhook receiver stand in for a subscriber, and each document is edited every few seconds: within
    a minute you see changes detected, assessed and delivered. Open the printed web address to browse them.
    """
    from clausewatch import embedded

    # Bound now and served as is, so the port printed is the one the api listens on (`port` if it was free).
    api_socket = embedded.bind_api_socket(port)
    if demo:
        from clausewatch import demo as demo_mode

        target = data_dir / "demo" if data_dir == DEFAULT_DATA_DIR else data_dir
        demo_mode.prepare_data_dir(target)
        asyncio.run(demo_mode.run_demo(target, api_socket=api_socket, duration=duration))
        return
    config = embedded.EmbeddedConfig(data_dir=data_dir, api_socket=api_socket)
    typer.echo(
        f"clausewatch: starting every service (data in {data_dir}, web on http://127.0.0.1:{config.api_port}/)"
    )
    asyncio.run(embedded.run(config))


@app.command("run")
def run_service(
    service: Annotated[str, typer.Argument(help="One of: " + ", ".join(services.SERVICE_NAMES))],
) -> None:
    """Run one service in this process (for containers); settings come from CLAUSEWATCH_* variables."""
    from clausewatch_shared.logging import configure_logging

    try:
        settings = services.load_service_settings(service)
        factory = services.app_factory(service)
    except (SettingsError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format, service=service)
    asyncio.run(factory(settings).run())


@app.command()
def migrate(
    database_url: Annotated[
        str | None,
        typer.Option(help="Database URL (default: CLAUSEWATCH_DATABASE_URL or the embedded SQLite)."),
    ] = None,
) -> None:
    """Bring the database schema up to date (SQLite or PostgreSQL); safe to run again."""
    from clausewatch_shared.migrations import upgrade

    url = database_url or load_settings(CommonSettings).database_url
    upgrade(url)
    typer.echo(f"database at head: {url.split('@')[-1]}")


@app.command()
def status(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show what the system holds, the broker's queues and which documents need attention."""
    from clausewatch import status as status_mod
    from clausewatch.embedded import RUNTIME_FILE

    runtime_file = data_dir / RUNTIME_FILE
    if runtime_file.exists():
        described = json.loads(runtime_file.read_text())
        database_url, nats_url = described["database_url"], described["nats_url"]
    else:
        settings = load_settings(CommonSettings)
        database_url, nats_url = settings.database_url, settings.nats_url
    report = asyncio.run(status_mod.collect(database_url, nats_url))
    if as_json:
        typer.echo(json.dumps(report.__dict__, indent=2, default=str))
        return
    typer.echo("holdings:   " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    typer.echo("deliveries: " + (", ".join(f"{k} {v}" for k, v in report.deliveries.items()) or "none"))
    typer.echo("subscribers: " + (", ".join(f"{k} {v}" for k, v in report.subscribers.items()) or "none"))
    if report.broker_error:
        typer.echo(f"broker:     unreachable at {nats_url} ({report.broker_error})")
    else:
        # A broker holding none of our streams printed an empty "streams:" line: say what that means instead.
        typer.echo(
            "streams:    " + ", ".join(f"{k} {v} msgs" for k, v in report.streams.items())
            if report.streams
            else f"streams:    none at {nats_url} (the services create them when they start: are they running "
            "against this broker?)"
        )
        for name, state in report.consumers.items():
            typer.echo(f"consumer:   {name}: " + ", ".join(f"{k} {v}" for k, v in state.items()))
    for item in report.retrying:
        when = f"; next try {item['next_try']:%Y-%m-%d %H:%M} UTC" if item["next_try"] else ""
        typer.echo(
            f"retrying:   {item['document']}: {item['cause']}: {item['detail']} ({item['failures']} in a row{when})"
        )
    if report.attention:
        typer.echo("NEEDS ATTENTION:")
        for item in report.attention:
            typer.echo(f"  {item['document']}: {item['reason']} ({item['failures']} failures in a row)")
    else:
        typer.echo("attention:  no document needs attention")


@app.command()
def config(
    service: Annotated[
        str | None, typer.Argument(help="A service, or nothing for the common settings.")
    ] = None,
    as_markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the whole reference as Markdown.")
    ] = False,
) -> None:
    """Show the effective settings (secrets masked), or the configuration reference with --markdown."""
    from clausewatch import configdoc

    if as_markdown:
        typer.echo(configdoc.markdown(), nl=False)
        return
    typer.echo(json.dumps(configdoc.effective(service), indent=2, default=str))


def main() -> None:
    """Entry point of the `clausewatch` script."""
    try:
        app()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
