"""A fault-injection rig: the four pipeline services as real OS processes on one nats-server and one PostgreSQL
database, a local site whose policies change round after round, and real SMTP and webhook receivers that count.

The rig breaks things (SIGKILL a service, SIGKILL the nats-server, stop PostgreSQL) and then counts what the
subscriber saw: every change set should reach the webhook receiver and the mailbox once, and never twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nats
import yaml
from nats.js.errors import BadRequestError
from sqlalchemy import func
from sqlmodel import select

from clausewatch.receivers import MailSink, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.ids import derived_id, new_id
from clausewatch_shared.models import ChangeSet, Document, Snapshot
from clausewatch_shared.streams import CONSUMERS, DEADLETTER, ensure_streams
from tests.support.nats import NatsServer
from tests.support.processes import stop_gracefully
from tests.support.sites import VersionedSite

CLAUSEWATCH = Path(sys.executable).parent / "clausewatch"
SERVICES = ("fetcher", "differ", "analyzer", "notifier")

# Test-sized recovery knobs. A SIGKILLed consumer's message comes back after the consumer's ack_wait; the
# production values (60-180 s) would make a short suite minutes long, so the rig creates the durable consumers
# first with a short ack_wait (the services leave an existing consumer's config alone). The fetcher's slot lease
# keeps its default (60 s, renewed while a capture runs): a request for a slot a killed fetcher still holds is
# deferred to the lease's end, never dead-lettered (decision 0014).
ACK_WAIT_SECONDS = 6.0
MAX_DELIVERIES = 10
RETRY_BACKOFF_SECONDS = 0.5
# A secret every service is configured with: it must never appear in a log line, even at DEBUG.
ADMIN_KEY = "cw-admin-secret-4f1c9a7e2b"

_BASE_CLAUSES = (
    "We collect the information you give us when you create an account, such as your name and email address.",
    "We use your information to provide, maintain and improve the services.",
    "You may ask us to delete your personal data at any time by writing to our privacy team.",
    "If you live in the European Union you have the right to object to the processing of your personal data.",
)
_ROUND_CLAUSES = (
    "We share your contact details with advertising partners who may use them for their own marketing.",
    "We may use the content you submit, including prompts and uploads, to train our artificial intelligence models.",
    "We keep your usage data for {n} months after you close your account, then delete it.",
    "We may disclose your precise location to data brokers and analytics companies.",
    "You agree that any dispute will be resolved by binding individual arbitration, waiving class actions.",
    "We may transfer your personal data to countries outside the European Economic Area.",
)


def policy_page(document: str, version: int) -> bytes:
    """A policy page whose version-th edition adds one substantive clause per version (never a cosmetic edit)."""
    paragraphs = list(_BASE_CLAUSES)
    for v in range(1, version):
        clause = _ROUND_CLAUSES[(v - 1) % len(_ROUND_CLAUSES)].format(n=6 * v)
        paragraphs.append(f"Clause {v} for {document}: {clause}")
    body = "".join(f"<h2>Section {i + 1}</h2><p>{html.escape(p)}</p>" for i, p in enumerate(paragraphs))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Privacy Policy</title></head>"
        f"<body><header>Example</header><main><h1>Privacy Policy</h1>{body}</main><footer>(c)</footer></body></html>"
    ).encode()


@dataclass
class Service:
    """One `clausewatch run <service>` process that the rig can kill and start again."""

    name: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        """Start the service unless it is running. The background monkey and a round's strike may pick the same
        victim and both restart it: a second process would replace the first in `process`, and the first, no longer
        stopped by anyone, kept running after the test (found as an orphaned `clausewatch run analyzer`)."""
        if self.alive():
            return
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CLAUSEWATCH), "run", self.name],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def sigkill(self) -> None:
        """Kill the process with SIGKILL: no drain, no shutdown hook, whatever it was doing is cut short."""
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.kills += 1

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), killing it if it does not stop in time."""
        if self.process is not None:
            stop_gracefully(self.process, timeout=30)

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


@dataclass
class Tally:
    """What the subscriber received, counted against what the pipeline should have sent."""

    expected_changes: int
    change_sets: int
    webhook_change_sets: int
    webhook_requests: int
    webhook_ids: int
    duplicate_webhook_alerts: int
    mails: int
    mail_keys: int
    duplicate_mails: int
    lost_changes: int
    unverified: int

    def line(self) -> str:
        """One line for logs and for docs/reliability.md."""
        return " ".join(f"{k}={v}" for k, v in dataclasses.asdict(self).items())


