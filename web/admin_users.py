"""Accounts, for administrators: add, change role, set a password, remove."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.models import User
from catalog.users import (
    ROLES,
    UserError,
    add_user,
    allowed_collections,
    get_user,
    list_users,
    remove_user,
    set_collections,
    set_password,
    set_role,
)
from web.context import db
from web.security import current_user, log_in, protect

bp = protect(Blueprint("admin_users", __name__, url_prefix="/admin/users"), role="admin")


def _user(name: str) -> User:
    user = get_user(db(), name)
    if user is None:
        abort(404)
    return user


def _page(error: UserError | None = None) -> tuple[str, int]:
    users = list_users(db())
    scopes = {user.name: " ".join(sorted(allowed_collections(db(), user) or ()))
              for user in users}
    return render_template("admin/users.html", users=users, roles=ROLES, scopes=scopes,
                           error=error), 422 if error else 200


@bp.route("/", methods=["GET", "POST"])
def users() -> tuple[str, int] | Response:
    if request.method == "POST":
        try:
            add_user(db(), request.form.get("name", "").strip(),
                     request.form.get("password", ""), request.form.get("role", ""))
        except UserError as exc:
            db().rollback()
            return _page(exc)
        db().commit()
        return redirect(url_for(".users"))
    return _page()


@bp.route("/<name>", methods=["POST"])
def change(name: str) -> tuple[str, int] | Response:
    user = _user(name)
    try:
        action = request.form.get("action")
        if action == "role":
            set_role(db(), user, request.form.get("role", ""))
        elif action == "password":
            set_password(db(), user, request.form.get("password", ""))
        elif action == "collections":
            set_collections(db(), user, request.form.get("collections", "").replace(",", " ")
                            .split())
        elif action == "remove":
            remove_user(db(), user)
        else:
            abort(400)
    except UserError as exc:
        db().rollback()
        return _page(exc)
    db().commit()
    if action == "password" and user is current_user():
        log_in(user)        # the other sessions ended; the one that changed it goes on
    return redirect(url_for(".users"))
