"""pywb's front end asking its own index server (WarcServer) in the same process, not over HTTP.

pywb's FrontEndApp answers every replayed capture, CDX query and TimeMap by asking the
WarcServer it runs in the same process, at ``http://localhost:<port>/``, with
``requests.post``/``requests.get``: a new session and a new TCP connection a request, the
HTTP request written, parsed by a second gevent server, the answer written and parsed back.
Profiled on a Diancang worker (py-spy, bench/replay.py's collection) that hop was about 60%
of a CDX query's CPU and 40% of a page's; the lookup itself ~11%.

``session`` returns a requests session whose one transport calls the WarcServer's WSGI
application directly with the environ gevent's server would have built (the same method,
path, query, body and ``HTTP_*`` headers: the ACL user the access gate sets included), and
streams its body back as the response's ``raw``.  Any other URL has no transport: a replay
server never fetches from anywhere else.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def session(app: WSGIApp, base_url: str) -> requests.Session:
    """A session that sends what starts with ``base_url`` to ``app``, and nothing else."""
    sess = requests.Session()
    sess.trust_env = False          # no proxy or .netrc from the environment, each request
    sess.adapters.clear()
    sess.mount(base_url, InProcess(app))
    return sess


class InProcess(BaseAdapter):
    def __init__(self, app: WSGIApp):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        environ = wsgi_environ(request)
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [(status, headers)]
            return _no_write

        body = self.app(environ, start_response)
        raw = Body(body)
        if not started:             # a WSGI app may call start_response at its first chunk
            raw.peek()
        status, headers = started[0]
        response = requests.Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.split(" ", 1)[1] if " " in status else ""
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.url = request.url or ""
        response.request = request
        if not stream:
            _ = response.content
        return response

    def close(self) -> None:
        pass


def _no_write(_data: bytes) -> None:
    raise NotImplementedError("pywb's WarcServer returns its body; it never writes")


def wsgi_environ(request: requests.PreparedRequest) -> dict[str, Any]:
    """What gevent's WSGIHandler.get_environ makes of ``request``: the path percent-decoded
    as latin-1, the query as sent, headers as ``HTTP_*`` (names with ``_`` left out, as gevent
    leaves them out), Content-Type and -Length as CGI's."""
    url = urlsplit(request.url or "")
    body: Any = request.body
    read = getattr(body, "read", None)
    raw = read() if read is not None else body or b""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method or "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(url.path or "/").decode("latin-1"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for field, content in request.headers.items():
        name = field.decode("latin-1") if isinstance(field, bytes) else field
        value = content.decode("latin-1") if isinstance(content, bytes) else content
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    if data:
        environ["CONTENT_LENGTH"] = str(len(data))
    return environ


class Body(io.RawIOBase):
    """A WSGI response body as a raw stream (what pywb reads a response's ``raw`` as); closing
    it closes the body, as WSGI requires."""

    def __init__(self, body: Iterable[bytes]):
        super().__init__()
        self.body = body
        self.chunks: Iterator[bytes] = iter(body)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def peek(self) -> None:
        """Run the application up to its first chunk (and its start_response)."""
        if not self.pending:
            self.pending = next(self.chunks, b"")

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.pending = chunk
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        super().close()
