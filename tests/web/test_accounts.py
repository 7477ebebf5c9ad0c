"""Accounts: logins throttled per account and per address (in the catalogue, so across
workers), sessions that end on the server at logout and at a new password, Secure cookies
when the app's public URL is https."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from catalog.db import alembic_config, make_engine
from catalog.login_throttle import keys_of, record_failure, retry_after
from tests.support import PASSWORD, SEED_DEFAULTS, log_in, token_of
from web.app import create_app

LIMIT = 10


def attempt(client: FlaskClient, name: str, password: str,
            address: str = "127.0.0.1") -> TestResponse:
    token = token_of(client)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_an_account_is_throttled_after_ten_failures_from_anywhere(
        app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    for n in range(LIMIT):
        assert attempt(client, "lin", "wrong password", f"10.0.0.{n}").status_code == 401
    with caplog.at_level(logging.WARNING, logger="web.auth"):
        refused = attempt(client, "lin", PASSWORD, "10.0.1.1")     # the right password
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert any("login refused" in r.getMessage() and "'lin'" in r.getMessage()
               for r in caplog.records)
    assert client.get("/admin/").status_code == 302          # not logged in
    assert attempt(app.test_client(), "root", PASSWORD, "10.0.1.1").status_code == 302


def test_an_address_is_throttled_after_ten_failures_on_any_accounts(
        app: Flask, client: FlaskClient) -> None:
    for n in range(LIMIT):
        assert attempt(client, f"guess{n}", "wrong password", "10.9.9.9").status_code == 401
    assert attempt(client, "root", PASSWORD, "10.9.9.9").status_code == 429
    assert attempt(app.test_client(), "root", PASSWORD, "10.9.9.8").status_code == 302


def test_the_limit_holds_across_workers_and_success_clears_an_account(
        app: Flask, client: FlaskClient, catalog_url: str) -> None:
    other_worker = create_app(catalog_url, login_limit=LIMIT, login_window=900.0,
                              seed_defaults=SEED_DEFAULTS,
                              replay_base="http://localhost:1", secret_key="k" * 32,
                              migrate=False)
    for n in range(LIMIT - 1):
        assert attempt(client, "lin", "wrong password", f"10.1.0.{n}").status_code == 401
    assert attempt(other_worker.test_client(), "lin", "wrong", "10.1.1.1").status_code == 401
    assert attempt(client, "lin", PASSWORD, "10.1.1.2").status_code == 429
    other_worker.extensions["diancang"].catalog.dispose()


def test_throttling_ends_when_the_failures_leave_the_window(app: Flask) -> None:
    keys = keys_of("Lin", "10.2.0.1")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.extensions["diancang"].catalog.session() as session:
        for n in range(LIMIT):
            record_failure(session, keys, window=900, now=start + timedelta(seconds=n))
        assert retry_after(session, keys, limit=LIMIT, window=900,
                           now=start + timedelta(seconds=100)) == 800
        assert retry_after(session, keys, limit=LIMIT, window=900,
                           now=start + timedelta(seconds=899)) == 1
        assert retry_after(session, keys, limit=LIMIT, window=900,
                           now=start + timedelta(seconds=900)) == 0
        assert retry_after(session, keys_of("lin", "10.2.0.2"), limit=LIMIT + 1, window=900,
                           now=start + timedelta(seconds=100)) == 0


def test_logout_ends_the_session_on_the_server(app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "lin")
    cookie = client.get_cookie("diancang_session")
    assert cookie is not None
    kept = app.test_client()                     # a copy of the cookie, taken before logout
    kept.set_cookie("diancang_session", cookie.value)
    assert kept.get("/admin/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert kept.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 302
    log_in(client, "lin")                          # and logging in again works
    assert client.get("/admin/").status_code == 200


def test_a_new_password_ends_the_other_sessions_but_not_the_changer_s(
        app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "root")
    elsewhere = app.test_client()
    log_in(elsewhere, "root")
    changed = client.post("/admin/users/root", data={"csrf_token": token, "action": "password",
                                                     "password": "another good password"})
    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


def test_cookies_are_secure_when_the_public_url_is_https(
        catalog_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from diancang.home import Home
    from diancang.web_command import build_app

    home = Home(tmp_path / "home", overrides={"database.url": catalog_url})
    home.init()
    assert build_app(home, migrate=False).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("DIANCANG_WEB_PUBLIC_URL", "https://archive.example.org/")
    app = build_app(Home(home.path, overrides={"database.url": catalog_url}), migrate=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    token_of(client)
    cookies = [v for v in client.get("/lang/en").headers.getlist("Set-Cookie")]
    cookies += client.get("/login").headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    app.extensions["diancang"].catalog.dispose()


def test_an_existing_catalogue_upgrades_and_its_accounts_log_in_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    command.upgrade(alembic_config(engine), "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (name, password_hash, role, created) "
                          "VALUES ('old', 'x', 'admin', '2025-01-01')"))
    command.upgrade(alembic_config(engine), "head")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT session_version FROM users")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM login_failures")).scalar() == 0
    engine.dispose()
