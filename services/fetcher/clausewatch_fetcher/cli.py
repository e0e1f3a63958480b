"""The fetcher's commands, merged into the `clausewatch` CLI: `catalogue validate|list|show` and `fetch`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import yaml

from clausewatch_fetcher.catalogue import Catalogue, CatalogueDocument, CatalogueError, load_catalogue
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_shared.settings import SettingsError, load_settings

app = typer.Typer(no_args_is_help=True)
catalogue_app = typer.Typer(
    no_args_is_help=True, help="Check and browse the catalogue of platforms and documents."
)
app.add_typer(catalogue_app, name="catalogue")

CataloguePath = Annotated[
    Path | None,
    typer.Option(
        "--catalogue", "-c", help="Catalogue YAML file or directory (default: CLAUSEWATCH_CATALOGUE_PATH)."
    ),
]


def _path(path: Path | None) -> Path:
    if path is not None:
        return path
    try:
        return load_settings(FetcherSettings).catalogue_path
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _load(path: Path | None) -> Catalogue:
    try:
        return load_catalogue(_path(path))
    except CatalogueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@catalogue_app.command("validate")
def validate(catalogue: CataloguePath = None) -> None:
    """Validate the catalogue; print every problem with its file and field, exit 1 if there is one."""
    loaded = _load(catalogue)
    docs = loaded.documents()
    urls = sum(len(d.decl.urls) for d in docs)
    typer.echo(
        f"ok: {len(loaded.platforms)} platforms, {len(docs)} documents, {urls} URLs ({_path(catalogue)})"
    )


@catalogue_app.command("list")
def list_documents(
    catalogue: CataloguePath = None,
    platform: Annotated[str | None, typer.Option("--platform", "-p", help="Only this platform.")] = None,
) -> None:
    """List documents: id, type, JavaScript and PDF flags, first URL."""
    loaded = _load(catalogue)
    for doc in loaded.documents():
        if platform and doc.platform.id != platform:
            continue
        flags = f"js={doc.decl.javascript!s:<5} pdf={'yes' if doc.decl.pdf else 'no':<3}"
        more = f" (+{len(doc.decl.urls) - 1})" if len(doc.decl.urls) > 1 else ""
        if doc.decl.steps:
            more += f" [{len(doc.decl.steps)} step{'s' if len(doc.decl.steps) > 1 else ''}]"
        typer.echo(f"{doc.id:<45} {doc.decl.type:<28} {flags} {doc.decl.urls[0]}{more}")


@catalogue_app.command("show")
def show(
    target: Annotated[str, typer.Argument(help="A platform id (e.g. anthropic) or a document id.")],
    catalogue: CataloguePath = None,
) -> None:
    """Show one platform or document as YAML, with its document ids."""
    loaded = _load(catalogue)
    docs = _select(loaded, target, None)
    platform = docs[0].platform
    data = platform.model_dump(mode="json", exclude_defaults=False)
    data["documents"] = [{"id": d.id, **d.decl.model_dump(mode="json")} for d in docs]
    data["source"] = loaded.sources.get(platform.id)
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _select(loaded: Catalogue, platform: str, document: str | None) -> list[CatalogueDocument]:
    if "/" in platform and document is None:
        platform, document = platform.split("/", 1)
    try:
        plat = loaded.platform(platform)
    except KeyError:
        typer.echo(f"error: no platform {platform!r} in the catalogue", err=True)
        raise typer.Exit(1) from None
    docs = [d for d in loaded.documents() if d.platform.id == plat.id]
    if document:
        wanted = document.lower()
        docs = [d for d in docs if wanted in (d.decl.type_slug, d.decl.type.lower(), d.id)]
        if not docs:
            typer.echo(f"error: {plat.id} has no document {document!r}", err=True)
            raise typer.Exit(1) from None
    return docs


@app.command("fetch")
def fetch(
    platform: Annotated[str, typer.Argument(help="Platform id or name (or a document id).")],
    document: Annotated[
        str | None, typer.Argument(help="Document slug or type; all of the platform's if absent.")
    ] = None,
    catalogue: CataloguePath = None,
    browser: Annotated[bool, typer.Option(help="Allow browser capture.")] = True,
    save: Annotated[
        Path | None, typer.Option(help="Write each captured part's raw bytes into this directory.")
    ] = None,
    publish: Annotated[
        bool,
        typer.Option(help="Instead of capturing here, ask the running fetchers (CaptureRequested on NATS)."),
    ] = False,
) -> None:
    """Check documents now: capture them here and print what the fetcher would record (nothing is stored)."""
    settings = load_settings(FetcherSettings, **({"catalogue_path": catalogue} if catalogue else {}))
    docs = _select(_load(settings.catalogue_path), platform, document)
    if publish:
        asyncio.run(_publish(settings, docs))
        return
    failed = asyncio.run(_fetch_here(settings.model_copy(update={"browser_enabled": browser}), docs, save))
    raise typer.Exit(1 if failed else 0)


def _save(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


async def _fetch_here(settings: FetcherSettings, docs: list[CatalogueDocument], save: Path | None) -> int:
    from clausewatch_fetcher.app import build_capturer, close_capturer
    from clausewatch_fetcher.capture import Failed, Target
    from clausewatch_fetcher.evidence import snapshot_sha256
    from clausewatch_shared.ids import sha256_hex

    capturer = build_capturer(settings)
    failed = 0
    try:
        for doc in docs:
            target = Target.from_spec(
                doc.id, doc.platform.id, list(doc.decl.urls), doc.decl.spec(), doc.decl.language
            )
            outcome = await capturer.capture(target)
            if isinstance(outcome, Failed):
                failed += 1
                rejection = outcome.rejection
                typer.echo(
                    f"NOT THE DOCUMENT  {doc.id}: {rejection.cause} ({rejection.retry_class}) {rejection.detail}"
                )
                typer.echo(f"    url {outcome.url}  tried {'+'.join(outcome.tried)}")
                continue
            hashes = [sha256_hex(p.body) for p in outcome.parts]
            typer.echo(f"captured  {doc.id}  sha256 {snapshot_sha256(hashes)}  {outcome.text_chars:,} chars")
            for page, digest in zip(outcome.parts, hashes, strict=True):
                hops = " -> ".join(str(r.status) for r in page.redirects)
                typer.echo(
                    f"    {page.fetcher:<7} {page.status} {len(page.body):>9,} B  {page.content_type or '-'}"
                    f"  {page.final_url}{'  via ' + hops if hops else ''}  sha256 {digest}"
                )
                if page.cookies:
                    typer.echo(f"    cookies sent: {', '.join(page.cookies)}")
                for line in page.steps:
                    typer.echo(f"    step: {line}")
                if save is not None:
                    await asyncio.to_thread(_save, save, digest, page.body)
    finally:
        await close_capturer(capturer)
    return failed


async def _publish(settings: FetcherSettings, docs: list[CatalogueDocument]) -> None:
    from clausewatch_fetcher.scheduler import capture_request
    from clausewatch_shared.clock import utcnow
    from clausewatch_shared.messaging import Bus, build_broker

    broker = build_broker(settings.nats_url, "cli")
    await broker.connect()
    try:
        bus = Bus(broker, "cli")
        slot = "manual-" + utcnow().strftime("%Y%m%dT%H%M%SZ")
        for doc in docs:
            event, msg_id = capture_request(doc.id, slot, reason="manual")
            await bus.publish(event, msg_id=msg_id)
            typer.echo(f"requested {doc.id} (slot {slot})")
    finally:
        await broker.stop()
