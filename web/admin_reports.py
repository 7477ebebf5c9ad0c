"""Curator pages of a crawl's outcome: its report with charts, and its failed and missing
resources with one action that queues a patch crawl of them.

Both draw from ``reports.crawl_report`` (the same figures as ``diancang report``); the report
page embeds the report's body as ``reports.html`` renders it for ``diancang report --format
html`` too, in the reader's language, inside the app's layout.  The crawl's file of requests
that got no answer is passed on, so that they count among the failures.  The patch crawl is
only requested: the scheduler daemon runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from catalog.crawl_requests import request_crawl
from catalog.models import Crawl
from reports.crawl_report import UnknownCrawl, crawl_report, failed_urls
from reports.html import render_report_body
from web.context import db, web
from web.formatting import replay_url
from web.i18n import language, translate
from web.security import current_user, protect

bp = protect(Blueprint("admin_reports", __name__, url_prefix="/admin/crawls"))

LISTED = 200          # URLs shown per list on the report; the failed page shows them all


def _failed_file(crawl_id: int) -> Path | None:
    crawl_files = web().crawl_files
    return crawl_files(crawl_id).failed if crawl_files is not None else None


def _crawl(crawl_id: int) -> Crawl:
    crawl = db().get(Crawl, crawl_id)
    if crawl is None:
        abort(404)
    return crawl


@bp.route("/<int:crawl_id>/report")
def report(crawl_id: int) -> str:
    crawl = _crawl(crawl_id)
    try:
        data = crawl_report(db(), crawl_id, failed_file=_failed_file(crawl_id))
    except UnknownCrawl:
        abort(404)
    slug = crawl.collection.slug
    body = render_report_body(data, language=language(), listed=LISTED,
                              crawl_link=lambda other: url_for(".report", crawl_id=other),
                              replay_link=lambda stamp, url: replay_url(slug, stamp, url))
    return render_template("admin/report.html", crawl=crawl, coll=crawl.collection,
                           report=data, body=body)


def _failed(crawl_id: int) -> list[dict[str, Any]]:
    try:
        return failed_urls(db(), crawl_id, failed_file=_failed_file(crawl_id))
    except UnknownCrawl:
        abort(404)


@bp.route("/<int:crawl_id>/failed")
def failed(crawl_id: int) -> str:
    crawl = _crawl(crawl_id)
    return render_template("admin/failed.html", crawl=crawl, coll=crawl.collection,
                           failed=_failed(crawl_id))


@bp.route("/<int:crawl_id>/patch", methods=["POST"])
def patch(crawl_id: int) -> Response:
    """Queue a patch crawl of every failed and missing resource of the crawl, as listed now
    (the list is computed again here, never taken from the form)."""
    crawl = _crawl(crawl_id)
    urls = [entry["url"] for entry in _failed(crawl_id)]
    if not urls:
        flash(translate("failed.nothing"), "notice")
        return redirect(url_for(".failed", crawl_id=crawl_id))
    user = current_user()
    request_id = request_crawl(db(), crawl.collection.slug, urls=urls,
                               requested_by=user.name if user else None)
    db().commit()
    return redirect(url_for("admin_requests.crawl_request", request_id=request_id))
