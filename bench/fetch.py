"""Capture throughput and memory: HTTP-only and browser capture of real policy snapshots served on 127.0.0.1.

Serves the 25 raw HTML snapshots of bench/data/ota-html (Open Terms Archive, ODC-BY 1.0) from a local HTTP server,
each under many distinct URLs, and captures them with the fetcher's own `Capturer` (fetch, size/bomb guards, charset
decoding, wall/empty/language judgement, SHA-256 of the bytes) — the same code the capture handler runs, without
the broker and database around it. Prints pages per minute and the peak memory of this process plus its children
(Chromium's processes): summed RSS (over-counts pages shared between Chromium processes) and summed PSS.

    uv run python -m bench.fetch                    # both modes, default sizes
    uv run python -m bench.fetch --mode http --pages 1000
    uv run python -m bench.fetch --mode browser --pages 200 --concurrency 3
    uv run python -m bench.fetch --mode browser --pages 60 --concurrency 2 --make-ahead
    uv run python -m bench.fetch --mode browser --pages 60 --concurrency 2 --by-process --chromium /usr/bin/chromium
    uv run python -m bench.fetch --mode browser --pages 60 --steps   # with page steps (decision 0173)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

from clausewatch_fetcher.app import build_capturer, close_capturer
from clausewatch_fetcher.capture import Captured, Target
from clausewatch_fetcher.settings import FetcherSettings
from clausewatch_fetcher.steps import Step

DATA = Path(__file__).parent / "data" / "ota-html"
# `--steps`: what a document that loads sections as they are scrolled to declares (decision 0173): scroll to the end
# until the page stops growing, then make sure the content is there.
STEPS = (Step(scroll="bottom"), Step(wait_for="body p"))


def load_pages() -> dict[str, bytes]:
    """Return every snapshot as {url path: bytes}."""
    pages = {}
    for path in sorted(DATA.rglob("*.html")):
        pages[f"/{path.parent.name}/{path.name}"] = path.read_bytes()
    return pages


def _serve(pages: dict[str, bytes], port: Connection) -> None:
    """Serve the snapshots from memory until killed; the query string is ignored so one file backs many URLs."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.send(server.server_address[1])
    server.serve_forever()


