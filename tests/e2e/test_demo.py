"""`clausewatch up --demo` shows a newcomer changes detected and alerts delivered within a minute."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.ports import retry_on_port_clash


class _PortClashError(Exception):
    """The demo could not bind its port: another process took it after it was picked."""


def _run_demo(data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    """Run the demo for 60 s on `port`; raise _PortClashError if the api or its nats-server found a port taken."""
    command = [
        str(Path(sys.executable).parent / "clausewatch"),
        "up",
        "--demo",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--for",
        "60",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0:
        logs = [result.stdout, result.stderr] + [
            p.read_text(errors="replace") for p in data_dir.rglob("*.log")
        ]
        if any("address already in use" in log.lower() for log in logs):
            raise _PortClashError(result.stderr[-3000:])
    return result


def test_demo_prints_changes_and_delivered_alerts_within_a_minute(tmp_path: Path) -> None:
    """Run for 60 s: the output names detected changes, their assessment, delivered alerts and verified webhooks."""
    # `--port` must be a real port (the demo prints and links it), so it is picked, with a rerun on a clash.
    result = retry_on_port_clash(
        lambda port: _run_demo(tmp_path / f"demo-{port}", port),
        lambda error: isinstance(error, _PortClashError),
    )
    output = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "web pages    http://127.0.0.1:" in output
    assert output.count("CHANGE ") >= 2, output[-3000:]
    assert "ASSESSED " in output
    assert "DELIVERED  webhook alert" in output
    assert "DELIVERED  email alert" in output
    assert "webhook received (signature verified)" in output
    assert "SIGNATURE INVALID" not in output
