"""Architecture rules that CI enforces: services are independent and the shared contract imports no service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    """import-linter finds no service importing another service and no service import in the shared package."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_project_never_reads_the_team_kit() -> None:
    """No source, test or benchmark file refers to ../shared (the team kit beside the project)."""
    offenders = []
    for folder in ("clausewatch", "shared", "services", "tests", "bench", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == Path(__file__).resolve():
                continue
            text = path.read_text(errors="replace")
            if "../shared/" in text or "/work/shared" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
