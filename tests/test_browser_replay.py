"""Capture fidelity, judged by a real browser: crawl the fidelity site, replay it, look.

``tests/fixtures/fidelity`` has one page per hard case (GBK, GB18030 beyond GB2312, a charset
only in the HTTP header, a BOM, a Chinese path and a GBK query, srcset and picture, lazy
images, a chain of @imported stylesheets with a font, a menu a script builds from JSON,
frames, media, attachments on and off the host, a redirect chain, a meta refresh, pages only
a sitemap or a feed names).  ``diancang crawl`` archives it; the fixture server is then
STOPPED and ``diancang serve`` replays it to headless Chromium, which opens every page and
must find its text, with every archived resource it asks for served and no request to the
original site (a live leak) at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from diancang.demo.server import FixtureServer
from tests.support import FIXTURES, replay_server, run_cli

pytestmark = pytest.mark.slow   # a crawl, pywb and Chromium, in child processes

SITE = FIXTURES / "fidelity"
CHROMIUM = Path(os.environ.get("DIANCANG_TEST_CHROMIUM", "/usr/bin/chromium"))
COLLECTION = "fidelity"

# path on the site -> (title of the page the browser ends on, text the page must show)
PAGES: dict[str, tuple[str, str]] = {
    "": ("典藏保真测试首页", "典藏保真测试站点"),
    "gbk.html": ("广东省人民政府 政务公开", "政府信息公开目录"),
    "gb18030.html": ("朱镕基与𠮷野家", "超出 GB2312 的字：镕、𠮷、䶮"),
    "header-charset.html": ("字符集只在响应头中", "响应头声明 GBK"),
    "bom.html": ("字节序标记优先", "BOM 说明这是 UTF-8"),
    "中文路径/通知.html": ("关于开展档案工作的通知", "中文路径下的通知"),
    # the query as a browser sends it from the GBK page that links it: in GBK
    "search.html?q=政务公开&type=全部": ("搜索结果", "站内搜索结果"),
    "srcset.html": ("响应式图片", "srcset 与 picture"),
    "lazy.html": ("懒加载图片", "懒加载"),
    "css-chain.html": ("样式表链", "样式表、字体与背景图"),
    "menu.html": ("脚本生成的菜单", "机构概况"),          # built by menu.js from menu.json
    "frames.html": ("内嵌框架", "框架外层"),
    "media.html": ("音视频", "音频与视频"),
    "attachments.html": ("附件下载", "另一台服务器上的附件"),
    "old-notice": ("通知（最终地址）", "重定向链的终点"),    # 301 -> 302 -> 307
    "refresh.html": ("跳转目标页", "只有 meta refresh 指向这里"),
    "sitemap-only.html": ("只在网站地图中的页面", "没有任何页面链接到这里"),
    "robots-sitemap-only.html": ("robots 地图中的页面", "robots.txt 的 Sitemap 行"),
    "feed-only.html": ("订阅源中的页面", "只在 RSS 里出现"),
}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]


@dataclass
class Traffic:
    """What the browser asked for while replaying, sorted into archive, leak and failure."""
    archive_base: str
    live_hosts: set[str]
    archived: dict[str, int] = field(default_factory=dict)   # replayed resource -> status
    failed: dict[str, str] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)

    def is_archive(self, url: str) -> bool:
        # a resource of the collection, not pywb's own UI (its static files, its index API)
        path = url[len(self.archive_base):] if url.startswith(self.archive_base) else ""
        return bool(path) and not path.startswith(("cdx?", "index?", "timemap/"))


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("fidelity-home")
    site = FixtureServer(SITE).start()
    try:
        seeds = home.parent / "fidelity-seeds.yaml"
        seeds.write_text((SITE / "seeds.yaml").read_text(encoding="utf-8")
                         .replace("{{ORIGIN}}", site.origin), encoding="utf-8")
        run_cli(home, "init")
        run_cli(home, "crawl", COLLECTION, "--seeds", str(seeds),
                env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"})
        run_cli(home, "collections", "set", COLLECTION, "--public")
        origin, alt_origin = site.origin, site.alt_origin
    finally:
        site.stop()          # from here on, any request to the live site is a leak
    with replay_server(home) as base:
        yield {"replay": base.rstrip("/"), "origin": origin, "alt": alt_origin,
               "home": str(home)}


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


def _content_frame(page: object) -> object:
    """pywb's framed replay: the archived page is the frame whose URL has ``mp_/``."""
    frames = [f for f in page.frames if "mp_/" in f.url]  # type: ignore[attr-defined]
    assert frames, f"no replay frame in {[f.url for f in page.frames]}"  # type: ignore[attr-defined]
    return frames[0]


