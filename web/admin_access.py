"""Access rules, for curators: takedowns (and exceptions to them) and embargoes, each
recorded with the curator's name, the time and the reason.  Replay picks changes up from the
catalogue within ``replay.access_refresh`` seconds (the web app never writes replay's files)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from catalog.access import AccessRuleError, add_exclusion, list_rules, remove_rule, set_embargo
from catalog.collections import list_collections
from web.context import db
from web.scoping import may_work_on
from web.security import current_user, protect

bp = protect(Blueprint("admin_access", __name__, url_prefix="/admin/access"))


def _who() -> str:
    user = current_user()
    return user.name if user is not None else "?"


def _page(error: Exception | None = None,
          form: MultiDict[str, str] | None = None) -> tuple[str, int]:
    return render_template("admin/access.html", error=error, form=form or MultiDict(),
                           rules=[(r, s) for r, s in list_rules(db()) if may_work_on(s)],
                           collections=[c for c in list_collections(db())
                                        if may_work_on(c.slug)]), \
        422 if error else 200


def _day(form: MultiDict[str, str], name: str) -> date | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AccessRuleError(f"{name}: expected a day as YYYY-MM-DD, got {text!r}") from None


@bp.route("/", methods=["GET", "POST"])
def rules() -> tuple[str, int] | Response:
    form = request.form
    if request.method == "POST":
        if not may_work_on(form.get("collection", "")):
            abort(404)
        try:
            if form.get("action") == "embargo":
                days = form.get("days", "").strip()
                if not days.isdigit():
                    raise AccessRuleError(f"days: expected a whole number, got {days!r}")
                set_embargo(db(), form.get("collection", ""), int(days),
                            reason=form.get("reason", "").strip(), who=_who())
            else:
                add_exclusion(db(), form.get("collection", ""), form.get("url", ""),
                              kind="allow" if form.get("kind") == "allow" else "exclude",
                              date_from=_day(form, "from"), date_to=_day(form, "to"),
                              reason=form.get("reason", "").strip(), who=_who())
        except AccessRuleError as exc:
            db().rollback()
            return _page(exc, form)
        db().commit()
        return redirect(url_for(".rules"))
    return _page()


@bp.route("/<int:rule_id>/remove", methods=["POST"])
def remove(rule_id: int) -> Response:
    if remove_rule(db(), rule_id) is None:
        abort(404)
    db().commit()
    return redirect(url_for(".rules"))
