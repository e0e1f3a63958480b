"""Colour contrast of the pages' palette: every text colour on the background it is drawn on meets WCAG AA (4.5:1)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

CSS = (files("clausewatch_api") / "static" / "style.css").read_text()
VARS = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


PAIRS = [
    ("body text", VARS["fg"], "#ffffff"),
    ("muted text", VARS["muted"], "#ffffff"),
    ("muted text on panels", VARS["muted"], VARS["soft"]),
    ("links", VARS["accent"], "#ffffff"),
    ("links on panels", VARS["accent"], VARS["soft"]),
    ("high badge", VARS["high"], "#ffffff"),
    ("medium badge", VARS["medium"], "#ffffff"),
    ("low badge", VARS["low"], "#ffffff"),
    ("filled high badge", "#ffffff", VARS["high"]),
    ("filled medium badge", "#ffffff", VARS["medium"]),
    ("filled low badge", "#ffffff", VARS["low"]),
    ("header", "#ffffff", "#10233f"),
    ("removed words", "#6e0b07", "#ffd7d5"),
    ("added words", "#0b4a14", "#c9f0cf"),
]


def test_palette_is_read_from_the_stylesheet() -> None:
    """The variables the pairs use are all defined in style.css."""
    assert {"fg", "muted", "soft", "accent", "high", "medium", "low"} <= set(VARS)


@pytest.mark.parametrize(("name", "fg", "bg"), PAIRS, ids=[p[0] for p in PAIRS])
def test_text_colour_meets_wcag_aa(name: str, fg: str, bg: str) -> None:
    """Each text colour has at least 4.5:1 contrast with its background."""
    assert contrast(fg, bg) >= 4.5, f"{name}: {contrast(fg, bg):.2f}:1"
