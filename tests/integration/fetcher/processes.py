"""Fetcher processes for tests that kill or run several of them: `python -m clausewatch_fetcher` with env settings."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.processes import stop_gracefully

START_BUDGET_SECONDS = 120.0  # a loaded 2-core machine can take many seconds just to import and start


def fetcher_env(
    nats_url: str, database_url: str, tmp_path: Path, catalogue: Path, **settings: str
) -> dict[str, str]:
    """Return the environment of a test fetcher process: the given services, no politeness delay, no browser."""
    env = {
        **os.environ,
        "CLAUSEWATCH_ENVIRONMENT": "test",
        "CLAUSEWATCH_NATS_URL": nats_url,
        "CLAUSEWATCH_DATABASE_URL": database_url,
        "CLAUSEWATCH_BLOB_DIR": str(tmp_path / "blobs"),
        "CLAUSEWATCH_CATALOGUE_PATH": str(catalogue),
        "CLAUSEWATCH_INITIAL_SPREAD_SECONDS": "0",
        "CLAUSEWATCH_MIN_HOST_DELAY_SECONDS": "0",
        "CLAUSEWATCH_BROWSER_ENABLED": "false",
        "CLAUSEWATCH_LOG_LEVEL": "WARNING",
    }
    env.update({f"CLAUSEWATCH_{name.upper()}": value for name, value in settings.items()})
    return env


def start_fetcher(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start a fetcher process writing its output to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "clausewatch_fetcher"],
        env=env,
        cwd=cwd,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def stop_fetcher(proc: subprocess.Popen[bytes]) -> None:
    """Stop a fetcher with SIGTERM (drain), killing it if it does not stop in time."""
    stop_gracefully(proc, timeout=40)


def _ready(ops_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ops_port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


async def wait_ready(ops_port: int, proc: subprocess.Popen[bytes]) -> None:
    """Return once the process's /readyz answers 200 (its subscriber consumes); raise if it died or never did."""
    deadline = asyncio.get_running_loop().time() + START_BUDGET_SECONDS
    while asyncio.get_running_loop().time() < deadline and proc.poll() is None:
        if await asyncio.to_thread(_ready, ops_port):
            return
        await asyncio.sleep(0.2)
    msg = f"fetcher (exit code {proc.poll()}) was not ready on port {ops_port}"
    raise RuntimeError(msg)
