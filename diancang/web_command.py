"""``diancang web`` (the curator and researcher web app) and ``diancang user`` (its accounts).

The app is built from plain values taken from the settings here; it never sees the settings
object.  It runs on gunicorn, several worker processes of a few threads each (behind a
reverse proxy that terminates TLS: README, Deployment).
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from diancang.errors import ConfigError, NotFound
from diancang.home import Home

if TYPE_CHECKING:
    from flask import Flask

pass_home = click.make_pass_decorator(Home)
THREADS = 4     # per worker: requests waiting on the catalogue overlap


def secret_key(home: Home) -> str:
    """``web.secret_key``, or the key generated once into HOME/web-secret.key (mode 0600)."""
    configured = home.settings["web.secret_key"]
    if configured:
        return str(configured)
    path = home.secret_file
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def build_app(home: Home, *, migrate: bool = True) -> Flask:
    from web.app import create_app

    settings = home.settings
    return create_app(settings.database_url, replay_base=settings["web.replay_url"],
                      secret_key=secret_key(home), crawl_files=home.crawl,
                      seed_defaults=settings.seed_defaults,
                      login_limit=settings["web.login_limit"],
                      login_window=settings["web.login_window"],
                      secure_cookies=urlsplit(settings["web.public_url"]).scheme == "https",
                      proxies=settings["web.proxies"], migrate=migrate)


@click.command("web")
@click.option("--host", help="Interface to listen on [default: web.host, 127.0.0.1].")
@click.option("--port", type=int, help="Port [default: web.port, 8000]; 0 picks a free one.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes [default: web.workers; 0 there: one per core].")
@pass_home
def web(home: Home, host: str | None, port: int | None, workers: int | None) -> None:
    """The web app: collections, sites and search for researchers; /admin for curators."""
    from diancang.serving import run, workers_or_default

    home.require()
    settings = home.settings
    host = host or settings["web.host"]
    replay_host = urlsplit(settings["web.replay_url"]).hostname
    if replay_host == host:
        raise ConfigError(f"web.host {host!r} is replay's host name too (web.replay_url); "
                          "archived pages could then act as a logged-in curator: serve the "
                          "app and replay under different host names")
    secret_key(home)                  # generated once, here, before the workers start
    build_app(home).extensions["diancang"].catalog.dispose()   # migrated once, here

    def ready(url: str) -> None:
        click.echo(f"web app at {url}  (replay at {settings['web.replay_url']}; "
                   "Ctrl-C to stop)")

    run(lambda: build_app(home, migrate=False), host=host,
        port=settings["web.port"] if port is None else port,
        workers=workers_or_default(workers or settings["web.workers"]),
        worker_class="gthread", threads=THREADS, ready=ready, name="diancang-web")


@click.group("user")
def user() -> None:
    """Accounts of the web app: administrators (manage users) and curators."""


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "curator"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_home
def user_add(home: Home, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (the first one should be an admin)."""
    from catalog.users import add_user

    home.require()
    password = _password(password_stdin)
    with home.catalog.session() as session:
        add_user(session, name, password, role)
    click.echo(f"created {role} {name}")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_home
def user_password(home: Home, name: str, password_stdin: bool) -> None:
    """Set an account's password."""
    from catalog.users import get_user, set_password

    home.require()
    password = _password(password_stdin)
    with home.catalog.session() as session:
        account = get_user(session, name)
        if account is None:
            raise NotFound(f"no user {name!r}")
        set_password(session, account, password)
    click.echo(f"password of {name} changed")


@user.command("list")
@pass_home
def user_list(home: Home) -> None:
    """List the accounts and their roles."""
    from catalog.users import list_users

    with home.require().catalog.session() as session:
        for account in list_users(session):
            click.echo(f"{account.name}\t{account.role}")
