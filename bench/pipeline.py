"""Load benchmark of the whole pipeline: N documents × M versions, HTTP fetch from a local site → fetcher → differ
→ analyzer → notifier → a local webhook receiver, every service a separate OS process (`clausewatch run`).

Prints changes/s end to end, latency from capture (the snapshot's captured_at) to webhook arrival (p50/p95/p99),
and per service process CPU seconds (also per change delivered, and the idle CPU rate measured just before the run:
the floor of polling and heartbeats) and peak RSS; `--replicas 2` runs two processes of each service. It also
prints the CPU per change of what shares the cores: the PostgreSQL backends serving the bench's database, the
nats-server, and this harness (the site, the webhook receiver and the SMTP sink).

    uv run python -m bench.pipeline --docs 20 --versions 4
    uv run python -m bench.pipeline --docs 20 --versions 4 --replicas 2
    uv run python -m bench.pipeline --docs 20 --versions 4 --rate 5     # paced: 5 changes/s offered
    uv run python -m bench.pipeline --docs 50 --versions 4 --profile /tmp/prof   # py-spy on each service

`--profile DIR` attaches py-spy (its path in $PY_SPY, else on PATH) to every service process for the measured
window only and writes DIR/<service>-<n>.txt (collapsed stacks) and DIR/<service>-<n>.top.txt (own and total
samples per function); sampling slows the services, so its figures are not the unprofiled ones.
`--count-sql` also counts the SQL statements each service sent per change in the measured window (statements,
and of them BEGIN/COMMIT/ROLLBACK and pool pings), from PostgreSQL's log with `log_statement = all` set on the
bench's database only: a figure the machine's load does not move. It needs the server's log file readable
($CLAUSEWATCH_BENCH_PG_LOG, by default Debian's /var/log/postgresql/postgresql-15-main.log).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import psutil
import psycopg
import yaml
from sqlalchemy import func
from sqlmodel import select

from clausewatch.receivers import MailSink, ReceivedWebhook, WebhookReceiver
from clausewatch_notifier import management
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database
from clausewatch_shared.migrations import upgrade_async
from clausewatch_shared.models import (
    ChangeAssessment,
    ChangeSet,
    Delivery,
    Document,
    Provision,
    ProvisionAssessment,
    Snapshot,
    Version,
)
from tests.integration.faults.rig import policy_page, publish_captures
from tests.support.nats import running_nats
from tests.support.sites import VersionedSite

CLAUSEWATCH = Path(sys.executable).parent / "clausewatch"
SERVICES = ("fetcher", "differ", "analyzer", "notifier")
ADMIN_PG = os.environ.get("CLAUSEWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Proc:
    """One service process and its resource samples."""

    service: str
    popen: subprocess.Popen[bytes]
    ps: psutil.Process
    peak_rss: int = 0
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    sys_start: float = 0.0
    sys_end: float = 0.0
    idle_cpu_per_s: float = 0.0

    def sample(self) -> None:
        with contextlib.suppress(psutil.Error):
            self.peak_rss = max(self.peak_rss, self.ps.memory_info().rss)
            times = self.ps.cpu_times()
            self.cpu_end = times.user + times.system
            self.sys_end = times.system


def _cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still alive."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            seconds[pid] = times.user + times.system
    return seconds


def _backend_pids(database: str) -> set[int]:
    """The PostgreSQL backends connected to the bench's database (the services' pooled connections)."""
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
    return {int(row[0]) for row in rows}


@dataclass
class Infrastructure:
    """CPU of what the services lean on during the measured rounds: PostgreSQL, nats-server and this harness.

    They share the same 2 cores, so they bound the throughput as much as the services do.
    """

    database: str
    nats_pid: int | None
    start: dict[str, dict[int, float]] = field(default_factory=dict)

    def _now(self) -> dict[str, dict[int, float]]:
        return {
            "postgres": _cpu_seconds(_backend_pids(self.database)),
            "nats-server": _cpu_seconds({self.nats_pid} if self.nats_pid else set()),
            "harness": _cpu_seconds({os.getpid()}),
        }

    def begin(self) -> None:
        self.start = self._now()

    def ms_per_change(self, delivered: int) -> dict[str, float]:
        """CPU milliseconds per change each used since `begin` (a backend that connected since counts whole)."""
        end = self._now()
        return {
            part: round(
                1000 * sum(t - self.start[part].get(pid, 0.0) for pid, t in now.items()) / delivered, 1
            )
            for part, now in end.items()
        }


@dataclass
class Arrivals:
    """Webhook arrival times by change set."""

    at: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0

    def record(self, item: ReceivedWebhook) -> None:
        change_set = item.json["data"]["change_set_id"]
        if change_set in self.at:
            self.duplicates += 1
        else:
            self.at[change_set] = time.time()


IDLE_WINDOW_S = 3.0


async def _idle_rates(procs: list[Proc], seconds: float) -> None:
    """Measure each process's CPU per second with nothing to do (polling, heartbeats): the floor under its figure."""
    for p in procs:
        p.sample()
    before = {id(p): p.cpu_end for p in procs}
    await asyncio.sleep(seconds)
    for p in procs:
        p.sample()
        p.idle_cpu_per_s = (p.cpu_end - before[id(p)]) / seconds


