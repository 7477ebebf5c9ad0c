"""Curator pages of crawls: one crawl's live progress and figures.

The app never runs a crawl: a crawl process writes ``crawls/<id>/stats.json`` every few
seconds (``crawler.progress``) and its row in the catalogue; the page polls a JSON view of
both.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from werkzeug.wrappers import Response

from catalog.crawls import crawl_summary
from catalog.models import Collection, Crawl
from seeds.limits import human_bytes
from web.context import db, web
from web.i18n import translate
from web.security import protect

bp = protect(Blueprint("admin_crawls", __name__, url_prefix="/admin/crawls"))

LIVE = ("pages", "bytes", "rate", "queued", "in_flight", "errors", "elapsed")


def _crawl(crawl_id: int) -> tuple[Crawl, Collection]:
    crawl = db().get(Crawl, crawl_id)
    if crawl is None:
        abort(404)
    return crawl, crawl.collection


def live_stats(crawl: Crawl) -> dict[str, Any]:
    """The crawl's figures: its stats.json while it runs, the catalogue's once it ended."""
    stats: dict[str, Any] = dict(crawl.stats or {})
    crawl_files = web().crawl_files
    if crawl.status == "running" and crawl_files is not None:
        path = crawl_files(crawl.id).stats
        with contextlib.suppress(OSError, ValueError):  # not written yet, or being replaced
            stats.update(json.loads(path.read_text(encoding="utf-8")))
    return stats


def progress_of(crawl: Crawl, slug: str) -> dict[str, Any]:
    stats = live_stats(crawl)
    out = crawl_summary(crawl, slug)
    out.update({name: stats.get(name) for name in LIVE})
    out["pages"] = stats.get("pages", crawl.pages)
    out["bytes"] = stats.get("bytes", crawl.bytes)
    out["errors"] = stats.get("errors", crawl.errors)
    return out


@bp.route("/<int:crawl_id>")
def crawl(crawl_id: int) -> str:
    row, coll = _crawl(crawl_id)
    stats = live_stats(row)
    return render_template("admin/crawl.html", crawl=row, coll=coll, stats=stats,
                           shown=shown(progress_of(row, coll.slug)))


def shown(summary: dict[str, Any]) -> dict[str, str]:
    """The figures as the page shows them (translated status, sizes, times)."""
    def moment(value: str | None) -> str:
        return value[:19].replace("T", " ") if value else "—"

    out = {name: "—" if summary.get(name) is None else str(summary[name])
           for name in (*LIVE, "stop_reason")}
    out.update(status=translate(f"status.{summary['status']}"),
               bytes=human_bytes(summary.get("bytes")), started=moment(summary["started"]),
               finished=moment(summary["finished"]))
    return out


@bp.route("/<int:crawl_id>/progress.json")
def progress(crawl_id: int) -> Response:
    row, coll = _crawl(crawl_id)
    db().refresh(row)
    summary = progress_of(row, coll.slug)
    summary["shown"] = shown(summary)
    response = jsonify(summary)
    response.headers["Cache-Control"] = "no-store"
    return response
