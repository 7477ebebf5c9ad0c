"""The replay host's door: visibility and grants, in front of pywb.

Every request names its collection in its first path segment (pywb's routes:
``/<coll>/``, ``/<coll>/cdx``, ``/<coll>/timemap/...``, ``/<coll>/<ts><mod>/<url>`` ...);
only ``/``, ``/collinfo.json`` and pywb's static files do not.  A collection the reader may
not see (not public, no grant) is answered with the same plain 404 as one that does not
exist.  A grant link (``?__diancang_grant=<token>``, signed by the web app) becomes an HttpOnly
cookie scoped to ``/<coll>/`` and a redirect to the clean URL; a request carrying a valid one
reaches pywb with the ACL user ``curator`` (pywb's ``X-Pywb-ACL-User``, which no reader may
send himself), which lifts the collection's embargo.  A capture taken down answers 451.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from http.cookies import SimpleCookie
from typing import Any

from pywb.rewrite.wburl import WbUrl

from catalog.grants import COOKIE, PARAM, read_grant
from replay.acl import AccessState
from replay.checker import CURATOR, DiancangAccessChecker

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
ACL_USER = "HTTP_X_PYWB_ACL_USER"
OPEN_PATHS = ("", "collinfo.json", "static")   # not a collection: pywb's home, listing, assets
NOT_FOUND = b"404 Not Found\n"
NO_COLLECTION = "_"     # no slug starts with "_" (seeds.check.SLUG): never a collection
TAKEN_DOWN = b"451 Unavailable For Legal Reasons: this capture has been taken down.\n"
# A response body up to this size is gathered and sent in one write with its length: pywb
# streams a page or a CDX answer in several chunks (without a length: chunked), and gevent
# sends each on its own, a system call that cost a quarter of a CDX query's CPU (py-spy).
GATHER = 256 * 1024


def _plain(start_response: StartResponse, status: str, body: bytes,
           headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *(headers or [])])
    return [body]


class AccessGate:
    def __init__(self, app: Any, state: AccessState, checker: DiancangAccessChecker,
                 grant_secret: str, grant_seconds: int, locales: Sequence[str]):
        self.app = app
        self.locales = tuple(locales)      # pywb's language prefixes: /zh/<coll>/...
        self.state = state
        self.checker = checker
        self.grant_secret = grant_secret
        self.grant_seconds = grant_seconds

    def granted(self, environ: Environ, coll: str) -> bool:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        morsel = cookie.get(COOKIE)
        return morsel is not None and read_grant(self.grant_secret, morsel.value, coll,
                                                 self.grant_seconds) is not None

    def visible(self, environ: Environ, coll: str) -> bool:
        return coll in self.state.snapshot.public or self.granted(environ, coll)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop(ACL_USER, None)            # only the gate says who is asking
        self.state.current()
        environ["diancang.visible"] = lambda coll: self.visible(environ, coll)
        path = environ.get("PATH_INFO", "")
        coll, _, rest = path.lstrip("/").partition("/")
        if coll in self.locales:             # /zh/<coll>/...: the reader's language first
            coll, _, rest = rest.partition("/")
        if coll in OPEN_PATHS:
            if coll == "collinfo.json":
                return self.listing(environ, start_response)
            answer: Iterable[bytes] = self.app(environ, start_response)
            return answer
        query = environ.get("QUERY_STRING", "")
        if PARAM + "=" in query:
            return self.accept_grant(environ, start_response, coll, path, query)
        if self.granted(environ, coll):
            environ[ACL_USER] = CURATOR         # lifts the collection's embargo
        elif coll not in self.state.snapshot.public:
            return self.no_such_collection(environ, start_response, coll)
        return self.replay(environ, start_response, coll, rest)

    def no_such_collection(self, environ: Environ, start_response: StartResponse,
                           coll: str) -> Iterable[bytes]:
        """pywb's own "no such collection" page, in the reader's language, for a collection
        the reader may not see: asked of pywb under a name no collection can have, so the
        answer is the same as for one that does not exist."""
        path = environ.get("PATH_INFO", "")
        rest = path.split(f"/{coll}", 1)[1].lstrip("/")
        if rest.startswith(("cdx", "timemap")):     # APIs: a plain 404, as for no collection
            return _plain(start_response, "404 Not Found", NOT_FOUND)
        environ["PATH_INFO"] = path.replace(f"/{coll}/", f"/{NO_COLLECTION}/", 1) \
            if f"/{coll}/" in path else path.replace(f"/{coll}", f"/{NO_COLLECTION}", 1)
        answer: Iterable[bytes] = self.app(environ, start_response)
        return answer

    def accept_grant(self, environ: Environ, start_response: StartResponse, coll: str,
                     path: str, query: str) -> Iterable[bytes]:
        # the rest of the query is the archived URL's own: kept byte for byte (it may be
        # GBK percent-escapes), only our parameter taken out
        parts = query.split("&")
        ours = [part for part in parts if part.startswith(PARAM + "=")]
        clean = "&".join(part for part in parts if part not in ours)
        location = environ.get("SCRIPT_NAME", "") + path + (f"?{clean}" if clean else "")
        token = ours[-1].split("=", 1)[1] if ours else ""
        left = read_grant(self.grant_secret, token, coll, self.grant_seconds)
        if left is None:        # public: on to the page without a grant; private: not there
            if coll in self.state.snapshot.public:
                return _plain(start_response, "303 See Other", b"", [("Location", location)])
            return self.no_such_collection(environ, start_response, coll)
        cookies = []
        for prefix in ("", *(f"/{locale}" for locale in self.locales)):   # each language's
            cookie: SimpleCookie = SimpleCookie()                         # path to the coll
            cookie[COOKIE] = token
            morsel = cookie[COOKIE]
            morsel.update({"path": f"{prefix}/{coll}/", "samesite": "Lax",
                           "max-age": str(int(left))})
            morsel["httponly"] = True
            if environ.get("wsgi.url_scheme") == "https":
                morsel["secure"] = True
            cookies.append(("Set-Cookie", morsel.OutputString()))
        return _plain(start_response, "303 See Other", b"", [("Location", location), *cookies])

    def listing(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """pywb's ``collinfo.json``, naming only the collections the reader may see."""
        listed: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            listed["status"] = status

        body = b"".join(self.app(environ, keep))
        info = json.loads(body)
        for key in ("fixed", "dynamic"):
            info[key] = [c for c in info.get(key, []) if self.visible(environ, c)]
        out = json.dumps(info).encode()
        start_response(listed["status"], [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(out)))])
        return [out]

    def replay(self, environ: Environ, start_response: StartResponse, coll: str,
               rest: str) -> Iterable[bytes]:
        """pywb's answer, except for a URL a takedown covers: 451, at once when the takedown
        holds at every date (pywb's frame page too), or when pywb finds no capture of it
        outside a dated takedown's days."""
        rule = self.takedown(coll, rest)
        if rule is not None and not (rule.get("from") or rule.get("to")):
            return _plain(start_response, "451 Unavailable For Legal Reasons", TAKEN_DOWN)
        held: dict[str, Any] = {}

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            held["args"] = (status, headers, exc_info)
            return lambda _data: None

        body = self.app(environ, hold)
        chunks: Iterator[bytes] = iter(body)
        first = [] if "args" in held else [next(chunks, b"")]
        if rule is not None and held["args"][0].startswith("404"):
            close = getattr(body, "close", None)
            if close is not None:
                close()
            return _plain(start_response, "451 Unavailable For Legal Reasons", TAKEN_DOWN)
        status, headers, exc_info = held["args"]
        if environ.get("REQUEST_METHOD") == "GET" and status[:3] not in ("204", "304"):
            for chunk in chunks:        # a small body goes in one write (see GATHER)
                first.append(chunk)
                if sum(map(len, first)) > GATHER:
                    break
            else:
                return _whole(start_response, status, headers, exc_info, first, body)
        start_response(status, headers, exc_info)
        return _Resumed(first, chunks, body)

    def takedown(self, coll: str, rest: str) -> Any:
        """The takedown rule covering the capture ``rest`` asks for, if it asks for one."""
        if not rest or rest == "cdx" or rest.startswith(("timemap/", "*/")):
            return None
        try:
            wb_url = WbUrl(rest)
        except Exception:  # noqa: BLE001 - not a replay URL pywb can parse: its answer stands
            return None
        if wb_url.type not in (WbUrl.REPLAY, WbUrl.LATEST_REPLAY):
            return None
        rule = self.checker.find_access_rule(wb_url.url, collection=coll)
        return rule if rule.get("access") == "exclude" and not rule.get("default") else None


def _whole(start_response: StartResponse, status: str, headers: list[tuple[str, str]],
           exc_info: Any, chunks: list[bytes], body: Any) -> list[bytes]:
    close = getattr(body, "close", None)
    if close is not None:
        close()
    data = b"".join(chunks)
    kept = [(name, value) for name, value in headers
            if name.lower() not in ("content-length", "transfer-encoding")]
    start_response(status, [*kept, ("Content-Length", str(len(data)))], exc_info)
    return [data]


class _Resumed:
    """The response body with its first chunk put back, closed as WSGI requires."""

    def __init__(self, first: list[bytes], rest: Iterator[bytes], body: Any):
        self.first, self.rest, self.body = first, rest, body

    def __iter__(self) -> Iterator[bytes]:
        yield from self.first
        yield from self.rest

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()
