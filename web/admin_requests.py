"""What curators ask of crawls, through the catalogue (the app never runs one): a schedule set,
paused, resumed or removed; a crawl now; a running crawl stopped.  The scheduler daemon
(``diancang scheduler``) does the rest."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.collections import get_collection
from catalog.crawl_requests import get_request, request_crawl, request_stop
from catalog.models import Crawl
from catalog.schedules import ScheduleError, pause, remove, resume, set_schedule
from web.context import db
from web.i18n import translate
from web.security import current_user, protect

bp = protect(Blueprint("admin_requests", __name__, url_prefix="/admin"))


def _moment(field: str, value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ScheduleError(f"{field}: expected a date and time, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _slug(slug: str) -> str:
    if get_collection(db(), slug) is None:
        abort(404)
    return slug


@bp.route("/collections/<slug>/schedule", methods=["POST"])
def schedule(slug: str) -> Response:
    _slug(slug)
    action = request.form.get("action", "set")
    try:
        if action == "set":
            set_schedule(db(), slug, request.form.get("spec", ""),
                         _moment("schedule_start", request.form.get("start", "")),
                         _moment("schedule_end", request.form.get("end", "")))
        elif action in ("pause", "resume"):
            (pause if action == "pause" else resume)(db(), slug)
        elif action == "remove":
            remove(db(), slug)
        else:
            abort(400)
    except (ScheduleError, LookupError) as exc:
        db().rollback()
        flash(str(exc), "error")
    else:
        db().commit()
        flash(translate("schedule.saved"), "notice")
    return redirect(url_for("admin_collections.collection", slug=slug) + "#schedule")


@bp.route("/collections/<slug>/crawl", methods=["POST"])
def crawl_now(slug: str) -> Response:
    user = current_user()
    request_id = request_crawl(db(), _slug(slug), requested_by=user.name if user else None)
    db().commit()
    return redirect(url_for(".crawl_request", request_id=request_id))


def _request_state(request_id: int) -> dict[str, object]:
    row = get_request(db(), request_id)
    if row is None:
        abort(404)
    return {"id": row.id, "status": row.status, "message": row.message,
            "crawl_id": row.crawl_id,
            "crawl_url": url_for("admin_crawls.crawl", crawl_id=row.crawl_id)
            if row.crawl_id is not None else None}


@bp.route("/requests/<int:request_id>")
def crawl_request(request_id: int) -> str | Response:
    state = _request_state(request_id)
    if state["crawl_url"]:
        return redirect(str(state["crawl_url"]))
    return render_template("admin/request.html", state=state)


@bp.route("/requests/<int:request_id>.json")
def crawl_request_json(request_id: int) -> Response:
    response = jsonify(_request_state(request_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/crawls/<int:crawl_id>/stop", methods=["POST"])
def stop(crawl_id: int) -> Response:
    if db().get(Crawl, crawl_id) is None:
        abort(404)
    stopping = request_stop(db(), crawl_id)
    db().commit()
    flash(translate("crawl.stopping" if stopping else "crawl.not_running"), "notice")
    return redirect(url_for("admin_crawls.crawl", crawl_id=crawl_id))
