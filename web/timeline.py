"""A site's captures over time as an inline SVG bar chart, drawn on the server (no scripts,
no fonts or libraries fetched from anywhere)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34


def _day(stamp: str) -> date:
    return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))


def bins(days: Sequence[tuple[str, int]]) -> tuple[str, list[tuple[str, int]]]:
    """Captures per day, per month or per year (whichever gives a readable number of bars),
    every bin in the span present, empty ones as 0.  Returns (unit, [(label, count)])."""
    if not days:
        return "day", []
    first, last = _day(days[0][0]), _day(days[-1][0])
    span = (last - first).days
    counts: Counter[str] = Counter()
    if span <= 62:
        unit = "day"
        for stamp, n in days:
            counts[_day(stamp).isoformat()] += n
        labels = [(first + timedelta(d)).isoformat() for d in range(span + 1)]
    elif span <= 3 * 366:
        unit = "month"
        for stamp, n in days:
            counts[f"{stamp[:4]}-{stamp[4:6]}"] += n
        labels = []
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            labels.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        unit = "year"
        for stamp, n in days:
            counts[stamp[:4]] += n
        labels = [str(y) for y in range(first.year, last.year + 1)]
    return unit, [(label, counts[label]) for label in labels]


def timeline_svg(days: Sequence[tuple[str, int]], *, title: str, captures_label: str) -> Markup:
    """The chart; ``captures_label`` (already translated) names the bars' unit in tooltips."""
    _unit, series = bins(days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((n for _, n in series), default=0) or 1
    svg = ('<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">')
    base = (f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
            f'y2="{TOP + plot_h}"/>')
    parts = [svg, f"<title>{escape(title)}</title>", base,
             f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>']
    if series:
        slot = plot_w / len(series)
        bar = max(1.0, min(slot * 0.8, 48.0))
        for i, (label, n) in enumerate(series):
            h = plot_h * n / top
            x = LEFT + slot * i + (slot - bar) / 2
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(label)}: {n} '
                         f"{escape(captures_label)}</title></rect>")
        ticks = sorted({0, len(series) - 1, *range(0, len(series), max(1, len(series) // 6))})
        for i in ticks:
            if 0 < i < len(series) - 1 and len(series) - 1 - i < max(1, len(series) // 12):
                continue   # too close to the last label
            x = LEFT + slot * i + slot / 2
            parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle">{escape(series[i][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
