"""The crawl report as HTML: one rendering, used by both ``diancang report --format html`` and
the web app.

``reports/templates/report_body.html`` (Jinja, autoescaped) draws the report's body from
``crawl_report``'s data: its figures, the charts of ``reports.charts`` as inline SVG, change
lists and tables.  The web app embeds that body in its own layout, in the reader's language,
with links to other crawls' reports (the charts carry presentation attributes only, so the
app's CSP, which allows no inline style or script, lets them through).  The command line
wraps it in ``report_page.html``: one self-contained file with inline CSS, no script and
nothing fetched, so it can be mailed, archived or opened from disk; its labels are in Chinese
and English side by side (``reports/messages.yaml`` holds both).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from reports.charts import (
    FONT,
    dedup_chart_svg,
    history_chart_svg,
    mime_chart_svg,
    status_chart_svg,
)
from seeds.limits import human_bytes

MESSAGES = Path(__file__).with_name("messages.yaml")
LANGUAGES = ("zh", "en")
CHARTS = (status_chart_svg, mime_chart_svg, history_chart_svg, dedup_chart_svg)
LISTED = 100       # URLs shown per list in the standalone file; the JSON report has all

Label = Callable[..., str]


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("reports", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["bytes"] = human_bytes
    return env


@cache
def messages() -> dict[str, dict[str, str]]:
    """The report's wording: key -> {"zh": ..., "en": ...}."""
    data: dict[str, dict[str, str]] = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return data


def labels(language: str | None) -> Label:
    """The report's labels in one of ``LANGUAGES``, or with ``None`` both, Chinese first."""
    chosen = [language] if language is not None else list(LANGUAGES)
    table = messages()

    def label(key: str, **fields: Any) -> str:
        return " ".join(table[key][lang].format(**fields) for lang in chosen)
    return label


def render_report_body(report: dict[str, Any], *, language: str | None, listed: int,
                       crawl_link: Callable[[int], str] | None = None,
                       replay_link: Callable[[str, str], str] | None = None) -> Markup:
    """The report's body: figures, charts, changes, failures, breakdowns, screenshots and
    history.

    ``crawl_link`` gives the URL of another crawl's report (the previous one, the history's);
    without it they are named, not linked.  ``replay_link(timestamp, url)`` gives a capture's
    URL in replay: rendered pages' screenshots are then thumbnails (``id_``: their bytes),
    linked to the page; without it the pages are listed."""
    charts = [Markup(chart(report)) for chart in CHARTS]   # drawn there, every label escaped
    html = _environment().get_template("report_body.html").render(
        report=report, charts=charts, listed=listed, crawl_link=crawl_link,
        replay_link=replay_link, _=labels(language))
    return Markup(html)


def render_report_html(report: dict[str, Any],
                       replay_link: Callable[[str, str], str] | None = None) -> str:
    """The report as one self-contained page (``diancang report --format html``); with
    ``replay_link``, its screenshots are thumbnails served by replay."""
    crawl = report["crawl"]
    title = (f"抓取报告 Crawl report · {crawl['title'] or crawl['collection']} · "
             f"#{crawl['id']}")
    body = render_report_body(report, language=None, listed=LISTED, replay_link=replay_link)
    return _environment().get_template("report_page.html").render(
        title=title, body=body, font=Markup(FONT))
