"""The timeline chart: periods chosen by span, bars stacked by severity, and words for screen readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from clausewatch_api.timeline import buckets, describe, svg

END = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_a_month_is_drawn_in_days_with_one_bar_per_day() -> None:
    """Under 60 days of history each bar is one day, and events land in their day's bar."""
    bars = buckets(
        [(END - timedelta(days=2), "high"), (END - timedelta(days=2), "low"), (END, None)], end=END
    )
    assert len(bars) == 30
    assert bars[-3].counts == {"high": 1, "low": 1}
    assert bars[-1].counts == {"unassessed": 1}


def test_a_long_history_is_drawn_in_months() -> None:
    """Two years of history are grouped into 30-day bars, so the chart stays readable."""
    bars = buckets([(END - timedelta(days=700), "medium")], end=END)
    assert len(bars) < 30
    assert sum(b.total for b in bars) == 1


def test_svg_is_well_formed_and_labelled() -> None:
    """The SVG parses as XML, is an image with a label, and has one rect per severity present in a bar."""
    bars = buckets([(END, "high"), (END, "medium")], end=END)
    root = ElementTree.fromstring(svg(bars))
    assert root.get("role") == "img"
    assert root.get("aria-label") == describe(bars)
    rects = root.findall("{http://www.w3.org/2000/svg}rect")
    assert sorted(r.get("class") for r in rects) == ["sev-high", "sev-medium"]


def test_description_counts_by_severity() -> None:
    """The sentence names the total and the count of each severity."""
    bars = buckets([(END, "high"), (END, "high"), (END, "low")], end=END)
    assert describe(bars).startswith("3 change sets between")
    assert "(2 high, 1 low)" in describe(bars)
