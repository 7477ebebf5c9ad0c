"""The crawl report as one self-contained HTML page (``diancang report --format html``).

A pure function of ``crawl_report``'s data: inline CSS, the charts of ``report_charts`` as
inline SVG, no script and nothing fetched, so the file can be mailed, archived or opened from
disk.  Labels are Chinese and English; the page declares UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from reports.charts import (
    FONT,
    dedup_chart_svg,
    history_chart_svg,
    human_bytes,
    mime_chart_svg,
    status_chart_svg,
)

LISTED = 100       # URLs shown per change list and failure table; the JSON report has all

CSS = f"""
body {{ font-family: {FONT}; margin: 2em auto; max-width: 1120px; color: #222;
       padding: 0 1em; line-height: 1.4; }}
h1 {{ font-size: 1.5em; margin-bottom: .2em; }}
h3 {{ font-size: 1em; margin: 1em 0 .2em; }}
h2 {{ font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }}
.meta {{ color: #555; }}
.cards {{ display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: .5em .9em; min-width: 7em; }}
.card b {{ display: block; font-size: 1.4em; }}
.card span {{ color: #555; font-size: .85em; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr));
          gap: 1em; }}
.charts figure {{ margin: 0; border: 1px solid #eee; padding: .5em; }}
table {{ border-collapse: collapse; margin: .4em 0; }}
th, td {{ border-bottom: 1px solid #eee; padding: .2em .8em; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.url {{ word-break: break-all; }}
.more {{ color: #777; }}
.thumbs {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: .8em; }}
.thumb {{ margin: 0; border: 1px solid #ddd; padding: .3em; }}
.thumb img {{ width: 100%; height: auto; display: block; }}
.thumb figcaption {{ font-size: .8em; word-break: break-all; }}
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]],
           numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{escape(str(v))}</td>' if i in numeric
            else f"<td>{escape('' if v is None else str(v))}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="more">— 无 none</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tally_table(name: str, tally: dict[str, dict[str, int]]) -> str:
    return _table((name, "页面 pages", "字节 WARC bytes"),
                  ((k, v["pages"], human_bytes(v["bytes"])) for k, v in tally.items()),
                  numeric=(1, 2))


def _counts_table(caption: str, name: str, counts: dict[str, int]) -> str:
    return f"<h3>{escape(caption)}</h3>" + _table((name, "次数 count"), counts.items(),
                                                  numeric=(1,))


def _url_list(kind: str, urls: list[str]) -> str:
    items = "".join(f'<li class="url">{escape(u)}</li>' for u in urls[:LISTED])
    more = f'<p class="more">… {len(urls) - LISTED} more</p>' if len(urls) > LISTED else ""
    return (f'<details class="changes-{kind}"><summary>{escape(kind)} ({len(urls)})</summary>'
            f"<ul>{items}</ul>{more}</details>") if urls else ""


def _card(value: object, label: str, kind: str) -> str:
    return f'<div class="card" data-kind="{kind}"><b>{escape(str(value))}</b>' \
           f"<span>{escape(label)}</span></div>"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _thumbnails(report: dict[str, Any], replay_base: str | None) -> str:
    """The screenshots of the rendered pages, as thumbnails served by replay."""
    shots = report.get("screenshots") or []
    if not shots:
        return '<p class="more">— 无 none</p>'
    if replay_base is None:
        return _url_list("screenshots", [shot["page"] for shot in shots])
    collection = report["crawl"]["collection"]
    items = "".join(
        f'<figure class="thumb"><a href="{escape(replay_base)}/{escape(collection)}/'
        f'{escape(shot["timestamp"][:14])}/{escape(shot["page"])}">'
        f'<img loading="lazy" alt="" src="{escape(replay_base)}/{escape(collection)}/'
        f'{escape(shot["timestamp"][:14])}id_/{escape(shot["url"])}"></a>'
        f'<figcaption>{escape(shot["page"])}</figcaption></figure>'
        for shot in shots[:LISTED])
    return f'<div class="thumbs">{items}</div>'


def render_report_html(report: dict[str, Any], replay_base: str | None = None) -> str:
    crawl, changes, dedup = report["crawl"], report["changes"], report["dedup"]
    title = f"抓取报告 Crawl report · {crawl['title'] or crawl['collection']} · #{crawl['id']}"
    duration = report["duration"]
    rate = report["rate"]
    previous = report["previous_crawl"]
    meta = (f"集合 collection <b>{escape(crawl['collection'])}</b> · "
            f"状态 status <b>{escape(crawl['status'])}</b>"
            + (f" ({escape(crawl['stop_reason'])})" if crawl["stop_reason"] else "")
            + f" · 开始 started {escape(crawl['started'] or '')}"
            + f" · 结束 finished {escape(crawl['finished'] or '—')}"
            + (" · 补抓 patch crawl" if crawl["patch"] else "")
            + (f" · 对比 compared with crawl #{previous}" if previous is not None
               else " · 首次抓取 first crawl: everything is new"))
    cards = "".join([
        _card(report["pages"], "页面 pages", "pages"),
        _card(human_bytes(report["bytes"]), "WARC 字节 bytes", "bytes"),
        _card(_seconds(duration) if duration is not None else "—", "用时 duration",
              "duration"),
        _card(f"{rate:.1f}/s" if rate is not None else "—", "速率 pages/s", "rate"),
        _card(changes["new"], "新增 new", "new"),
        _card(changes["changed"], "变化 changed", "changed"),
        _card(changes["unchanged"], "未变 unchanged", "unchanged"),
        _card(changes["gone"], "消失 gone", "gone"),
        _card(dedup["revisits"], "去重 revisits", "revisits"),
        _card(len(report["failed_seeds"]), "失败种子 failed seeds", "failed-seeds"),
    ])
    charts = "".join(f"<figure>{svg}</figure>" for svg in (
        status_chart_svg(report), mime_chart_svg(report), history_chart_svg(report),
        dedup_chart_svg(report)))
    lists = "".join(_url_list(k, v) for k, v in report["changed_urls"].items())
    failed = report["failed"]
    failures = _table(("种类 kind", "网址 URL", "状态 status", "错误 error"),
                      ((f["kind"], f["url"], f["status"] or "", f["error"] or "")
                       for f in failed[:LISTED]), numeric=(2,))
    if len(failed) > LISTED:
        failures += f'<p class="more">… {len(failed) - LISTED} more (--format json)</p>'
    history = _table(("抓取 crawl", "开始 started", "状态 status", "页面 pages",
                      "去重 revisits", "WARC 字节 bytes"),
                     ((f"#{h['crawl']}", h["started"], h["status"], h["pages"], h["revisits"],
                       human_bytes(h["warc_bytes"])) for h in report["history"]),
                     numeric=(3, 4, 5))
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="meta">{meta}</p>
<div class="cards">{cards}</div>
<div class="charts">{charts}</div>
<h2>变化 Changes since the previous crawl</h2>
{lists or '<p class="more">— 无 none</p>'}
<h2>失败 Failed seeds and resources</h2>
{failures}
<h2>状态码 By status</h2>
{_tally_table("状态 status", report["by_status"])}
<h2>内容类型 By MIME type</h2>
{_tally_table("类型 MIME", report["by_mime"])}
<h2>主机 By host</h2>
{_tally_table("主机 host", report["by_host"])}
<h2>错误与拒绝 Errors and refused URLs</h2>
{_counts_table("请求错误 Requests that got no answer", "错误 error", report["errors"])}
{_counts_table("未抓取 URLs not crawled", "原因 reason", report["refused"])}
{_counts_table("截断 Bodies cut short", "原因 reason", report["truncated"])}
<h2>历次抓取 Crawl history</h2>
{history}
<h2>截图 Screenshots of rendered pages</h2>
{_thumbnails(report, replay_base)}
</body>
</html>
"""
