"""Every benchmark script loads: a refactor of the test support they borrow must not break them unnoticed.

`free_port` moved from tests.support.nats to tests.support.ports (9ccfb75) and the fetcher's and notifier's
per-change benchmarks, named in docs/benchmarks.md, failed at their first import until session 14. Loading a script
runs its imports and definitions, not its measurement (each runs under `if __name__ == "__main__"`).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    p for p in [*ROOT.glob("bench/*.py"), *ROOT.glob("services/*/bench/*.py")] if p.name != "__init__.py"
)


def test_the_benchmarks_are_found() -> None:
    """The glob sees the repository's benchmark scripts (a moved folder would make the next test vacuous)."""
    names = {str(p.relative_to(ROOT)) for p in SCRIPTS}
    assert {
        "bench/pipeline.py",
        "services/notifier/bench/per_change.py",
        "services/fetcher/bench/per_change.py",
    } <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_benchmark_script_loads(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing the script (its imports and definitions) succeeds; its main block does not run."""
    # Scripts import their siblings (`from harness import …`) as when run from their folder.
    monkeypatch.syspath_prepend(str(script.parent))
    name = f"_bench_{script.parent.parent.name}_{script.stem}"
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
