"""Which Chromium the fetcher picks when none is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_fetcher import settings
from clausewatch_fetcher.settings import detect_chromium


def _installed(monkeypatch: pytest.MonkeyPatch, paths: set[str]) -> None:
    monkeypatch.setattr(Path, "exists", lambda self: str(self) in paths)
    monkeypatch.setattr(settings.shutil, "which", lambda name: None)


def test_the_headless_shell_is_preferred_over_the_full_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """With both Debian packages installed, the far cheaper headless shell is chosen."""
    _installed(monkeypatch, {"/usr/bin/chromium", "/usr/lib/chromium/chromium-headless-shell"})
    assert detect_chromium() == "/usr/lib/chromium/chromium-headless-shell"


def test_the_full_browser_is_used_when_the_shell_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the headless shell, Debian's full Chromium is still found."""
    _installed(monkeypatch, {"/usr/bin/chromium"})
    assert detect_chromium() == "/usr/bin/chromium"


def test_nothing_installed_leaves_the_choice_to_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """No known executable and none on PATH: None, so Playwright uses its own download."""
    _installed(monkeypatch, set())
    assert detect_chromium() is None