class Site:
    """The local web server, in its own process so it does not share the fetcher's interpreter lock."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        receive, send = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(pages, send), daemon=True
        )
        self.process.start()
        self.base = f"http://127.0.0.1:{receive.recv()}"

    def stop(self) -> None:
        """Stop the server process."""
        self.process.terminate()
        self.process.join()


def cpu_seconds(exclude: int) -> float:
    """Return CPU seconds used so far by this process and its descendants (reaped ones included), minus `exclude`."""
    me = psutil.Process(os.getpid())
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        if proc.pid == exclude:
            continue
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def process_kind(proc: psutil.Process) -> str:
    """Name what a process of the fetcher is: python, node (Playwright's driver), or a Chromium process type."""
    if proc.pid == os.getpid():
        return "python"
    try:
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    if not cmdline:
        return "other"
    if "node" in os.path.basename(cmdline[0]):
        return "node"
    kind = next((arg.split("=", 1)[1] for arg in cmdline if arg.startswith("--type=")), "browser")
    sub = next((arg.split("=", 1)[1] for arg in cmdline if arg.startswith("--utility-sub-type=")), "")
    return f"{kind}:{sub.split('.')[-1]}" if sub else kind


class MemorySampler:
    """Samples RSS and PSS of this process and its descendants every `interval` seconds, keeping the peaks.

    It also keeps the CPU time each process was last seen with, by process kind (`cpu_by_kind`): a process that ends
    between two samples loses its last moments, which the caller can show as the rest of its own total.
    """

    def __init__(self, interval: float = 0.1, exclude: tuple[int, ...] = ()) -> None:
        self.interval = interval
        self.exclude = set(exclude)  # the web server is not the fetcher
        self.peak_rss = 0
        self.peak_pss = 0
        self._cpu: dict[int, tuple[str, float, float]] = {}  # pid: (kind, CPU at first sight, CPU at last)
        self._first = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process(os.getpid())
        rss = pss = 0
        for proc in [me, *me.children(recursive=True)]:
            if proc.pid in self.exclude:
                continue
            try:
                info = proc.memory_full_info()
                times = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            used = times.user + times.system
            kind, start, _ = self._cpu.get(proc.pid) or (
                process_kind(proc),
                used if self._first else 0.0,
                0.0,
            )
            self._cpu[proc.pid] = (kind, start, used)
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self._first = False

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds used during the sampling by each kind of process, processes seen in it only."""
        totals: dict[str, float] = {}
        for kind, start, last in self._cpu.values():
            totals[kind] = totals.get(kind, 0.0) + last - start
        return totals

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def per_page_by_kind(by_kind: dict[str, float], total: float, pages: int) -> str:
    """Format CPU milliseconds per page by process kind, largest first; what no sample saw is shown as `unseen`."""
    shares = {**by_kind, "unseen (ended between samples)": total - sum(by_kind.values())}
    ranked = sorted(shares.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{kind} {seconds / pages * 1000:.0f}" for kind, seconds in ranked)


async def run(
    mode: str,
    pages: int,
    concurrency: int,
    site: Site,
    paths: list[str],
    make_ahead: bool = False,
    chromium: str | None = None,
    steps: tuple[Step, ...] = (),
) -> dict[str, object]:
    """Capture `pages` URLs in one mode and return its figures."""
    browser = mode == "browser"
    settings = FetcherSettings(
        browser_enabled=browser,
        browser_concurrency=concurrency,
        # The snapshots link to the real sites' assets: stay off the internet the way that costs nothing per request
        # (same_host_only routing pauses every request in Playwright, which production does not do).
        browser_loopback_only=True,
        browser_make_ahead=make_ahead,
        min_host_delay_seconds=0.0,  # one local host serves every page: politeness would only measure sleep
        http_concurrency=concurrency,
        browser_settle_ms=0,
    )
    if chromium:
        settings = settings.model_copy(update={"chromium_path": chromium})
    capturer = build_capturer(settings)
    outcomes: Counter[str] = Counter()
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(pages):
        queue.put_nowait(f"{site.base}{paths[i % len(paths)]}?copy={i}")

    async def worker() -> None:
        while not queue.empty():
            url = queue.get_nowait()
            target = Target("bench/doc", "bench", (url,), javascript=browser, steps=steps, min_chars=200)
            outcome = await capturer.capture(target)
            if isinstance(outcome, Captured):
                for part in outcome.parts:
                    hashlib.sha256(part.body).hexdigest()
                outcomes[f"captured:{outcome.fetcher}"] += 1
            else:
                outcomes[f"rejected:{outcome.rejection.cause}"] += 1

    if browser:  # launch outside the timed window: a worker keeps its browser for its whole life
        warm = Target("bench/doc", "bench", (f"{site.base}{paths[0]}?warm",), javascript=True, min_chars=200)
        await capturer.capture(warm)
    cpu_before = cpu_seconds(site.process.pid or 0)
    with MemorySampler(0.1 if browser else 0.5, exclude=(site.process.pid or 0,)) as memory:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cpu = cpu_seconds(site.process.pid or 0) - cpu_before
    await close_capturer(capturer)
    return {
        "mode": mode,
        "pages": pages,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "pages_per_minute": round(pages / elapsed * 60),
        "cpu_seconds": round(cpu, 1),
        "pages_per_cpu_minute": round(pages / cpu * 60) if cpu else None,
        "peak_rss_mb": round(memory.peak_rss / 2**20),
        "peak_pss_mb": round(memory.peak_pss / 2**20),
        "outcomes": dict(outcomes),
        "cpu_by_process": per_page_by_kind(memory.cpu_by_kind(), cpu, pages),
        "chromium": settings.chromium_path,
    }


def main() -> None:
    """Parse arguments, run the modes, print one line per mode."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["http", "browser", "both"], default="both")
    parser.add_argument(
        "--pages", type=int, default=0, help="pages per mode (default: 1000 HTTP, 200 browser)"
    )
    parser.add_argument("--concurrency", type=int, default=0, help="default: 16 HTTP, 3 browser")
    parser.add_argument(
        "--make-ahead", action="store_true", help="browser: make the next capture's context while one renders"
    )
    parser.add_argument(
        "--chromium", default=None, help="browser executable (default: the fetcher's setting, auto-detected)"
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="browser: do page steps on each page (scroll to the bottom, wait for text)",
    )
    parser.add_argument(
        "--by-process",
        action="store_true",
        help="also print CPU per page by process kind (renderer, node, ...)",
    )
    args = parser.parse_args()
    pages = load_pages()
    site = Site(pages)
    paths = list(pages)
    total = sum(len(b) for b in pages.values())
    print(
        f"corpus: {len(paths)} snapshots, {total / 2**20:.1f} MiB, {os.cpu_count()} CPUs, load {os.getloadavg()}"
    )
    modes = ["http", "browser"] if args.mode == "both" else [args.mode]
    for mode in modes:
        n = args.pages or (1000 if mode == "http" else 200)
        c = args.concurrency or (16 if mode == "http" else 3)
        steps = STEPS if args.steps and mode == "browser" else ()
        result = asyncio.run(run(mode, n, c, site, paths, args.make_ahead, args.chromium, steps))
        print(
            f"{mode:<7} {result['pages']} pages in {result['seconds']} s: {result['pages_per_minute']} pages/min, "
            f"{result['pages_per_cpu_minute']} pages per CPU-minute, peak RSS {result['peak_rss_mb']} MB "
            f"(PSS {result['peak_pss_mb']} MB), concurrency {c}, load {os.getloadavg()[0]:.1f}, "
            f"outcomes {result['outcomes']}"
        )
        if mode == "browser":
            print(f"  browser executable: {result['chromium'] or 'playwright-bundled'}")
            if steps:
                print(f"  steps on each page: {', '.join(step.describe() for step in steps)}")
        if args.by_process:
            print(f"  CPU ms per page by process: {result['cpu_by_process']}")
    site.stop()


if __name__ == "__main__":
    main()
