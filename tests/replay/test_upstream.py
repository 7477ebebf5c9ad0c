"""replay.upstream: pywb's requests to its index server answered in the process, as gevent's
server would have passed them on; and the gate's one-write answers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from replay import upstream
from replay.gate import GATHER, AccessGate

BASE = "http://localhost:4321/"


class Echo:
    """A WSGI app answering with what it was given, in the chunks it is told."""

    def __init__(self, chunks: list[bytes] | None = None):
        self.chunks = chunks
        self.environ: dict[str, Any] = {}
        self.closed = False

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.environ = environ
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Seen", "1")])
        return self.body(self.chunks if self.chunks is not None else [b"got:", body])

    def body(self, chunks: list[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            self.closed = True


def test_requests_reach_the_app_as_gevent_would_pass_them() -> None:
    app = Echo()
    session = upstream.session(app, BASE)
    response = session.post(BASE + "bench/resource/postreq?url=http%3A%2F%2Fa.cn%2F&closest=now",
                            data=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"), stream=True,
                            headers={"Content-Type": "application/request",
                                     "X-Pywb-ACL-User": "curator", "X_Sneaky": "1"})
    environ = app.environ
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["PATH_INFO"] == "/bench/resource/postreq"
    assert environ["QUERY_STRING"] == "url=http%3A%2F%2Fa.cn%2F&closest=now"
    assert environ["CONTENT_TYPE"] == "application/request"
    assert environ["CONTENT_LENGTH"] == str(len(b"GET / HTTP/1.1\r\n\r\n"))
    assert environ["HTTP_X_PYWB_ACL_USER"] == "curator"      # the gate's ACL user goes on
    assert "HTTP_X_SNEAKY" not in environ                     # as gevent: no "_" in names
    assert response.status_code == 200 and response.headers["x-seen"] == "1"
    assert response.raw.read() == b"got:GET / HTTP/1.1\r\n\r\n"
    response.raw.close()
    assert app.closed


def test_a_body_streams_in_any_chunks_and_closes_the_app() -> None:
    app = Echo([b"", b"ab", b"", b"cdef", b"g"])
    response = upstream.session(app, BASE).get(BASE + "c/index", stream=True)
    assert [response.raw.read(3), response.raw.read(3), response.raw.read(3),
            response.raw.read(3)] == [b"ab", b"cde", b"f", b"g"]
    assert response.raw.read(3) == b""
    response.raw.close()
    assert app.closed
    assert upstream.session(Echo([b"x", b"yz"]), BASE).get(BASE + "c/index").text == "xyz"


def test_nothing_but_the_index_server_is_reachable() -> None:
    session = upstream.session(Echo(), BASE)
    for url in ("http://localhost:4322/c/index", "http://example.com/", "https://localhost:4321/"):
        with pytest.raises(requests.exceptions.InvalidSchema):
            session.get(url)


class _State:
    snapshot = SimpleNamespace(public=frozenset({"pub"}))

    def current(self) -> None:
        pass


class _Checker:
    def find_access_rule(self, url: str, collection: str) -> dict[str, Any]:
        return {"access": "allow", "default": True}


def _gate(app: Echo) -> AccessGate:
    return AccessGate(app, _State(), _Checker(), "secret", 60, ("zh", "en"))  # type: ignore[arg-type]


def _answer(gate: AccessGate, method: str = "GET") -> tuple[dict[str, str], list[bytes]]:
    got: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        got.update(headers)

    environ = {"PATH_INFO": "/pub/20240101000000mp_/http://a.cn/", "REQUEST_METHOD": method,
               "QUERY_STRING": "", "wsgi.input": io.BytesIO(b"")}
    return got, list(gate(environ, start_response))


def test_a_small_answer_goes_in_one_write_with_its_length() -> None:
    app = Echo([b"<html>", b"", b"rewritten", b"</html>"])
    headers, body = _answer(_gate(app))
    assert body == [b"<html>rewritten</html>"]
    assert headers["Content-Length"] == str(len(body[0]))
    assert app.closed


def test_a_big_answer_streams_and_a_head_request_is_left_alone() -> None:
    chunks = [b"x" * 100_000] * (GATHER // 100_000 + 3)
    headers, body = _answer(_gate(Echo(chunks)))
    assert b"".join(body) == b"".join(chunks) and len(body) > 1
    assert "Content-Length" not in headers
    headers, body = _answer(_gate(Echo([b"a", b"b"])), method="HEAD")
    assert body == [b"a", b"b"] and "Content-Length" not in headers
