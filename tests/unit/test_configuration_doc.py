"""The configuration reference in docs/ is the one the settings classes generate."""

from __future__ import annotations

from pathlib import Path

from clausewatch import configdoc

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_up_to_date() -> None:
    """docs/configuration.md equals `clausewatch config --markdown` (regenerate it after changing a setting)."""
    assert DOC.read_text() == configdoc.markdown()


def test_every_setting_is_described() -> None:
    """Each documented variable has a meaning, so an operator never meets an unexplained setting."""
    rows = [line for line in configdoc.markdown().splitlines() if line.startswith("| `CLAUSEWATCH_")]
    undocumented = [row.split("|")[1].strip() for row in rows if not row.split("|")[3].strip()]
    assert rows
    assert undocumented == []
