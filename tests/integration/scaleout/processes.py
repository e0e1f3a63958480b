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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.nats import free_port

CLAUSEWATCH = Path(sys.executable).parent / "clausewatch"


@dataclass
class ServiceProcess:
    """One `clausewatch run <service>` process."""

    name: str
    service: str
    env: dict[str, str]
    log_path: Path
    ops_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        env = {
            **os.environ,
            **self.env,
            "CLAUSEWATCH_OPS_PORT": str(self.ops_port),
            "CLAUSEWATCH_LOG_FORMAT": "json",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CLAUSEWATCH), "run", self.service], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def ready(self) -> bool:
        """True when the process's /readyz answers 200."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ops_port}/readyz", timeout=2) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            # HTTPException: something that is not our ops endpoint answered on the port (another test's server
            # took it between picking the free port and the service binding it): not ready, as a refused connection.
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
