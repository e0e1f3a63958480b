"""`clausewatch up --demo`: the whole system, offline, on real policy histories that change while you watch.

A local site serves documents whose versions were captured by Open Terms Archive; a subscriber on the compliance
tier follows every demo platform with a webhook (to a local receiver that verifies signatures) and an e-mail
address (a local SMTP server). The driver asks the fetcher to capture every document, then edits one document
every few seconds and asks again. The terminal shows each step as the services report it over NATS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import socket
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import nats
import typer
import yaml

from clausewatch import embedded
from clausewatch.demo_site import DemoDocument, DemoSite
from clausewatch.receivers import MailSink, ReceivedWebhook, WebhookReceiver
from clausewatch_shared import subjects
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.ids import derived_id, new_id
from clausewatch_shared.messaging import Bus

ADVANCE_EVERY_SECONDS = 5.0
DEMO_EMAIL = "demo-subscriber@clausewatch.example"


def write_catalogue(site: DemoSite, path: Path) -> None:
    """Write a catalogue whose documents live on the demo site."""
    platforms = [
        {
            "id": doc.platform_id,
            "name": doc.platform,
            "website": doc.website,
            "jurisdictions": ["EU", "US", "UK"],
            "documents": [
                {
                    "type": doc.doc_type,
                    "urls": site.urls(doc),
                    "select": doc.select,
                    "remove": ["nav", "header", "footer", "script", "style"],
                    "javascript": False,
                    "min_chars": 200,
                }
            ],
        }
        for doc in site.documents
    ]
    path.write_text(
        "# Demo catalogue: documents served by the local demo site.\n"
        + yaml.safe_dump({"platforms": platforms})
    )


def _say(text: str) -> None:
    typer.echo(text)


class Narrator:
    """Prints what the services report, as they report it (a plain NATS subscription to the fact subjects)."""

    def __init__(self, nats_url: str) -> None:
        self.nats_url = nats_url
        self.changes = 0
        self.alerts = 0

    async def run(self) -> None:
        nc = await nats.connect(self.nats_url)
        try:
            await nc.subscribe(f"{subjects.PREFIX}.>", cb=self._on_message)
            await asyncio.Event().wait()
        finally:
            await nc.close()

    async def _on_message(self, msg: Any) -> None:
        try:
            body = json.loads(msg.data)
        except ValueError:
            return
        subject = msg.subject
        doc = body.get("document_id", "")
        if subject == subjects.SNAPSHOT_CAPTURED:
            size = sum(p.get("size", 0) for p in body.get("parts", []))
            _say(f"  captured   {doc}: {size:,} bytes, sha256 {body['sha256'][:16]}… ({body.get('fetcher')})")
        elif subject == subjects.SNAPSHOT_UNCHANGED:
            _say(f"  unchanged  {doc}: same bytes as last time")
        elif subject == subjects.DOCUMENT_INACCESSIBLE:
            _say(f"  NOT THE DOCUMENT {doc}: {body.get('cause')} — {body.get('detail')}")
        elif subject == subjects.VERSION_RECORDED and body.get("previous_version_id") is None:
            _say(f"  version    {doc}: first version, {body.get('provision_count')} provisions")
        elif subject == subjects.CHANGE_DETECTED:
            self.changes += 1
            counts = body.get("counts", {})
            kind = "substantive" if body.get("substantive") else "cosmetic only"
            _say(
                f"CHANGE     {doc} ({kind}): {counts.get('added', 0)} added, {counts.get('removed', 0)} removed, "
                f"{counts.get('modified', 0)} modified, {counts.get('moved', 0)} moved — {body.get('summary', '')[:160]}"
            )
        elif subject == subjects.CHANGE_ASSESSED:
            _say(
                f"ASSESSED   {doc}: severity {body.get('max_severity')}; clause types "
                f"{', '.join(body.get('clause_types', [])[:6]) or '-'}; regulations "
                f"{', '.join(body.get('regulations', [])[:6]) or '-'}"
                + (f"; {body['escalations']} escalation(s)" if body.get("escalations") else "")
            )
        elif subject == subjects.ALERT_DELIVERED:
            self.alerts += 1
            _say(f"DELIVERED  {body.get('channel')} alert to subscriber {body.get('subscriber_id', '')[:8]}…")
        elif subject == subjects.ALERT_FAILED:
            _say(f"FAILED     {body.get('channel')} alert: {body.get('reason')}")


def _on_webhook(item: ReceivedWebhook) -> None:
    try:
        event = item.json
    except ValueError:
        event = {}
    status = "signature verified" if item.verified else "SIGNATURE INVALID"
    data = event.get("data", {}) if isinstance(event, dict) else {}
    _say(
        f"  webhook received ({status}): {event.get('type')} id {event.get('id')} — "
        f"{data.get('platform_name', '')} "
        f"severity {data.get('severity') or data.get('max_severity')}"
    )


def _on_email(message: EmailMessage) -> None:
    _say(f"  e-mail received by {message['To']}: {message['Subject']}")
    # The demo's mail stays on this machine: a sign-up from the pages would be stuck without its link.
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    link = next((word for word in text.split() if "/signup/confirm/" in word), None)
    if link:
        _say(f"    its confirmation link: {link}")


async def _wait_for_documents(system: embedded.EmbeddedSystem, expected: int) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from clausewatch_shared.models import Document

    for _ in range(600):
        async with system.runtime.db.session() as session:
            count = (await session.exec(select(func.count()).select_from(Document))).one()
        if count >= expected:
            return
        await asyncio.sleep(0.1)
    msg = "the fetcher did not load the demo catalogue"
    raise RuntimeError(msg)


async def _create_subscriber(system: embedded.EmbeddedSystem, site: DemoSite, hook: WebhookReceiver) -> None:
    """Subscribe the demo's subscriber to every demo platform, by e-mail and webhook (compliance tier)."""
    from clausewatch_notifier import management
    from clausewatch_notifier.settings import NotifierSettings

    notifier_settings = system.settings["notifier"]
    # The runner stores every service's settings under their common base class; narrow to the notifier's.
    if not isinstance(notifier_settings, NotifierSettings):
        msg = "the embedded system's notifier settings are not NotifierSettings"
        raise TypeError(msg)
    db = system.runtime.db
    created = await management.create_subscriber(db, DEMO_EMAIL, tier="compliance")
    subscriber_id = created.subscriber.id
    for doc in site.documents:
        await management.follow(db, subscriber_id, doc.platform_id)
    endpoint = await management.register_endpoint(db, notifier_settings, subscriber_id, hook.url)
    assert endpoint.secret is not None
    hook.secret = endpoint.secret


