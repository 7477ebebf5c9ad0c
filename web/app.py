"""The app factory: plain values in (never the settings object), a Flask app out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from catalog.curation import DUBLIN_CORE
from catalog.db import Catalog
from web import formatting, i18n, scoping, security
from web.context import CrawlFiles, WebContext, close_db

MAX_UPLOAD = 10_000_000   # bytes of a seed-list file


def create_app(catalog_url: str, *, replay_base: str, secret_key: str,
               login_limit: int, login_window: float,
               crawl_files: Callable[[int], CrawlFiles] | None = None,
               seed_defaults: Mapping[str, Any],
               secure_cookies: bool = False, proxies: int = 0, migrate: bool = True) -> Flask:
    """The web app over the catalogue at ``catalog_url``.

    ``replay_base`` is replay's base URL as browsers reach it, on a different host name;
    ``login_limit`` failed logins of one account or from one address within ``login_window``
    seconds refuse further tries (429) until the oldest leaves the window; ``crawl_files``
    tells where a crawl's live figures and failed requests are (without it, the catalogue's
    figures alone are shown); ``seed_defaults`` fill what an imported seed list leaves out
    (the archive's crawl settings); ``proxies`` is how many reverse proxies stand in front,
    whose X-Forwarded-For/-Proto/-Host are believed.
    """
    if not secret_key:
        raise ValueError("secret_key: expected a secret to sign sessions with")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD
    app.extensions["diancang"] = WebContext(
        catalog=Catalog(catalog_url, migrate=migrate), replay_base=replay_base.rstrip("/"),
        crawl_files=crawl_files,
        login_limit=login_limit, login_window=login_window,
        seed_defaults=dict(seed_defaults))
    if proxies:
        behind = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
        app.wsgi_app = behind  # type: ignore[method-assign]
    security.init_app(app, secret_key=secret_key, secure_cookies=secure_cookies)
    i18n.init_app(app)
    formatting.init_app(app)
    app.teardown_appcontext(close_db)
    app.jinja_env.globals["dc_fields"] = DUBLIN_CORE

    from web import (
        admin_access,
        admin_collections,
        admin_crawls,
        admin_import,
        admin_reports,
        admin_requests,
        admin_users,
        auth,
        public,
        search_page,
    )

    app.before_request(scoping.check_scope)
    for module in (public, search_page, auth, admin_collections, admin_import, admin_crawls,
                   admin_reports, admin_requests, admin_users, admin_access):
        app.register_blueprint(module.bp)

    @app.errorhandler(HTTPException)
    def error(exc: HTTPException) -> tuple[str, int]:
        return render_template("error.html", error=exc), exc.code or 500

    return app
