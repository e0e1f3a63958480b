"""An inline SVG bar chart of a platform's changes over time, coloured by severity (pure; no JavaScript needed).

Each bar is one period (a day, a week or a month, chosen so at most about 60 bars fit); its segments stack the
change sets of that period by their most serious assessed severity. The chart carries a <title> and an aria-label
that say in words what it shows, and a table next to it on the page gives the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

ORDER = ("high", "medium", "low", "none", "unassessed")
COLOURS = {
    "high": "#b3261e",
    "medium": "#b86e00",
    "low": "#2e6b30",
    "none": "#6b6b6b",
    "unassessed": "#9aa4b1",
}
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 180, 34, 28, 10


@dataclass(frozen=True)
class Bucket:
    """One bar: its first day, its label and how many change sets of each severity it holds."""

    start: date
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """How many change sets the bar holds."""
        return sum(self.counts.values())


def _period(span_days: int) -> tuple[int, str]:
    if span_days <= 60:
        return 1, "day"
    if span_days <= 60 * 7:
        return 7, "week"
    return 30, "month"


def buckets(events: Sequence[tuple[datetime, str | None]], end: datetime, min_days: int = 30) -> list[Bucket]:
    """Group (time, severity) events into consecutive periods from the first event (or end - min_days) to end."""
    end_day = end.astimezone(UTC).date()
    first_day = min([e[0].astimezone(UTC).date() for e in events], default=end_day)
    start_day = min(first_day, end_day - timedelta(days=min_days - 1))
    step, _ = _period((end_day - start_day).days + 1)
    count = (end_day - start_day).days // step + 1
    bars = [Counter[str]() for _ in range(count)]
    for at, severity in events:
        index = (at.astimezone(UTC).date() - start_day).days // step
        if 0 <= index < count:
            bars[index][severity if severity in COLOURS else "unassessed"] += 1
    out = []
    for i, counter in enumerate(bars):
        start = start_day + timedelta(days=i * step)
        out.append(Bucket(start=start, label=start.isoformat(), counts=dict(counter)))
    return out


def describe(bars: Sequence[Bucket]) -> str:
    """Return one sentence that says what the chart shows, for screen readers."""
    total = sum(b.total for b in bars)
    if not bars:
        return "No changes recorded."
    by_sev = Counter[str]()
    for b in bars:
        by_sev.update(b.counts)
    parts = [f"{by_sev[s]} {s}" for s in ORDER if by_sev[s]]
    detail = f" ({', '.join(parts)})" if parts else ""
    noun = "change set" if total == 1 else "change sets"
    first_day, last_day = bars[0].start.isoformat(), bars[-1].start.isoformat()
    return f"{total} {noun} between {first_day} and {last_day}{detail}."


def svg(bars: Sequence[Bucket]) -> str:
    """Return the chart as an SVG element (a string safe to embed in HTML)."""
    label = escape(describe(bars))
    peak = max([b.total for b in bars] + [1])
    plot_w, plot_h = WIDTH - PAD_LEFT - 6, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = max(slot * 0.75, 1.0)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 6}" y2="{PAD_TOP + plot_h}" stroke="#444"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 8}" text-anchor="end" font-size="11" fill="#222">{peak}</text>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + plot_h}" text-anchor="end" font-size="11" fill="#222">0</text>',
    ]
    for i, bar in enumerate(bars):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = float(PAD_TOP + plot_h)
        for severity in ORDER:
            n = bar.counts.get(severity, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect class="sev-{severity}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[severity]}"><title>{escape(bar.label)}: {n} {severity}</title></rect>'
            )
    if bars:
        for index in sorted({0, len(bars) // 2, len(bars) - 1}):
            x = PAD_LEFT + index * slot + slot / 2
            anchor = "start" if index == 0 else "end" if index == len(bars) - 1 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="11" fill="#222">'
                f"{escape(bars[index].label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
