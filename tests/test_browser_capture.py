"""Pages that JavaScript builds, crawled with ``browser: auto`` and replayed with nothing missing.

``tests/fixtures/scripted`` has one page per pattern: an article list fetched as JSON with
links built by concatenation and a "加载更多" button, infinite scroll, a hash-route app that
renders from JSON, lazy images in ``lay-src``/``data-echo``/``data-url``/``data-lazyload``, a
background and an image URL computed by script, ``document.write`` of a script and a
stylesheet, an iframe inserted by script, a FontFace font, an HLS playlist and segments a
player script fetches, a GBK page (charset only in the header) whose list a script builds,
attachments only a script's list links, and the TRS and jpage lists.

``diancang crawl`` archives it with one connection per host and a little latency on every
response; the site counts the requests in flight per host.  Then the site is STOPPED and
``diancang serve`` replays every archived page to headless Chromium, which scrolls and
clicks as the crawler did: every request must be served from the archive, none may leave.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.script_site import ScriptSite
from tests.support import replay_server, run_cli

CHROMIUM = Path(os.environ.get("DIANCANG_TEST_CHROMIUM", "/usr/bin/chromium"))
COLLECTION = "scripted"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
# the pages whose content a script builds: what browser: auto should render, and only these
# (the attachments' list too: a script builds it, though Scrapy finds its files in the script)
NEEDS_BROWSER = {"/news/index.html", "/scroll/index.html", "/spa/index.html", "/lazy.html",
                 "/write.html", "/video.html", "/gbk/news.html", "/attachments.html"}
# what only a browser (or crawler.cms) finds
FOUND_BY_RENDERING = [
    "/xwzx/202405/t101.html", "/xwzx/202405/t103.html",
    "/xwzx/202405/t104.html", "/xwzx/202405/t105.html",           # after "加载更多"
    "/api/scroll-3.json", "/scroll/item-3-2.html",                 # after scrolling twice
    "/spa/data/list.json", "/spa/img/cover-2.png",
    "/img/lay.png", "/img/echo.png", "/img/url.png", "/img/lazyload.png",
    "/img/bg-hero.png", "/img/computed.png",
    "/js/written.js", "/css/written.css", "/frames/inner.html", "/fonts/site.woff2",
    "/media/live/playlist.m3u8", "/media/live/seg-0.ts", "/media/live/seg-1.ts",
    "/api/gbk-list.json", "/gbk/notice-2.html",
    "/trs/index_3.html", "/jpage/art/art_4046_8.html", "/files/pack.rar",
]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("scripted")
    site = ScriptSite(latency=0.02).start()
    origin = site.origin
    try:
        seeds = tmp / "seeds.yaml"
        seeds.write_text(f"collection: {COLLECTION}\npublic: true\n"
                         f"seeds:\n  - url: {origin}/\n    depth: 3\n"
                         f"    delay: 0\n    concurrency: 1\n    browser: auto\n",
                         encoding="utf-8")
        home = tmp / "home"
        run_cli(home, "init")
        run_cli(home, "crawl", COLLECTION, "--seeds", str(seeds),
                env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1",
                     "DIANCANG_CRAWL_BROWSER_EXECUTABLE": str(CHROMIUM)})
    finally:
        site.stop()          # from here on, any request to the live site is a leak
    responses: dict[str, bytes] = {}
    screenshots: dict[str, bytes] = {}
    for path in sorted((home / "collections" / COLLECTION / "archive").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response":
                    responses.setdefault(uri, record.content_stream().read())
                elif record.rec_type == "resource" and uri.startswith("urn:screenshot:"):
                    assert record.rec_headers.get_header("Content-Type") == "image/png"
                    screenshots[uri[len("urn:screenshot:"):]] = record.content_stream().read()
    yield {"home": home, "origin": origin, "site": site, "responses": responses,
           "screenshots": screenshots}


@pytest.mark.slow
def test_what_scripts_build_is_archived_as_it_came_off_the_wire(
        crawled: dict[str, object]) -> None:
    origin = str(crawled["origin"])
    responses: dict[str, bytes] = crawled["responses"]  # type: ignore[assignment]
    missing = [path for path in FOUND_BY_RENDERING if origin + path not in responses]
    assert not missing, (missing, sorted(responses))
    # the GBK page and its linked notices are stored in GBK, never as the browser re-encoded them
    assert "广东省政府信息公开".encode("gbk") in responses[origin + "/gbk/news.html"]
    assert "广东省政务公开 通知 2".encode("gbk") in responses[origin + "/gbk/notice-2.html"]


@pytest.mark.slow
def test_auto_renders_the_pages_scripts_build_and_only_those(
        crawled: dict[str, object]) -> None:
    origin = str(crawled["origin"])
    screenshots: dict[str, bytes] = crawled["screenshots"]  # type: ignore[assignment]
    rendered = {url[len(origin):] for url in screenshots}
    pages = {url[len(origin):] for url in crawled["responses"]  # type: ignore[attr-defined]
             if url.startswith(origin) and url.endswith(".html")}
    right = sum((page in rendered) == (page in NEEDS_BROWSER) for page in pages)
    print(f"\nbrowser: auto decided right on {right}/{len(pages)} pages; "
          f"rendered {sorted(rendered)}")
    assert rendered == NEEDS_BROWSER
    assert all(png.startswith(b"\x89PNG") for png in screenshots.values())


@pytest.mark.slow
def test_the_browser_keeps_the_hosts_politeness_and_fetches_nothing_twice(
        crawled: dict[str, object]) -> None:
    site = crawled["site"]
    assert isinstance(site, ScriptSite)
    host = urlsplit(str(crawled["origin"])).netloc
    assert site.peak[host] == 1, f"more than one request at once to {host}: {site.peak}"
    twice = {path: n for path, n in Counter(site.paths("GET")).items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"


def _content_frame(page: object) -> object:
    """pywb's framed replay: the archived page is the frame whose URL has ``mp_/``."""
    frames = [f for f in page.frames if "mp_/" in f.url]  # type: ignore[attr-defined]
    assert frames, f"no replay frame in {[f.url for f in page.frames]}"  # type: ignore[attr-defined]
    return frames[0]


