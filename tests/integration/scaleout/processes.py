"""Services as real OS processes (`clausewatch run <service>`), with their JSON logs in files."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.ports import logged_ops_port

CLAUSEWATCH = Path(sys.executable).parent / "clausewatch"


@dataclass
class ServiceProcess:
    """One `clausewatch run <service>` process."""

    name: str
    service: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        env = {
            **os.environ,
            **self.env,
            # 0: the ops endpoint binds a port the kernel picks and logs it (`ops_port`), so no other process
            # can hold the port or answer /readyz in its place.
            "CLAUSEWATCH_OPS_PORT": "0",
            "CLAUSEWATCH_LOG_FORMAT": "json",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CLAUSEWATCH), "run", self.service], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    @property
    def ops_port(self) -> int | None:
        """The port this run's ops endpoint listens on, from its log; None until it has logged it."""
        return logged_ops_port(self.log_path)

    def ready(self) -> bool:
        """True when the process's /readyz answers 200."""
        port = self.ops_port
        if port is None or not self.alive():
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """Ask the process to stop, as Kubernetes and Compose do (SIGTERM)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (other output skipped)."""
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    continue
        return lines

    def handled(self) -> list[dict[str, Any]]:
        """The `handled` log lines: one per message this process finished and acknowledged."""
        return [line for line in self.log_lines() if line.get("event") == "handled"]
