"""The renderer's kept tabs: one page's DOM, requests and behaviours never reach the next.

Chromium renders from answers held in memory (every request is routed; none leaves), with
one tab in the pool so that each page follows the last in the same tab, and a restart
after every three pages.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crawler.render import BrowserRequest, Fetch, Fetched, Renderer

CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "http://127.0.0.1:9"          # never reached: every request is answered below
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGES = {
    # still: no script; a link and an image in the markup
    "/still-1.html": b'<html><body><a href="/a1.html">a1</a><img src="/px.png"></body></html>',
    # a script that keeps asking after load, and a "more" control that adds a link
    "/busy.html": (b'<html><body><ul id="l"></ul><button id="m">\xe5\x8a\xa0\xe8\xbd\xbd'
                   b'\xe6\x9b\xb4\xe5\xa4\x9a</button><script>'
                   b'setInterval(() => fetch("/api/poll.json"), 100);'
                   b'document.getElementById("m").onclick = () => {'
                   b'document.getElementById("l").innerHTML = \'<li><a href="/more.html">m</a>\';};'
                   b'</script></body></html>'),
    "/still-2.html": b'<html><body><a href="/a2.html">a2</a></body></html>',
}


def answers(asked_log: list[tuple[str, str]], current: list[str]) -> Fetch:
    async def fetch(asked: BrowserRequest) -> Fetched | None:
        path = asked.url[len(ORIGIN):]
        asked_log.append((current[0], path))
        if path in PAGES:
            return Fetched(200, HTML, PAGES[path])
        if path == "/px.png":
            return Fetched(200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n")
        return Fetched(200, {"Content-Type": "application/json"}, b"{}")
    return fetch


@pytest.mark.slow
def test_each_page_in_a_kept_tab_sees_only_its_own() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    asked: list[tuple[str, str]] = []

    async def crawl() -> list[tuple[str, list[str], int, bool]]:
        renderer = Renderer(pages=1, restart_every=3, timeout=20, settle=2.0, max_clicks=2,
                            max_scrolls=2, executable=str(CHROMIUM), screenshots=True)
        seen: list[tuple[str, list[str], int, bool]] = []
        try:
            for path in ("/still-1.html", "/busy.html", "/still-2.html", "/still-1.html"):
                current = [path]
                done = await renderer.render(ORIGIN + path, answers(asked, current))
                seen.append((path, sorted(set(done.links)), done.clicks,
                             (done.screenshot or b"").startswith(b"\x89PNG")))
        finally:
            await renderer.close()
        assert renderer.restarts == 1
        return seen

    seen = asyncio.run(crawl())
    assert seen == [
        ("/still-1.html", [ORIGIN + "/a1.html"], 0, True),
        ("/busy.html", [ORIGIN + "/more.html"], 1, True),      # clicked "加载更多"
        ("/still-2.html", [ORIGIN + "/a2.html"], 0, True),     # nothing of the busy page
        ("/still-1.html", [ORIGIN + "/a1.html"], 0, True),     # after the restart
    ]
    # the busy page's polling was answered while it was rendered, and stopped with it
    assert ("/busy.html", "/api/poll.json") in asked
    assert all(path != "/api/poll.json" for page, path in asked if page != "/busy.html")
    assert ("/still-1.html", "/px.png") in asked
