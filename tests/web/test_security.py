"""Every curator endpoint refuses anonymous requests, every POST needs its CSRF token, and the
session cookie is HttpOnly and SameSite.  The endpoints are enumerated from the app's own
url_map, so a new one cannot be forgotten."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from catalog.crawl_requests import request_crawl
from catalog.models import Collection, Crawl, CrawlRequest, Schedule, Seed, User
from catalog.schedules import set_schedule
from tests.support import PASSWORD, log_in, token_of

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def snapshot(app: Flask) -> Any:
    """Everything a curator action could change."""
    with app.extensions["diancang"].catalog.session() as s:
        return (
            [(c.slug, c.title, c.kind, c.description, c.public, c.updated.replace(tzinfo=None))
             for c in s.scalars(select(Collection).order_by(Collection.slug))],
            [(x.collection_id, x.url, x.title, x.depth) for x in s.scalars(
                select(Seed).order_by(Seed.id))],
            [(u.name, u.role, u.password_hash) for u in s.scalars(select(User).order_by(User.id))],
            [(c.id, c.status) for c in s.scalars(select(Crawl).order_by(Crawl.id))],
            _requests(s),
        )


def _requests(session: Any) -> Any:
    return ([(r.id, r.status, r.urls) for r in session.scalars(select(CrawlRequest))],
            [(r.collection_id, r.spec, r.paused) for r in session.scalars(select(Schedule))],
            [c.stop_requested for c in session.scalars(select(Crawl).order_by(Crawl.id))])


def known_arguments(app: Flask) -> dict[str, Any]:
    """A value for every argument a rule may have, naming real rows (so that a refusal is
    not a 404, and an action let through would show in the snapshot)."""
    with app.extensions["diancang"].catalog.session() as s:
        gd = s.scalars(select(Collection).where(Collection.slug == "gd-gov")).one()
        crawl = s.scalars(select(Crawl)).first()
        assert crawl is not None
        crawl.status = "running"                 # so that a stop would change it
        set_schedule(s, "gd-gov", "weekly")      # so that pause and remove would change it
        known = {"slug": "gd-gov", "seed_id": gd.seeds[0].id, "name": "lin",
                 "host": "www.gd.gov.cn", "code": "en", "filename": "style.css",
                 "crawl_id": crawl.id, "request_id": request_crawl(s, "gd-gov")}
    return known


def arguments(known: dict[str, Any], rule: Rule) -> dict[str, Any]:
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.rule}: the test needs a value for {missing}"
    return {name: known[name] for name in rule.arguments}


def endpoints(app: Flask, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every rule (under ``prefix``), with its arguments filled in."""
    from tests.support import add_captures

    add_captures(app, "gd-gov", [("http://www.gd.gov.cn/", "20240101000000", "text/html")])
    known = known_arguments(app)
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith(prefix):
                continue
            path = app.url_map.bind("localhost").build(rule.endpoint, arguments(known, rule))
            for method in sorted((rule.methods or set()) & set(METHODS)):
                out.append((method, path))
    return out


def test_every_admin_endpoint_refuses_anonymous_requests(app: Flask, client: FlaskClient) -> None:
    admin = endpoints(app, "/admin")
    assert {m for m, _ in admin} >= {"GET", "POST"} and len(admin) >= 15
    token = token_of(client)           # a valid token: refusals below are for the login alone
    before = snapshot(app)
    for method, path in admin:
        response = client.open(path, method=method, data={"csrf_token": token, "url": "x",
                                                          "title": "t", "action": "remove"})
        if method == "GET":
            assert response.status_code in (302, 403), (method, path, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), path
        else:
            assert response.status_code == 403, (method, path, response.status_code)
    assert snapshot(app) == before


def test_every_post_without_a_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    log_in(client, "root")
    posts = [(m, p) for m, p in endpoints(app) if m != "GET"]
    assert ("POST", "/login") in posts and ("POST", "/logout") in posts
    before = snapshot(app)
    for method, path in posts:
        for data in ({}, {"csrf_token": "forged"}):
            response = client.open(path, method=method, data=dict(data, url="x", title="t",
                                                                  action="remove"))
            assert response.status_code == 400, (method, path, data, response.status_code)
    assert snapshot(app) == before
    assert client.get("/admin/").status_code == 200     # still logged in: logout was refused


def test_a_curator_cannot_manage_users(app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "lin")
    assert client.get("/admin/").status_code == 200
    before = snapshot(app)
    assert client.get("/admin/users/").status_code == 403
    assert client.post("/admin/users/", data={"csrf_token": token, "name": "eve",
                                              "password": PASSWORD, "role": "admin"}
                       ).status_code == 403
    assert client.post("/admin/users/root", data={"csrf_token": token, "action": "remove"}
                       ).status_code == 403
    assert snapshot(app) == before


def test_an_admin_manages_users(app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "root")
    response = client.post("/admin/users/", data={"csrf_token": token, "name": "wang",
                                                   "password": PASSWORD, "role": "curator"})
    assert response.status_code == 302
    assert client.post("/admin/users/wang", data={"csrf_token": token, "action": "role",
                                                  "role": "admin"}).status_code == 302
    short = client.post("/admin/users/wang", data={"csrf_token": token, "action": "password",
                                                   "password": "short"})
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    assert client.post("/admin/users/lin", data={"csrf_token": token, "action": "remove"}
                       ).status_code == 302
    names = [(name, role) for name, role, _ in snapshot(app)[2]]
    assert names == [("root", "admin"), ("wang", "admin")]


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient) -> None:
    token = token_of(client)
    response = client.post("/login", data={"name": "root", "password": PASSWORD,
                                           "csrf_token": token})
    cookie = next(v for v in response.headers.getlist("Set-Cookie")
                  if v.startswith("diancang_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_login_failures_and_redirects_stay_on_the_app(client: FlaskClient) -> None:
    token = token_of(client)
    wrong = client.post("/login", data={"name": "root", "password": "wrong password",
                                        "csrf_token": token})
    assert wrong.status_code == 401
    unknown = client.post("/login", data={"name": "nobody", "password": PASSWORD,
                                          "csrf_token": token})
    assert unknown.status_code == 401
    assert client.get("/admin/").status_code == 302
    evil = client.post("/login", data={"name": "root", "password": PASSWORD,
                                       "csrf_token": token, "next": "//evil.example/"})
    assert evil.headers["Location"] == "/admin/"


def test_logging_in_renews_the_token_and_a_password_change_ends_other_sessions(
        app: Flask, client: FlaskClient) -> None:
    anonymous_token = token_of(client)
    token = log_in(client, "lin")
    assert token != anonymous_token          # a token planted before login is worthless after
    other = app.test_client()
    log_in(other, "lin")
    admin = app.test_client()
    admin_token = log_in(admin, "root")
    assert admin.post("/admin/users/lin", data={"csrf_token": admin_token,
                                                "action": "password",
                                                "password": "a new password"}
                      ).status_code == 302
    assert client.get("/admin/").status_code == 302
    assert other.get("/admin/").status_code == 302
    log_out = admin.post("/logout", data={"csrf_token": admin_token})
    assert log_out.status_code == 302 and admin.get("/admin/").status_code == 302