def test_every_page_replays_in_a_real_browser_with_nothing_missing_and_no_leak(
        archived: dict[str, str], browser: object) -> None:
    replay, origin = archived["replay"], archived["origin"]
    traffic = Traffic(archive_base=f"{replay}/{COLLECTION}/",
                      live_hosts={urlsplit(origin).netloc, urlsplit(archived["alt"]).netloc})
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]

    def guard(route: object, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if urlsplit(url).netloc in traffic.live_hosts:
            traffic.leaks.append(url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    def on_response(response: object) -> None:
        url = response.url  # type: ignore[attr-defined]
        if traffic.is_archive(url) and not url.endswith("/favicon.ico"):
            traffic.archived[url] = response.status  # type: ignore[attr-defined]

    def on_failed(request: object) -> None:
        url, failure = request.url, request.failure  # type: ignore[attr-defined]
        # ERR_ABORTED: the page itself cancelled the load (a lazy image swapping its
        # placeholder, the next navigation starting), not a failure to serve it
        if urlsplit(url).netloc not in traffic.live_hosts and failure != "net::ERR_ABORTED":
            traffic.failed[url] = failure

    context.route("**/*", guard)
    context.on("response", on_response)
    context.on("requestfailed", on_failed)
    page = context.new_page()
    problems: list[str] = []
    for path, (title, text) in PAGES.items():
        encoding = "gbk" if path.startswith("search.html") else "utf-8"
        page.goto(f"{replay}/{COLLECTION}/{origin}/{quote(path, safe='/?=&', encoding=encoding)}",
                  wait_until="networkidle")
        frame = _content_frame(page)
        if path == "menu.html":
            frame.wait_for_selector("#menu li", timeout=10_000)
        body = frame.inner_text("body")
        if frame.title() != title:
            problems.append(f"{path}: title {frame.title()!r}, expected {title!r}")
        if text not in body:
            problems.append(f"{path}: {text!r} not in the page's text {body[:200]!r}")
        broken = frame.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.currentSrc || i.src)")
        if broken:
            problems.append(f"{path}: images not drawn: {broken}")
    page.goto(f"{replay}/{COLLECTION}/{origin}/frames.html", wait_until="networkidle")
    inner = next((f for f in page.frames if "frame-inner.html" in f.url), None)
    assert inner is not None, [f.url for f in page.frames]
    assert "这是内层框架的文字" in inner.inner_text("body")
    context.close()

    served = [url for url, status in traffic.archived.items() if status < 400]
    share = 100.0 * len(served) / len(traffic.archived) if traffic.archived else 0.0
    print(f"\nresources served from the archive: {len(served)}/{len(traffic.archived)} "
          f"({share:.1f}%); live leaks: {len(traffic.leaks)}; failed: {len(traffic.failed)}")
    assert not problems, "\n".join(problems)
    assert not traffic.leaks, f"requests escaped to the live site: {traffic.leaks}"
    assert not traffic.failed, f"requests failed: {traffic.failed}"
    missing = {url: status for url, status in traffic.archived.items() if status >= 400}
    assert not missing, f"archived resources not served: {missing}"
    assert share == 100.0
    # the page requisites that prove the hard cases were asked for and served
    for needed in ("fonts/site.woff2", "img/h1-bg.png", "data/menu.json", "img/lazy-1.png",
                   "img/lazy-3.png", "img/p-wide.png", "media/notice.wav", "img/frame.png",
                   "moved-2", "refresh-target.html"):
        assert any(needed in url for url in served), f"{needed} never served: {served}"


def test_the_warcs_hold_every_case_as_fetched(archived: dict[str, str]) -> None:
    """What the crawl stored, read back with warcio: each case's URL, status and bytes."""
    origin, alt = archived["origin"], archived["alt"]
    found: dict[str, tuple[int, bytes]] = {}
    for path in sorted((Path(archived["home"]) / "collections" / COLLECTION / "archive").iterdir()):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                if record.rec_type == "response":
                    found[record.rec_headers.get_header("WARC-Target-URI")] = (
                        int(record.http_headers.get_statuscode()), record.content_stream().read())
    expected = {
        "/old-notice": 301, "/moved-1": 302, "/moved-2": 307, "/notice-final.html": 200,
        "/missing.html": 404, "/refresh-target.html": 200, "/sitemap.xml": 200,
        "/sitemaps/pages.xml": 200, "/sitemaps/extra.xml": 200, "/feed.xml": 200,
        "/img/s-2x.png": 200, "/media/clip.webm": 200, "/media/clip.vtt": 200,
        "/docs/report.pdf": 200, "/docs/letter.doc": 200, "/docs/table.xls": 200,
        # a Chinese path as UTF-8 percent-encoding; a query in the linking page's GBK
        "/%E4%B8%AD%E6%96%87%E8%B7%AF%E5%BE%84/%E9%80%9A%E7%9F%A5.html": 200,
        "/search.html?q=%D5%FE%CE%F1%B9%AB%BF%AA&type=%C8%AB%B2%BF": 200,
    }
    for path, status in expected.items():
        assert found.get(origin + path, (None,))[0] == status, (path, sorted(found))
    # an attachment on another host is kept; a robots-disallowed page is not fetched
    assert found[alt + "/files/offhost.pdf"][1].startswith(b"%PDF-")
    assert origin + "/private/secret.html" not in found
    # GB18030 beyond GB2312, declared gb2312: the bytes are stored as served
    body = found[origin + "/gb18030.html"][1]
    assert "𠮷".encode("gb18030") in body and "䶮".encode("gb18030") in body
