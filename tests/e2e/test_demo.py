"""`clausewatch up --demo` shows a newcomer changes detected and alerts delivered within a minute."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clausewatch.natsd import free_port


def test_demo_prints_changes_and_delivered_alerts_within_a_minute(tmp_path: Path) -> None:
    """Run for 60 s: the output names detected changes, their assessment, delivered alerts and verified webhooks."""
    command = [
        str(Path(sys.executable).parent / "clausewatch"),
        "up",
        "--demo",
        "--data-dir",
        str(tmp_path / "demo"),
        "--port",
        str(free_port()),
        "--for",
        "60",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    output = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "web pages    http://127.0.0.1:" in output
    assert output.count("CHANGE ") >= 2, output[-3000:]
    assert "ASSESSED " in output
    assert "DELIVERED  webhook alert" in output
    assert "DELIVERED  email alert" in output
    assert "webhook received (signature verified)" in output
    assert "SIGNATURE INVALID" not in output
