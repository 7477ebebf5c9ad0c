"""Sessions, CSRF and roles.

The session is Flask's signed cookie, HttpOnly and SameSite=Lax (Secure when the app's public
URL is https), holding only the user's id, the account's session version when it began and
the CSRF token.  Logging out and a new password advance the version in the catalogue, so a
copy of the cookie kept from before stops working on the server, in every worker.

Every POST, PUT, PATCH and DELETE anywhere in the app must carry that token (form field
``csrf_token`` or header ``X-CSRF-Token``) or it is refused with 400 before any view runs;
every /admin view refuses anonymous requests (GET: to /login; others: 403) and curators where
an administrator is needed (403).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, g, redirect, request, session, url_for
from markupsafe import Markup
from sqlalchemy import select

from catalog.models import User
from catalog.users import end_sessions
from web.context import db, web

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
RANKS = {"curator": 1, "admin": 2}
F = TypeVar("F", bound=Callable[..., Any])

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token())


def _check_csrf() -> None:
    if request.method not in UNSAFE:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="csrf")


def current_user() -> User | None:
    if "user" not in g:
        user = None
        uid = session.get("uid")
        if uid is not None:
            user = db().scalars(select(User).where(User.id == uid)).one_or_none()
            if user is not None and session.get("ver") != user.session_version:
                user = None
        g.user = user
    found: User | None = g.user
    return found


def log_in(user: User) -> None:
    lang = session.get("lang")
    session.clear()
    session["uid"] = user.id
    session["ver"] = user.session_version
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang
    g.user = user


def log_out() -> None:
    """End the session here and on the server: the account's sessions stop being accepted."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        db().commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    g.pop("user", None)


def safe_next(target: str | None, default: str) -> str:
    """Only a path of this app: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def _refuse(role: str) -> Any:
    user = current_user()
    if user is None:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
    if RANKS.get(user.role, 0) < RANKS[role]:
        abort(403)
    return None


def protect(blueprint: Blueprint, role: str = "curator") -> Blueprint:
    """Every view of the blueprint needs a logged-in user of at least ``role``."""
    blueprint.before_request(lambda: _refuse(role))
    return blueprint


def require(role: str) -> Callable[[F], F]:
    """A stricter role for one view of a protected blueprint."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refused = _refuse(role)
            return refused if refused is not None else view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def _headers(response: Any) -> Any:
    # images may come from replay too: the crawl report's screenshot thumbnails
    replay = urlsplit(web().replay_base)
    origin = f"{replay.scheme}://{replay.netloc}" if replay.netloc else ""
    response.headers.setdefault("Content-Security-Policy",
                                CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}"
                                            if origin else "img-src 'self' data:"))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user() is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask, *, secret_key: str, secure_cookies: bool) -> None:
    app.config.update(SECRET_KEY=secret_key, SESSION_COOKIE_NAME="diancang_session",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=secure_cookies)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token,
                                 current_user=current_user)
