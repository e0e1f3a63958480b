"""The configuration reference in docs/ is the one the settings classes generate."""

from __future__ import annotations

from pathlib import Path

from clausewatch import configdoc

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_up_to_date() -> None:
    """docs/configuration.md equals `clausewatch config --markdown` (regenerate it after changing a setting)."""
    assert DOC.read_text() == configdoc.markdown()