STAGES = (
    "capture→change set (fetcher, differ)",
    "→assessed (analyzer)",
    "→delivery row (notifier)",
    "→webhook",
)


def _epoch(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


async def _stage_times(db: Database) -> dict[str, tuple[float, float, float, float]]:
    """Per change set: capture time, change set row, last change assessment row, first delivery row (epoch s)."""
    async with db.session() as s:
        rows = await s.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most four columns
                ChangeSet.id,
                Snapshot.captured_at,
                ChangeSet.created_at,
                select(func.max(ChangeAssessment.created_at))
                .where(ChangeAssessment.change_set_id == ChangeSet.id)
                .scalar_subquery(),
                select(func.min(Delivery.created_at))
                .where(Delivery.change_set_id == ChangeSet.id)
                .scalar_subquery(),
            )
            .join(Version, Version.id == ChangeSet.version_id)
            .join(Snapshot, Snapshot.id == Version.snapshot_id)
        )
        return {
            change_set: (_epoch(captured), _epoch(recorded), _epoch(assessed), _epoch(queued))
            for change_set, captured, recorded, assessed, queued in rows.all()
            if assessed is not None and queued is not None
        }


def _stage_medians(
    stamps: dict[str, tuple[float, float, float, float]], arrived: dict[str, float]
) -> dict[str, float]:
    """Median seconds each stage adds between capture and webhook arrival (queueing included)."""
    spans: list[list[float]] = [[], [], [], []]
    for change_set, times in stamps.items():
        if change_set in arrived:
            points = [*times, arrived[change_set]]
            for i in range(4):
                spans[i].append(points[i + 1] - points[i])
    return {name: round(statistics.median(v), 3) for name, v in zip(STAGES, spans, strict=True) if v}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _count(db: Database, model: type) -> int:
    async with db.session() as s:
        return int((await s.exec(select(func.count()).select_from(model))).one())