def _behave(frame: object) -> None:
    """What the crawler's browser did: scroll to the end while the page grows, click "more"."""
    for _ in range(4):
        frame.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # type: ignore[attr-defined]
        frame.wait_for_timeout(400)  # type: ignore[attr-defined]
    more = frame.query_selector("#more")  # type: ignore[attr-defined]
    if more is not None:
        more.click()
        frame.wait_for_timeout(400)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_every_page_replays_with_every_resource_and_no_leak(
        crawled: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    origin = str(crawled["origin"])
    live = urlsplit(origin).netloc
    pages = sorted(url for url in crawled["responses"]  # type: ignore[attr-defined]
                   if url.startswith(origin) and url.endswith(".html"))
    served: dict[str, int] = {}
    leaks: list[str] = []
    failed: dict[str, str] = {}
    with replay_server(Path(str(crawled["home"]))) as base, sync_playwright() as playwright:
        archive = f"{base}{COLLECTION}/"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=LAUNCH_ARGS)
        context = browser.new_context(locale="zh-CN")

        def guard(route: object, request: object) -> None:
            if urlsplit(request.url).netloc == live:  # type: ignore[attr-defined]
                leaks.append(request.url)  # type: ignore[attr-defined]
                route.abort()  # type: ignore[attr-defined]
            else:
                route.continue_()  # type: ignore[attr-defined]

        def on_response(response: object) -> None:
            url = response.url  # type: ignore[attr-defined]
            path = url[len(archive):] if url.startswith(archive) else ""
            if path and not path.startswith(("cdx?", "index?", "timemap/")) \
                    and not url.endswith("/favicon.ico"):
                served[url] = response.status  # type: ignore[attr-defined]

        def on_failed(request: object) -> None:
            failure = request.failure  # type: ignore[attr-defined]
            if failure != "net::ERR_ABORTED" and \
                    urlsplit(request.url).netloc != live:  # type: ignore[attr-defined]
                failed[request.url] = failure  # type: ignore[attr-defined]

        context.route("**/*", guard)
        context.on("response", on_response)
        context.on("requestfailed", on_failed)
        page = context.new_page()
        text = {}
        for url in pages:
            page.goto(f"{archive}{url}", wait_until="networkidle")
            frame = _content_frame(page)
            _behave(frame)
            page.wait_for_load_state("networkidle")
            text[url[len(origin):]] = frame.inner_text("body")  # type: ignore[attr-defined]
        browser.close()
    assert not leaks, f"requests escaped to the live site: {leaks}"
    assert not failed, f"requests failed: {failed}"
    missing = {url: status for url, status in served.items() if status >= 400}
    assert not missing, f"archived resources not served: {missing}"
    for needed in ("/api/news-2.json", "/api/scroll-3.json", "/img/computed.png",
                   "/media/live/seg-1.ts", "/fonts/site.woff2", "/frames/inner.html"):
        assert any(url.endswith(needed) for url in served), f"{needed} never replayed"
    assert "新闻105" in text["/news/index.html"]            # the second page of the list
    assert "政务公开 第2号" in text["/gbk/news.html"]       # GBK page, list from JSON
    assert "专题报道 2" in text["/spa/index.html"]


@pytest.mark.slow
def test_the_crawl_report_shows_the_screenshots_as_thumbnails(
        crawled: dict[str, object]) -> None:
    home, origin = Path(str(crawled["home"])), str(crawled["origin"])
    report = json.loads(run_cli(home, "report", "1", "--format", "json").stdout)
    pages = {shot["page"] for shot in report["screenshots"]}
    assert pages == {origin + path for path in NEEDS_BROWSER}
    html = run_cli(home, "report", "1", "--format", "html").stdout
    shot = report["screenshots"][0]
    assert f'{shot["timestamp"][:14]}id_/urn:screenshot:{shot["page"]}"' in html
