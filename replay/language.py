"""The reader's language on the replay host: pywb's locale prefix, remembered in a cookie.

pywb serves every page in the language its URL names (``/en/<coll>/...``) and in the
default (Chinese) otherwise.  The web app links to replay with the reader's language in
that prefix; this middleware remembers a prefix it sees in a ``lang`` cookie of the replay
host, and puts the remembered language back into URLs that come without one (typed,
bookmarked, or from an archived page), so the choice holds across the app and replay.

It also tells replay's templates (through the WSGI environ, which pywb hands every template
as ``env``) where the web app is and which collection the page belongs to, for their link
back: ``diancang.web_url`` and ``diancang.collection``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http.cookies import SimpleCookie
from typing import Any

from replay.seal import StartResponse, WSGIApp

COOKIE = "lang"
MAX_AGE = 365 * 24 * 3600
_UNPREFIXED = ("/static/", "/collinfo.json")     # pywb serves these under no language


def remember_language(app: WSGIApp, *, locales: Sequence[str], default: str,
                      web_url: str) -> WSGIApp:
    def language_app(environ: dict[str, Any],
                     start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        first = path.split("/", 2)[1]
        # pywb's language switch reads the request's own URI (its server sets it; gunicorn
        # calls it RAW_URI): PATH_INFO has lost the collection by then, and its "//"
        environ.setdefault("REQUEST_URI", environ.get("RAW_URI") or path)
        environ["diancang.web_url"] = web_url.rstrip("/")
        environ["diancang.collection"] = _collection(path, locales)
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        remembered = cookie[COOKIE].value if COOKIE in cookie else ""
        if first in locales:
            if first == remembered:
                return app(environ, start_response)

            def start(status: str, headers: list[tuple[str, str]],
                      exc_info: Any = None) -> Any:
                value = f"{COOKIE}={first}; Path=/; Max-Age={MAX_AGE}; SameSite=Lax"
                headers.append(("Set-Cookie", value))
                return start_response(status, headers, exc_info)

            return app(environ, start)
        if remembered in locales and remembered != default and not path.startswith(_UNPREFIXED):
            environ["PATH_INFO"] = f"/{remembered}{path}"
            environ["REQUEST_URI"] = f"/{remembered}{environ['REQUEST_URI']}"
        return app(environ, start_response)

    return language_app


def _collection(path: str, locales: Sequence[str]) -> str:
    parts = path.lstrip("/").split("/")
    if parts[0] in locales:
        parts = parts[1:]
    name = parts[0] if parts else ""
    return "" if not name or path.startswith(_UNPREFIXED) or "." in name else name