@dataclass
class Rig:
    """The site, the receivers, the database and the service processes of one fault run."""

    tmp: Path
    nats: NatsServer
    database_url: str
    documents: int
    site: VersionedSite = field(default_factory=VersionedSite)
    mail: MailSink = field(default_factory=MailSink)
    hook: WebhookReceiver = field(default_factory=lambda: WebhookReceiver(secret=""))
    services: dict[str, Service] = field(default_factory=dict)
    version: int = 1
    db: Database | None = None

    @property
    def document_ids(self) -> list[str]:
        return [f"fault{i}/privacy-policy" for i in range(self.documents)]

    def env(self) -> dict[str, str]:
        """The environment every service process runs with."""
        return {
            "PYTHONUNBUFFERED": "1",
            "CLAUSEWATCH_ENVIRONMENT": "test",
            "CLAUSEWATCH_NATS_URL": self.nats.url,
            "CLAUSEWATCH_DATABASE_URL": self.database_url,
            "CLAUSEWATCH_BLOB_DIR": str(self.tmp / "blobs"),
            "CLAUSEWATCH_LOG_FORMAT": "json",
            "CLAUSEWATCH_LOG_LEVEL": "DEBUG",
            "CLAUSEWATCH_API_ADMIN_KEY": ADMIN_KEY,
            "CLAUSEWATCH_MAX_DELIVERIES": str(MAX_DELIVERIES),
            "CLAUSEWATCH_RETRY_BACKOFF_SECONDS": str(RETRY_BACKOFF_SECONDS),
            "CLAUSEWATCH_CATALOGUE_PATH": str(self.tmp / "catalogue.yaml"),
            "CLAUSEWATCH_SCHEDULE_ENABLED": "false",
            "CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0",
            "CLAUSEWATCH_BROWSER_ENABLED": "false",
            "CLAUSEWATCH_HTTP_TIMEOUT_SECONDS": "2",
            "CLAUSEWATCH_BROWSER_TIMEOUT_SECONDS": "1",
            "CLAUSEWATCH_SMTP_HOST": "127.0.0.1",
            "CLAUSEWATCH_SMTP_PORT": str(self.mail.port),
            "CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
            "CLAUSEWATCH_REQUIRE_HTTPS": "false",
            "CLAUSEWATCH_DELIVERY_TICK_SECONDS": "0.2",
            "CLAUSEWATCH_DELIVERY_LEASE_SECONDS": "5",
            "CLAUSEWATCH_RETRY_SCHEDULE_SECONDS": "[0.5, 1, 2, 4, 8]",
        }

    async def start(self) -> None:
        """Serve version 1 of every page, write the catalogue, prepare consumers, start every service."""
        for doc in self.document_ids:
            self.site.set(self._path(doc), policy_page(doc, 1))
        self.site.start()
        self.mail.start()
        self.hook.start()
        platforms = [
            {
                "id": doc.split("/")[0],
                "name": doc.split("/")[0].title(),
                "website": "https://example.com",
                "documents": [
                    {
                        "type": "Privacy Policy",
                        "urls": [self.site.url(self._path(doc))],
                        "select": ["main"],
                        "javascript": False,
                    }
                ],
            }
            for doc in self.document_ids
        ]
        (self.tmp / "catalogue.yaml").write_text(yaml.safe_dump({"platforms": platforms}))
        await prepare_consumers(self.nats.url)
        self.db = Database(self.database_url)
        for name in SERVICES:
            self.services[name] = Service(name, self.env(), self.tmp / f"{name}.log")
            self.services[name].start()
        await until(lambda: self.count(Document, self.documents), 300, "the catalogue to be synced")
        await self._subscribe()

    async def _subscribe(self) -> None:
        assert self.db is not None
        created = await management.create_subscriber(self.db, "analyst@example.org", tier="compliance")
        for doc in self.document_ids:
            await management.follow(self.db, created.subscriber.id, doc.split("/")[0])
        settings = NotifierSettings(allow_private_webhook_targets=True, require_https=False)
        endpoint = await management.register_endpoint(self.db, settings, created.subscriber.id, self.hook.url)
        assert endpoint.secret
        self.hook.secret = endpoint.secret

    @staticmethod
    def _path(doc: str) -> str:
        return "/" + doc

    async def count(self, model: type, at_least: int) -> bool:
        """True when the table holds at least `at_least` rows (False while the database is unreachable)."""
        assert self.db is not None
        try:
            async with self.db.session() as s:
                return int((await s.exec(select(func.count()).select_from(model))).one()) >= at_least
        except Exception:
            return False

    async def rows(self, model: type) -> int:
        assert self.db is not None
        async with self.db.session() as s:
            return int((await s.exec(select(func.count()).select_from(model))).one())

    async def capture_round(self, nats_url: str | None = None) -> None:
        """Publish a new version of every page and ask for a capture of each (the scheduler's job)."""
        self.version += 1
        for doc in self.document_ids:
            self.site.set(self._path(doc), policy_page(doc, self.version))
        await publish_captures(nats_url or self.nats.url, self.document_ids, f"round-{self.version}")

    async def wait_captured(self, timeout: float) -> None:
        """Wait until every document's current version is stored as a snapshot, so the next edit cannot hide it."""
        await until(
            lambda: self.count(Snapshot, self.documents * self.version),
            timeout,
            f"snapshots of version {self.version}",
        )

    @property
    def expected_changes(self) -> int:
        return self.documents * (self.version - 1)

    async def wait_delivered(self, timeout: float) -> None:
        """Wait until every expected change set reached the webhook receiver and the mailbox at least once."""
        expected = self.expected_changes
        await until(
            lambda: len(self._webhook_change_sets()) >= expected and len(self._mail_keys()) >= expected,
            timeout,
            f"{expected} change sets delivered by webhook and by mail",
        )

    def _webhook_change_sets(self) -> set[str]:
        return {r.json["data"]["change_set_id"] for r in list(self.hook.received) if r.verified}

    def _mail_keys(self) -> set[str]:
        return {str(m["X-Clausewatch-Delivery"]) for m in list(self.mail.messages)}

    async def tally(self) -> Tally:
        """Count what arrived: lost changes, duplicated alerts, unverified webhooks."""
        received = list(self.hook.received)
        per_change = Counter()
        seen_ids: set[str] = set()
        for r in received:
            if not r.verified or r.headers["webhook-id"] in seen_ids:
                continue  # a resend of the same webhook-id is at-least-once transport, deduplicated by receivers
            seen_ids.add(r.headers["webhook-id"])
            per_change[r.json["data"]["change_set_id"]] += 1
        mail_keys = Counter(str(m["X-Clausewatch-Delivery"]) for m in list(self.mail.messages))
        change_sets = await self.rows(ChangeSet)
        return Tally(
            expected_changes=self.expected_changes,
            change_sets=change_sets,
            webhook_change_sets=len(per_change),
            webhook_requests=len(received),
            webhook_ids=len(seen_ids),
            duplicate_webhook_alerts=sum(n - 1 for n in per_change.values()),
            mails=len(self.mail.messages),
            mail_keys=len(mail_keys),
            duplicate_mails=sum(n - 1 for n in mail_keys.values()),
            lost_changes=self.expected_changes - len(per_change),
            unverified=sum(1 for r in received if not r.verified),
        )

    def leaked_secrets(self) -> list[str]:
        """The configured secrets (admin key, webhook signing secret) found in any service's log."""
        secrets = [ADMIN_KEY, self.hook.secret.removeprefix("whsec_")]
        text = "".join(s.log_path.read_text(errors="replace") for s in self.services.values())
        return [secret[:6] + "…" for secret in secrets if secret and secret in text]

    def logs(self) -> str:
        """The end of every service's log, for a failure message."""
        return "\n".join(
            f"--- {name} (killed {s.kills}x)\n{s.tail(1500)}" for name, s in self.services.items()
        )

    async def close(self) -> None:
        for service in self.services.values():
            service.stop()
        if self.db is not None:
            await self.db.dispose()
        self.hook.stop()
        self.mail.stop()
        self.site.stop()


