"""``diancang report CRAWL``: one crawl's report as text, JSON or a self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from diancang.home import Home
from reports.crawl_report import crawl_report
from reports.html import render_report_html
from seeds.limits import human_bytes


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _tally(tally: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{k} {v['pages']} ({human_bytes(v['bytes'])})"
                     for k, v in tally.items()) or "none"


def render_text(report: dict[str, Any]) -> str:
    crawl, changes, dedup = report["crawl"], report["changes"], report["dedup"]
    duration, rate = report["duration"], report["rate"]
    previous = report["previous_crawl"]
    lines = [
        f"crawl {crawl['id']} of {crawl['collection']} ({crawl['title']}): {crawl['status']}"
        + (f" ({crawl['stop_reason']})" if crawl["stop_reason"] else "")
        + (", patch crawl" if crawl["patch"] else ""),
        f"  started {crawl['started']}, finished {crawl['finished'] or '-'}"
        + (f", {duration:.1f} s" if duration is not None else "")
        + (f", {rate:.1f} pages/s" if rate is not None else ""),
        f"  {report['pages']} pages, {human_bytes(report['bytes'])} of WARC records",
        f"  by status: {_tally(report['by_status'])}",
        f"  by MIME:   {_tally(report['by_mime'])}",
        f"  by host:   {_tally(report['by_host'])}",
        (f"  against crawl {previous}: " if previous is not None else "  first crawl: ")
        + ", ".join(f"{k} {v}" for k, v in changes.items()),
        (f"  dedup: {dedup['revisits']} revisits, {human_bytes(dedup['bytes_not_stored'])} "
         f"not stored again; {human_bytes(dedup['warc_bytes'])} of WARC written"),
        f"  errors: {_counts(report['errors'])}",
        f"  refused: {_counts(report['refused'])}",
    ]
    if report["truncated"]:
        lines.append(f"  truncated: {_counts(report['truncated'])}")
    for kind in ("new", "changed", "gone"):
        for url in report["changed_urls"][kind]:
            lines.append(f"  {kind:8} {url}")
    if report["failed_seeds"]:
        lines.append("  failed seeds:")
        lines += [f"    {f['url']}  {f['status'] or f['error']}" for f in report["failed_seeds"]]
    others = [f for f in report["failed"] if f["kind"] != "seed"]
    if others:
        lines.append(f"  failed ({len(others)}):")
        lines += [f"    {f['kind']:5} {f['url']}  {f['status'] or f['error']}" for f in others]
    lines.append("  history: " + ", ".join(
        f"#{h['crawl']} {(h['started'] or '')[:10]} {h['pages']} pages"
        for h in report["history"]))
    return "\n".join(lines) + "\n"


@click.command("report")
@click.argument("crawl_id", metavar="CRAWL", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Plain text, the report's data as JSON, or an HTML "
              "page with charts (self-contained, UTF-8).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_obj
def report_command(home: Home, crawl_id: int, fmt: str, output: Path | None) -> None:
    """Report on a crawl: pages and bytes by status, MIME type and host; new, changed,
    unchanged and gone pages against the previous crawl; dedup savings; errors, refusals
    and failed seeds; the collection's crawl history."""
    with home.require().catalog.session() as session:
        report = crawl_report(session, crawl_id, failed_file=home.crawl(crawl_id).failed)
    replay_base = str(home.settings["web.replay_url"]).rstrip("/")
    collection = report["crawl"]["collection"]

    def replay_link(stamp: str, url: str) -> str:
        return f"{replay_base}/{collection}/{stamp}/{url}"
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    elif fmt == "html":
        text = render_report_html(report, replay_link)   # screenshots as thumbnails
    else:
        text = render_text(report)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
