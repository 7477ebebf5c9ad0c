"""Logging in and out, and choosing the language.

Failed logins are counted per account and per address in the catalogue
(``catalog.login_throttle``); past the limit a login is refused with 429 and ``Retry-After``
before the password is even checked, and the refusal is logged.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.login_throttle import clear_account, keys_of, record_failure, retry_after
from catalog.users import authenticate
from web.context import db, web
from web.i18n import COOKIE, LANGUAGES
from web.security import current_user, log_in, log_out, safe_next

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"), url_for("admin_collections.dashboard"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, failed=False)
    name = request.form.get("name", "").strip()
    address = request.remote_addr or "unknown"
    keys = keys_of(name, address)
    limit, window = web().login_limit, web().login_window
    wait = retry_after(db(), keys, limit=limit, window=window)
    if wait:
        log.warning("login refused: too many failures for account %r or address %s; "
                    "retry after %d s", name, address, wait)
        response = make_response(render_template(
            "login.html", next=target, failed=True, throttled=math.ceil(wait / 60),
            name=name), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = authenticate(db(), name, request.form.get("password", ""))
    if user is None:
        record_failure(db(), keys, window=window)
        db().commit()
        log.warning("failed login for account %r from %s", name, address)
        return render_template("login.html", next=target, failed=True, name=name), 401
    clear_account(db(), keys[0])
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
                            samesite="Lax",
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response