async def prepare_consumers(nats_url: str) -> None:
    """Create the streams and every durable consumer with the rig's short ack_wait before any service starts."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        for spec in CONSUMERS:
            config = dataclasses.replace(spec.config(MAX_DELIVERIES), ack_wait=ACK_WAIT_SECONDS)
            with contextlib.suppress(BadRequestError):
                await js.add_consumer(spec.stream.name, config)
    finally:
        await nc.close()


async def publish_captures(nats_url: str, documents: list[str], slot: str) -> None:
    """Publish one CaptureRequested per document for the slot, as the fetcher's scheduler would."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for doc in documents:
            event = CaptureRequested(
                event_id=derived_id("capture", doc, slot),
                correlation_id=new_id(),
                document_id=doc,
                slot=slot,
                reason="manual",
            )
            await js.publish(
                event.subject,
                event.model_dump_json().encode(),
                headers={"Nats-Msg-Id": f"capture:{doc}:{slot}", "Clausewatch-Schema": "1"},
            )
    finally:
        await nc.close()


async def dead_letters(nats_url: str) -> list[dict[str, object]]:
    """Every dead letter in the stream, parsed."""
    import json

    nc = await nats.connect(nats_url)
    letters: list[dict[str, object]] = []
    try:
        js = nc.jetstream()
        info = await js.stream_info(DEADLETTER.name)
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            with contextlib.suppress(Exception):
                msg = await js.get_msg(DEADLETTER.name, seq)
                letters.append(json.loads(msg.data or b"{}"))
    finally:
        await nc.close()
    return letters


async def until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll until condition() (sync or async) is true; the deadline only bounds a failing run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.2)