async def _until(db: Database, model: type, n: int, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while await _count(db, model) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {n} {model.__name__} rows")
        await asyncio.sleep(0.2)


def _start_profilers(procs: list[Proc], out: Path) -> list[subprocess.Popen[bytes]]:
    """Attach py-spy to every service process; each writes collapsed stacks when interrupted."""
    out.mkdir(parents=True, exist_ok=True)
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy"
    counts: dict[str, int] = {}
    profilers = []
    for p in procs:
        n = counts[p.service] = counts.get(p.service, -1) + 1
        # --gil: only the thread holding the GIL is sampled, so the profile is Python CPU, not waits.
        command = [spy, "record", "--pid", str(p.popen.pid), "--rate", "250", "--gil", "--format", "raw"]
        profilers.append(
            subprocess.Popen(
                [*command, "--output", str(out / f"{p.service}-{n}.txt")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return profilers


def _stop_profilers(profilers: list[subprocess.Popen[bytes]], out: Path) -> None:
    """Stop the samplers (SIGINT makes py-spy write its file) and summarise each file by function."""
    for spy in profilers:
        spy.send_signal(signal.SIGINT)
    for spy in profilers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(timeout=60)
    for stacks in sorted(out.glob("*-[0-9].txt")):
        own: dict[str, int] = {}
        total: dict[str, int] = {}
        samples = 0
        for line in stacks.read_text().splitlines():
            frames, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            samples += n
            names = [re.sub(r":\d+\)$", ")", f) for f in frames.split(";")]
            own[names[-1]] = own.get(names[-1], 0) + n
            for name in set(names):
                total[name] = total.get(name, 0) + n
        rows = [f"{samples} samples in {stacks.name}", "", "own% total% function"]
        for name, n in sorted(total.items(), key=lambda kv: -kv[1])[:150]:
            rows.append(f"{100 * own.get(name, 0) / samples:5.1f} {100 * n / samples:5.1f} {name}")
        rows += ["", "by own samples:"]
        for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:80]:
            rows.append(f"{100 * n / samples:5.1f} {name}")
        stacks.with_suffix(".top.txt").write_text("\n".join(rows) + "\n")


PG_LOG = Path(os.environ.get("CLAUSEWATCH_BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))
_LOGGED = re.compile(r"\[(\d+)\] \S*@(\S+) LOG:  (?:statement|execute [^:]*): (.*)")


def _log_size() -> int:
    return PG_LOG.stat().st_size


def _log_since(offset: int) -> str:
    with PG_LOG.open("rb") as server_log:
        server_log.seek(offset)
        return server_log.read().decode("utf-8", "replace")


def _backends(name: str) -> dict[int, str]:
    """Return the service (application name) of each open connection to the bench's database, by backend pid."""
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        rows = conn.execute("SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s", (name,))
        return {int(pid): str(app) for pid, app in rows.fetchall()}


def _sql_counts(
    log_text: str, name: str, backends: dict[int, str], delivered: int
) -> dict[str, dict[str, float]]:
    """Statements per change per service in a slice of the server's log: all, transaction control, pings."""
    counts: dict[str, dict[str, float]] = {}
    for line in log_text.splitlines():
        found = _LOGGED.search(line)
        if found is None or found.group(2) != name:
            continue
        service = backends.get(int(found.group(1)), "other")
        entry = counts.setdefault(service, {"statements": 0.0, "begin_commit": 0.0, "pings": 0.0})
        statement = found.group(3).strip().rstrip(";").upper()
        entry["statements"] += 1
        if statement in ("BEGIN", "COMMIT", "ROLLBACK"):
            entry["begin_commit"] += 1
        elif statement in ("", "SELECT 1"):  # the pool's pre-ping (psycopg sends an empty statement)
            entry["pings"] += 1
    return {
        service: {k: round(v / delivered, 1) for k, v in entry.items()}
        for service, entry in sorted(counts.items())
    }


async def run(
    docs: int,
    versions: int,
    replicas: int,
    rate: float | None,
    profile: Path | None = None,
    count_sql: bool = False,
) -> dict[str, object]:
    """Run one benchmark and return its figures."""
    tmp = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    name = f"cw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_PG.rsplit("/", 1)[0].split("://", 1)[1]
    db_url = f"postgresql+psycopg://{base}/{name}"
    await upgrade_async(db_url)
    if count_sql:
        with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
            conn.execute(f"ALTER DATABASE \"{name}\" SET log_statement = 'all'")
    sql_counts: dict[str, dict[str, float]] = {}
    site = VersionedSite()
    documents = [f"bench{i}/privacy-policy" for i in range(docs)]
    for doc in documents:
        site.set("/" + doc, policy_page(doc, 1))
    site.start()
    arrivals = Arrivals()
    hook = WebhookReceiver(secret="", on_receive=arrivals.record)
    hook.start()
    # A real SMTP server (aiosmtpd, in this process): the subscriber's same-day e-mails are delivered, so the
    # notifier's CPU is that of sending them, not of failing and retrying them.
    mail = MailSink()
    mail.start()
    catalogue = tmp / "catalogue.yaml"
    catalogue.write_text(
        yaml.safe_dump(
            {
                "platforms": [
                    {
                        "id": doc.split("/")[0],
                        "name": doc.split("/")[0],
                        "documents": [
                            {
                                "type": "Privacy Policy",
                                "urls": [site.url("/" + doc)],
                                "select": ["main"],
                                "javascript": False,
                            }
                        ],
                    }
                    for doc in documents
                ]
            }
        )
    )
    procs: list[Proc] = []
    db = Database(db_url)
    try:
        with running_nats(tmp / "js") as nats_server:
            env = {
                **os.environ,
                "CLAUSEWATCH_ENVIRONMENT": "test",
                "CLAUSEWATCH_NATS_URL": nats_server.url,
                "CLAUSEWATCH_DATABASE_URL": db_url,
                "CLAUSEWATCH_BLOB_DIR": str(tmp / "blobs"),
                "CLAUSEWATCH_LOG_LEVEL": "WARNING",
                "CLAUSEWATCH_LOG_FORMAT": "json",
                "CLAUSEWATCH_CATALOGUE_PATH": str(catalogue),
                "CLAUSEWATCH_SCHEDULE_ENABLED": "false",
                "CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0",
                "CLAUSEWATCH_BROWSER_ENABLED": "false",
                "CLAUSEWATCH_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
                "CLAUSEWATCH_REQUIRE_HTTPS": "false",
                "CLAUSEWATCH_DELIVERY_TICK_SECONDS": "0.2",
                "CLAUSEWATCH_SMTP_HOST": mail.host,
                "CLAUSEWATCH_SMTP_PORT": str(mail.port),
            }
            for service in SERVICES:
                for r in range(replicas):
                    log = (tmp / f"{service}-{r}.log").open("wb")
                    # Started once, before measuring: a blocking Popen here costs the benchmark nothing.
                    # Each service names itself to PostgreSQL, so `--count-sql` can tell their statements apart.
                    named = {**env, "CLAUSEWATCH_DATABASE_URL": f"{db_url}?application_name={service}"}
                    popen = subprocess.Popen(  # noqa: ASYNC220
                        [str(CLAUSEWATCH), "run", service], env=named, stdout=log, stderr=subprocess.STDOUT
                    )
                    procs.append(Proc(service, popen, psutil.Process(popen.pid)))
            await _until(db, Document, docs, 600)
            created = await management.create_subscriber(db, "bench@example.org", tier="compliance")
            for doc in documents:
                await management.follow(db, created.subscriber.id, doc.split("/")[0])
            settings = NotifierSettings(allow_private_webhook_targets=True, require_https=False)
            endpoint = await management.register_endpoint(db, settings, created.subscriber.id, hook.url)
            hook.secret = endpoint.secret or ""
            # Version 1 everywhere: the baseline. Not measured.
            await publish_captures(nats_server.url, documents, "v1")
            await _until(db, Version, docs, 600)
            # The analyzer assesses version 1 after the Version rows appear: let it finish, or its baseline work
            # would be counted as the measured changes' CPU.
            await _until(db, ProvisionAssessment, await _count(db, Provision), 600)
            await _idle_rates(procs, IDLE_WINDOW_S)
            profilers = _start_profilers(procs, profile) if profile else []
            log_start = _log_size() if count_sql else 0
            infrastructure = Infrastructure(name, nats_server.process.pid if nats_server.process else None)
            infrastructure.begin()
            for p in procs:
                p.sample()
                p.cpu_start = p.cpu_end
                p.sys_start = p.sys_end
            started = time.time()
            for version in range(2, versions + 1):
                for doc in documents:
                    site.set("/" + doc, policy_page(doc, version))
                if rate:
                    for doc in documents:
                        await publish_captures(nats_server.url, [doc], f"v{version}")
                        await asyncio.sleep(1.0 / rate)
                else:
                    await publish_captures(nats_server.url, documents, f"v{version}")
                # The next edit must not overtake this round's capture (it would hide a version, not lose it).
                await _until(db, Snapshot, docs * version, 600)
                for p in procs:
                    p.sample()
            expected = docs * (versions - 1)
            deadline = time.monotonic() + 900
            while len(arrivals.at) < expected and time.monotonic() < deadline:
                for p in procs:
                    p.sample()
                await asyncio.sleep(0.2)
            finished = max(arrivals.at.values()) if arrivals.at else time.time()
            for p in procs:
                p.sample()
            infrastructure_ms = infrastructure.ms_per_change(max(1, len(arrivals.at)))
            if profile:
                _stop_profilers(profilers, profile)
            if count_sql:
                logged = _log_since(log_start)
                sql_counts = _sql_counts(logged, name, _backends(name), max(1, len(arrivals.at)))
            stamps = await _stage_times(db)
            captured = {c: t[0] for c, t in stamps.items()}
    finally:
        for p in procs:
            p.popen.terminate()
        for p in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=30)
            if p.popen.poll() is None:
                p.popen.kill()
        hook.stop()
        mail.stop()
        site.stop()
        await db.dispose()
        with psycopg.connect(ADMIN_PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
    latencies = [arrivals.at[c] - captured[c] for c in arrivals.at if c in captured]
    stages = _stage_medians(stamps, arrivals.at)
    per_service: dict[str, dict[str, float]] = {}
    elapsed = finished - started
    delivered = max(1, len(arrivals.at))
    for p in procs:
        entry = per_service.setdefault(
            p.service,
            {
                "cpu_s": 0.0,
                "cpu_ms_per_change": 0.0,
                "sys_ms_per_change": 0.0,
                "idle_cpu_ms_per_s": 0.0,
                "peak_rss_mb": 0.0,
                "processes": 0,
            },
        )
        entry["cpu_s"] += p.cpu_end - p.cpu_start
        entry["cpu_ms_per_change"] += 1000 * (p.cpu_end - p.cpu_start) / delivered
        entry["sys_ms_per_change"] += 1000 * (p.sys_end - p.sys_start) / delivered
        entry["idle_cpu_ms_per_s"] += 1000 * p.idle_cpu_per_s
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], p.peak_rss / 1e6)
        entry["processes"] += 1
    return {
        "docs": docs,
        "versions": versions,
        "replicas": replicas,
        "offered_rate": rate,
        "changes_expected": docs * (versions - 1),
        "changes_delivered": len(arrivals.at),
        "duplicates": arrivals.duplicates,
        "mails_received": len(mail.messages),
        "elapsed_s": round(elapsed, 2),
        "changes_per_s": round(len(arrivals.at) / elapsed, 2) if elapsed > 0 else 0.0,
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(_percentile(latencies, 0.95), 3) if latencies else None,
        "latency_p99_s": round(_percentile(latencies, 0.99), 3) if latencies else None,
        "per_service": {k: {m: round(v, 1) for m, v in e.items()} for k, e in per_service.items()},
        "infrastructure_cpu_ms_per_change": infrastructure_ms,
        "stage_median_s": stages,
        "sql_per_change": sql_counts,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--rate", type=float, default=None, help="offered changes/s (default: all at once)")
    parser.add_argument(
        "--profile", type=Path, default=None, help="directory for py-spy profiles of each service"
    )
    parser.add_argument("--count-sql", action="store_true", help="SQL statements per change per service")
    args = parser.parse_args()
    figures = asyncio.run(
        run(args.docs, args.versions, args.replicas, args.rate, args.profile, args.count_sql)
    )
    print(
        f"pipeline: {figures['changes_delivered']}/{figures['changes_expected']} changes in "
        f"{figures['elapsed_s']} s = {figures['changes_per_s']} changes/s "
        f"(docs={args.docs} versions={args.versions} replicas={args.replicas} rate={args.rate}); "
        f"capture→webhook p50 {figures['latency_p50_s']} s, p95 {figures['latency_p95_s']} s, "
        f"p99 {figures['latency_p99_s']} s; duplicates {figures['duplicates']}; "
        f"e-mails received {figures['mails_received']}; "
        f"load average {figures['load_average_1m']}"
    )
    stages = cast(dict[str, float], figures["stage_median_s"])
    print("  median per stage: " + "; ".join(f"{name} {seconds} s" for name, seconds in stages.items()))
    for service, entry in cast(dict[str, dict[str, float]], figures["per_service"]).items():
        print(
            f"  {service:9s} processes={entry['processes']:.0f} cpu={entry['cpu_s']} s "
            f"({entry['cpu_ms_per_change']} ms/change, {entry['sys_ms_per_change']} of it system; "
            f"idle {entry['idle_cpu_ms_per_s']} ms/s) "
            f"peak_rss={entry['peak_rss_mb']} MB"
        )
    infrastructure = cast(dict[str, float], figures["infrastructure_cpu_ms_per_change"])
    print(
        "  infrastructure CPU per change: "
        + ", ".join(f"{part} {ms} ms" for part, ms in infrastructure.items())
        + " (the site, webhook receiver and SMTP sink run in the harness)"
    )
    for service, sql in cast(dict[str, dict[str, float]], figures["sql_per_change"]).items():
        print(
            f"  {service:9s} sql/change={sql['statements']} (BEGIN/COMMIT {sql['begin_commit']}, "
            f"pings {sql['pings']})"
        )


if __name__ == "__main__":
    main()
