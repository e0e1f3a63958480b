"""The long fault run is opt-in: deselected (not skipped) unless CLAUSEWATCH_FAULT_LONG=1 or `-m slow` asks for it."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests marked slow in this folder unless the long form was asked for."""
    wanted = os.environ.get("CLAUSEWATCH_FAULT_LONG") or "slow" in (config.getoption("-m") or "")
    if wanted:
        return
    here = os.path.dirname(__file__)
    keep, drop = [], []
    for item in items:
        is_here = str(item.fspath).startswith(here)
        (drop if is_here and item.get_closest_marker("slow") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
