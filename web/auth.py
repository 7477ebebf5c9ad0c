"""Logging in and out, and choosing the language."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.users import authenticate
from web.context import db
from web.i18n import COOKIE, LANGUAGES
from web.security import current_user, log_in, log_out, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"), url_for("admin_collections.dashboard"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, failed=False)
    user = authenticate(db(), request.form.get("name", "").strip(),
                        request.form.get("password", ""))
    if user is None:
        return render_template("login.html", next=target, failed=True,
                               name=request.form.get("name", "")), 401
    db().commit()                     # last_login
    log_in(user)
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    log_out()
    return redirect(url_for("public.index"))


@bp.route("/lang/<code>")
def choose_language(code: str) -> Response:
    response = make_response(redirect(safe_next(request.args.get("next"),
                                                url_for("public.index"))))
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax")
    return response
