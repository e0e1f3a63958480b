"""The dependency audit runs in CI: scripts/audit (pip-audit over uv.lock) finds no known vulnerability, or says
plainly that it could not check (no vulnerability service reachable) instead of passing silently."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[3]


def test_the_dependency_audit_finds_no_known_vulnerability() -> None:
    """scripts/audit exits 0 with either a clean audit or an explicit NOT AUDITED notice; a vulnerability fails it."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "audit")], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no known vulnerabilities" in output or "NOT AUDITED" in output, output