async def _sleep_unless_terminated(seconds: float) -> None:
    """Wait `seconds`, or until SIGTERM: `app.run` handles signals, `app.start` does not, and `--for` ended by
    `timeout` or `kill` skipped the shutdown below (session 17)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def make_driver(
    system: embedded.EmbeddedSystem,
    site: DemoSite,
    hook: WebhookReceiver,
    narrator: Narrator,
    duration: float | None,
) -> Callable[[], Awaitable[None]]:
    """Return the task that requests captures and edits documents."""
    bus: Bus = system.runtime.bus("demo")
    run_id = new_id()[:8]

    async def request_capture(doc: DemoDocument, round_no: int) -> None:
        slot = f"demo-{run_id}-{round_no}"
        await bus.publish(
            CaptureRequested(
                event_id=derived_id("capture", doc.document_id, slot),
                correlation_id=new_id(),
                document_id=doc.document_id,
                slot=slot,
                reason="demo",
            ),
            msg_id=f"capture:{doc.document_id}:{slot}",
        )

    async def drive() -> None:
        await _wait_for_documents(system, len(site.documents))
        await _create_subscriber(system, site, hook)
        _say(f"demo: subscriber {DEMO_EMAIL} (compliance tier) follows {len(site.documents)} platforms")
        _say("demo: capturing the first version of every document…")
        for doc in site.documents:
            await request_capture(doc, 0)
        round_no = 0
        started = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(ADVANCE_EVERY_SECONDS)
            movable = [d for d in site.documents if d.can_advance]
            if not movable:
                break
            round_no += 1
            doc = movable[round_no % len(movable)]
            site.advance(doc)
            _say(f"demo: {doc.platform} edited its {doc.doc_type} (now serving {doc.versions[doc.current]})")
            await request_capture(doc, round_no)
            if duration is not None and asyncio.get_running_loop().time() - started > duration:
                break
        await asyncio.sleep(ADVANCE_EVERY_SECONDS)
        _say(
            f"demo: every edit played: {narrator.changes} changes detected, {narrator.alerts} alerts delivered."
        )
        _say(f"demo: browse them at {system.describe()['web']} — Ctrl-C to stop.")

    return drive


def prepare_data_dir(data_dir: Path) -> None:
    """Empty a previous demo's data directory: a demo always starts from nothing, so its changes happen again."""
    if data_dir.exists() and (data_dir / embedded.RUNTIME_FILE).exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)


async def run_demo(data_dir: Path, *, api_socket: socket.socket, duration: float | None = None) -> None:
    """Run the demo until Ctrl-C (or for `duration` seconds) in a data directory made by prepare_data_dir.

    The api serves on `api_socket` (from `embedded.bind_api_socket`), already bound to the port the demo prints.
    """
    site = DemoSite()
    site.start()
    mail = MailSink(on_receive=_on_email)
    mail.start()
    hook = WebhookReceiver(
        secret="", on_receive=_on_webhook
    )  # its secret comes when the endpoint is registered
    hook.start()
    catalogue = data_dir / "demo-catalogue.yaml"
    await asyncio.to_thread(write_catalogue, site, catalogue)
    config = embedded.EmbeddedConfig(
        data_dir=data_dir,
        api_socket=api_socket,
        service_overrides={
            "fetcher": {
                "catalogue_path": catalogue,
                "schedule_enabled": False,
                "min_host_delay_seconds": 0.0,
            },
            "notifier": {
                "smtp_host": mail.host,
                "smtp_port": mail.port,
                "allow_private_webhook_targets": True,
                "require_https": False,
                "delivery_tick_seconds": 0.5,
            },
        },
    )
    from clausewatch_shared.logging import configure_logging

    configure_logging(level="WARNING")
    system = await embedded.build(config)
    narrator = Narrator(system.nats_url)
    places = system.describe()
    _say("clausewatch demo")
    _say(f"  web pages    {places['web']}")
    _say(f"  JSON API     {places['api']}")
    _say(f"  NATS         {places['nats_url']} (JetStream store in {data_dir / 'jetstream'})")
    _say(f"  database     {places['database_url']}")
    _say(f"  demo site    {site.base_url} (real policy histories, Open Terms Archive, ODC-BY)")
    _say(f"  SMTP server  {mail.host}:{mail.port}   webhook receiver {hook.url}")
    system.runtime.add_task("demo-narrator", narrator.run)
    system.runtime.add_task("demo-driver", make_driver(system, site, hook, narrator, duration))
    try:
        if duration is None:
            await system.app.run()
        else:
            await system.app.start()
            await _sleep_unless_terminated(duration)
            await system.app.stop()
    finally:
        system.stop_nats()
        api_socket.close()
        hook.stop()
        mail.stop()
        site.stop()
