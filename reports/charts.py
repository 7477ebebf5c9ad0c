"""The crawl report's charts as inline SVG, drawn from ``crawl_report``'s data.

Pure functions returning an ``<svg>`` element as text: no JavaScript, no fonts or styles
fetched from anywhere, so the HTML report is one self-contained file and the web app can embed
the same charts.  Every bar is a ``<rect class="bar">`` carrying ``data-label`` and
``data-value`` (the exact figure), with the label and the figure as ``<text>`` beside it; each
chart has a ``<title>`` for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from seeds.limits import human_bytes

FONT = "system-ui, 'Noto Sans CJK SC', 'Noto Serif CJK SC', 'Microsoft YaHei', sans-serif"
WIDTH = 520
LABEL_W = 170
VALUE_W = 90
ROW_H = 24
BAR_H = 16
TITLE_H = 30
MAX_LABEL = 26
STORED, SAVED, NEUTRAL = "#2f6f9f", "#9cc7e4", "#7a8793"
STATUS_COLOURS = {"2": "#3a8f4b", "3": "#2f6f9f", "4": "#d08a1e", "5": "#c0392b"}




def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _svg(kind: str, title: str, height: int, body: list[str], width: int = WIDTH) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{_attr(FONT)}" font-size="12" aria-label="{_attr(title)}">'
            f"<title>{escape(title)}</title>"
            f'<text class="chart-title" x="0" y="18" font-size="14" font-weight="bold">'
            f"{escape(title)}</text>" + "".join(body) + "</svg>")


def bar_chart_svg(kind: str, title: str, rows: Sequence[tuple[str, int, str, str]]) -> str:
    """Horizontal bars: ``rows`` of (label, value, shown value, colour)."""
    if not rows:
        return _svg(kind, title, TITLE_H + ROW_H, [
            f'<text class="empty" x="0" y="{TITLE_H + 14}" fill="{NEUTRAL}">—</text>'])
    top = max(value for _, value, _, _ in rows) or 1
    span = WIDTH - LABEL_W - VALUE_W
    body = []
    for i, (label, value, shown, colour) in enumerate(rows):
        y = TITLE_H + i * ROW_H
        w = round(span * value / top, 1) if value > 0 else 0
        body.append(
            f'<g class="row"><text class="label" x="{LABEL_W - 8}" y="{y + 13}" '
            f'text-anchor="end">{escape(_short(label))}<title>{escape(label)}</title></text>'
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H}" '
            f'fill="{colour}" data-label="{_attr(label)}" data-value="{value}"/>'
            f'<text class="value" x="{LABEL_W + w + 6}" y="{y + 13}">{escape(shown)}</text></g>')
    return _svg(kind, title, TITLE_H + len(rows) * ROW_H + 6, body)


def status_chart_svg(report: dict[str, Any]) -> str:
    """Pages by HTTP status (2xx green, 3xx blue, 4xx amber, 5xx red)."""
    rows = [(status, row["pages"], str(row["pages"]), STATUS_COLOURS.get(status[:1], NEUTRAL))
            for status, row in report["by_status"].items()]
    return bar_chart_svg("status", "状态码 · Pages by HTTP status", rows)


def mime_chart_svg(report: dict[str, Any], limit: int = 10) -> str:
    """Pages by MIME type, the ``limit`` most frequent (the rest summed as "other")."""
    items = list(report["by_mime"].items())
    rows = [(mime, row["pages"], str(row["pages"]), STORED) for mime, row in items[:limit]]
    rest = sum(row["pages"] for _, row in items[limit:])
    if rest:
        rows.append(("其他 other", rest, str(rest), NEUTRAL))
    return bar_chart_svg("mime", "内容类型 · Pages by MIME type", rows)


def dedup_chart_svg(report: dict[str, Any]) -> str:
    """WARC bytes this crawl wrote against the payload bytes its revisits did not store."""
    dedup = report["dedup"]
    rows = [("写入 WARC written", dedup["warc_bytes"], human_bytes(dedup["warc_bytes"]), STORED),
            ("去重节省 saved (revisits)", dedup["bytes_not_stored"],
             f"{human_bytes(dedup['bytes_not_stored'])} · {dedup['revisits']} revisits", SAVED)]
    return bar_chart_svg("dedup", "存储与去重 · Bytes stored vs saved", rows)


def history_chart_svg(report: dict[str, Any]) -> str:
    """Pages of each crawl of the collection, oldest first: a column per crawl, its revisits
    (unchanged, not stored again) stacked in the lighter colour; this crawl outlined."""
    crawls = report["history"]
    title = "历次抓取页面数 · Pages over time"
    if not crawls:
        return bar_chart_svg("history", title, [])
    height, bottom, left = 250, 190, 40
    span = WIDTH - left - 10
    step = span / len(crawls)
    col = min(48.0, step * 0.7)
    top = max(c["pages"] for c in crawls) or 1
    scale = (bottom - TITLE_H - 20) / top
    this = report["crawl"]["id"]
    body = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#999"/>',
            (f'<text class="axis" x="{left - 6}" y="{bottom - top * scale + 4:.1f}" '
             f'text-anchor="end">{top}</text>'),
            f'<text class="axis" x="{left - 6}" y="{bottom + 4}" text-anchor="end">0</text>']
    points = []
    for i, c in enumerate(crawls):
        x = left + i * step + (step - col) / 2
        pages, revisits = c["pages"], min(c["revisits"], c["pages"])
        stored_h, saved_h = (pages - revisits) * scale, revisits * scale
        outline = ' stroke="#222" stroke-width="1.5"' if c["crawl"] == this else ""
        label = f"#{c['crawl']}"
        body.append(
            f'<g class="crawl" data-crawl="{c["crawl"]}">'
            f'<rect class="bar" x="{x:.1f}" y="{bottom - stored_h - saved_h:.1f}" '
            f'width="{col:.1f}" height="{saved_h:.1f}" fill="{SAVED}"{outline} '
            f'data-label="{label} revisits" data-value="{revisits}"/>'
            f'<rect class="bar" x="{x:.1f}" y="{bottom - stored_h:.1f}" width="{col:.1f}" '
            f'height="{stored_h:.1f}" fill="{STORED}"{outline} '
            f'data-label="{label} stored" data-value="{pages - revisits}"/>'
            f'<text class="value" x="{x + col / 2:.1f}" y="{bottom - stored_h - saved_h - 4:.1f}" '
            f'text-anchor="middle">{pages}</text>'
            f'<text class="label" x="{x + col / 2:.1f}" y="{bottom + 14}" text-anchor="middle">'
            f'{escape(label)}</text>'
            f'<text class="date" x="{x + col / 2:.1f}" y="{bottom + 28}" text-anchor="middle" '
            f'font-size="10">{escape((c["started"] or "")[:10])}</text></g>')
        points.append(f"{x + col / 2:.1f},{bottom - pages * scale:.1f}")
    if len(points) > 1:
        body.append(f'<polyline class="trend" points="{" ".join(points)}" fill="none" '
                    f'stroke="#222" stroke-width="1" stroke-dasharray="3,3"/>')
    key_y = height - 6
    body.append(f'<rect x="{left}" y="{key_y - 9}" width="10" height="10" fill="{STORED}"/>'
                f'<text x="{left + 14}" y="{key_y}">新存储 stored</text>'
                f'<rect x="{left + 110}" y="{key_y - 9}" width="10" height="10" fill="{SAVED}"/>'
                f'<text x="{left + 124}" y="{key_y}">未变 unchanged (revisits)</text>')
    return _svg("history", title, height, body)
