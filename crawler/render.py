"""Chromium renders the pages that need it; every request it makes is answered by Scrapy.

A bounded pool of pages (``pages`` at once, two on two cores) in Debian's Chromium driven by
Playwright; the browser is restarted after every ``restart_every`` pages so that its memory
stays bounded.  A page of the pool (a tab) renders one page after another, with a blank
page between two, since a new one costs Chromium a renderer process; a restart waits for the
old browser's last pages, so that two browsers never hold memory at once.  Every request of
a page is intercepted (``page.route``) and answered by ``fetch``: the crawler gets it
through Scrapy's downloader, so robots.txt, scope, the private-address guard, politeness,
size and time limits, capture and deduplication apply to the browser's requests as to any
other.  The browser never reaches the network itself, and nothing it hands back is written:
the WARC holds the bytes Scrapy received.

On each page the behaviours run: wait for the network to settle (capped), scroll to the end
while the page grows, click "load more" and next-page controls that do not navigate away
(加载更多, 更多, 下一页, 下页 ...) a bounded number of times; then the rendered DOM's links,
frames and lazy images are read, and a screenshot is taken.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update")
VIEWPORT = {"width": 1280, "height": 800}
MORE_WORDS = ("加载更多", "查看更多", "更多", "下一页", "下页", "load more", "more", "next")


@dataclass(frozen=True, slots=True)
class Fetched:
    """An answer for the browser: what Scrapy received (headers minus framing, body decoded
    of its Content-Encoding, as a browser's network stack hands it to the page)."""
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class BrowserRequest:
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    navigation: bool          # a document: the page itself or a frame
    main: bool                # the page itself


@dataclass
class Rendered:
    url: str
    links: list[str] = field(default_factory=list)     # hrefs of the rendered DOM, absolute
    embeds: list[str] = field(default_factory=list)    # frames and lazy images, absolute
    screenshot: bytes | None = None
    clicks: int = 0
    scrolls: int = 0
    requests: int = 0


Fetch = Callable[[BrowserRequest], Awaitable[Fetched | None]]

# the rendered DOM's links and requisites, from every frame
_HARVEST = """() => {
  const links = [], embeds = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) links.push(a.href);
  for (const f of document.querySelectorAll('iframe[src], frame[src]')) embeds.push(f.src);
  for (const el of document.querySelectorAll(
      '[lay-src], [data-echo], [data-url], [data-lazyload], [data-src], [data-original]')) {
    for (const name of ['lay-src', 'data-echo', 'data-url', 'data-lazyload', 'data-src',
                        'data-original']) {
      const value = el.getAttribute(name);
      if (value) { try { embeds.push(new URL(value, document.baseURI).href); } catch (e) {} }
    }
  }
  return [links, embeds];
}"""
# click the first visible control that says "more" or "next" and does not navigate away
_CLICK_MORE = """(words) => {
  const controls = document.querySelectorAll('button, a, span, div, li, input[type=button]');
  for (const el of controls) {
    if (el.dataset.diancangClicked) continue;
    const text = (el.innerText || el.value || '').trim().toLowerCase();
    if (!text || text.length > 12 || !words.some(w => text === w || text.startsWith(w))) continue;
    if (el.children.length > 2 || el.querySelector('a[href]')) continue;
    const href = el.tagName === 'A' ? (el.getAttribute('href') || '') : '';
    if (href && !href.startsWith('#') && !href.toLowerCase().startsWith('javascript:')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    el.dataset.diancangClicked = '1';
    el.click();
    return true;
  }
  return false;
}"""


# two animation frames: scroll handlers and IntersectionObserver callbacks run in between
_NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_TALLER = "h => document.documentElement.scrollHeight > h"
_GROWTH_MS = 2000     # at most, after a scroll that fetched something and the network settled

# the page's height, and whether it is still: no script, nothing that loads on by itself
# (frames, plugins, media, lazy images, a refresh); a still page asks for nothing after
# "load" but what a scroll brings into view, and no click of a control does anything
_SHAPE = """() => [document.documentElement.scrollHeight, document.scripts.length === 0 &&
  !document.querySelector('iframe, frame, object, embed, video, audio, img[loading="lazy" i], '
                          + 'meta[http-equiv="refresh" i]')]"""


class _Network:
    """A page's requests in flight: the network has settled when none has been for
    ``QUIET`` seconds (Playwright's "networkidle" waits 500 ms, and only once per page)."""
    QUIET = 0.25

    def __init__(self, page: Any):
        self.in_flight = 0
        self.changed = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def reset(self) -> None:
        """A new page in the same tab: what the last one had in flight is not waited for."""
        self.in_flight = 0
        self.changed = time.monotonic()

    def _started(self, _request: Any) -> None:
        self.in_flight += 1
        self.changed = time.monotonic()

    def _ended(self, _request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.changed = time.monotonic()

    async def settled(self, cap: float, quiet: float = QUIET) -> None:
        """Return once the network has been quiet for ``quiet`` seconds, or after ``cap``."""
        start = time.monotonic()
        end = start + cap
        while time.monotonic() < end:
            # quiet since the last request, and since the scroll or click that came before
            if self.in_flight == 0 and time.monotonic() - max(self.changed, start) >= quiet:
                return
            await asyncio.sleep(0.05)


class _Tab:
    """A page of the pool, kept from one render to the next: a new page costs Chromium a
    renderer process, a navigation in a kept one does not.  Its requests are answered by the
    ``fetch`` of the render under way (none between renders: refused)."""

    def __init__(self, page: Any):
        self.page = page
        self.network = _Network(page)
        self.fetch: Fetch | None = None
        self.result: Rendered | None = None
        self.cdp: Any = None

    async def screenshot(self) -> bytes:
        """The viewport as PNG, encoded for speed (Playwright's own screenshot encodes for
        size: about three times the CPU for a quarter fewer bytes)."""
        if self.cdp is None:
            self.cdp = await self.page.context.new_cdp_session(self.page)
        shot = await self.cdp.send("Page.captureScreenshot",
                                   {"format": "png", "optimizeForSpeed": True})
        return base64.b64decode(shot["data"])

    async def answer(self, route: Any, request: Any) -> None:
        from playwright.async_api import Error as PlaywrightError

        fetch, result = self.fetch, self.result
        frame = request.frame if request.is_navigation_request() else None
        asked = BrowserRequest(
            url=request.url.partition("#")[0], method=request.method,
            headers=request.headers, body=request.post_data_buffer or b"",
            navigation=request.is_navigation_request(),
            main=frame is not None and frame.parent_frame is None)
        fetched: Fetched | None = None
        if fetch is not None and result is not None:
            result.requests += 1
            try:
                fetched = await fetch(asked)
            except Exception:       # a failed fetch is a failed request, never a crash
                log.exception("fetching %s for the browser", asked.url)
        try:
            if fetched is None:
                await route.abort("blockedbyclient")
            else:
                await route.fulfill(status=fetched.status, headers=fetched.headers,
                                    body=fetched.body)
        except PlaywrightError:
            pass                    # the page went away meanwhile


class Renderer:
    def __init__(self, *, pages: int, restart_every: int, timeout: float, settle: float,
                 max_clicks: int, max_scrolls: int, executable: str,
                 screenshots: bool = True):
        self.pages = pages
        self.restart_every = restart_every
        self.timeout = timeout
        self.settle = settle
        self.max_clicks = max_clicks
        self.max_scrolls = max_scrolls
        self.executable = executable
        self.screenshots = screenshots
        self.active = 0                  # pages being rendered now
        self.rendered = 0
        self.restarts = 0
        # (asyncio's primitives bind to the running loop when first used, not here)
        self._slots = asyncio.Semaphore(pages)
        self._launching = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._on_browser = 0             # pages started on the current browser
        self._browser_pages: dict[int, int] = {}   # id(browser) -> its pages still open
        self._contexts: dict[int, Any] = {}        # id(browser) -> its one context
        self._idle: dict[int, list[_Tab]] = {}     # id(browser) -> its tabs between renders

    async def _browser_for_page(self) -> Any:
        async with self._launching:
            if self._playwright is None:
                from playwright.async_api import async_playwright
                self._playwright = await async_playwright().start()
            if self._browser is None or self._on_browser >= self.restart_every:
                old = self._browser
                if old is not None:
                    # the old browser's last pages finish first: two browsers at once would
                    # hold twice the memory (new pages wait here, behind this lock)
                    self._browser = None
                    while self._browser_pages.get(id(old), 0) > 0:
                        await asyncio.sleep(0.05)
                    self.restarts += 1
                    await self._retire(old)
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, headless=True, args=list(LAUNCH_ARGS))
                # one context per browser: a context costs about a second on two busy
                # cores, a page a tenth of that; each page routes its own requests
                context = await self._browser.new_context(
                    locale="zh-CN", viewport=VIEWPORT, service_workers="block")
                context.set_default_timeout(self.timeout * 1000)
                self._contexts[id(self._browser)] = context
                self._browser_pages[id(self._browser)] = 0
                self._idle[id(self._browser)] = []
                self._on_browser = 0
            self._on_browser += 1
            self._browser_pages[id(self._browser)] += 1
            return self._browser

    async def _retire(self, browser: Any) -> None:
        """Close a browser once its last page is done."""
        if id(browser) in self._browser_pages and self._browser_pages[id(browser)] == 0 \
                and browser is not self._browser:
            self._browser_pages.pop(id(browser), None)
            self._contexts.pop(id(browser), None)
            self._idle.pop(id(browser), None)
            await browser.close()

    async def _tab(self, browser: Any) -> _Tab:
        idle = self._idle[id(browser)]
        if idle:
            return idle.pop()
        tab = _Tab(await self._contexts[id(browser)].new_page())
        await tab.page.route("**/*", tab.answer)
        return tab

    async def render(self, url: str, fetch: Fetch) -> Rendered:
        """Render ``url`` with every request answered by ``fetch`` (None: refused)."""
        async with self._slots:
            self.active += 1
            browser = await self._browser_for_page()
            tab: _Tab | None = None
            try:
                tab = await self._tab(browser)
                result, reusable = await self._render(tab, url, fetch)
                if reusable and browser is self._browser:
                    self._idle[id(browser)].append(tab)
                    tab = None
                return result
            finally:
                if tab is not None:
                    from playwright.async_api import Error as PlaywrightError
                    with contextlib.suppress(PlaywrightError):
                        await tab.page.close()
                self.active -= 1
                self.rendered += 1
                self._browser_pages[id(browser)] -= 1
                await self._retire(browser)

    async def _render(self, tab: _Tab, url: str, fetch: Fetch) -> tuple[Rendered, bool]:
        """The page rendered, and whether its tab may render another."""
        from playwright.async_api import Error as PlaywrightError

        result = Rendered(url)
        page, network = tab.page, tab.network
        tab.fetch, tab.result = fetch, result
        network.reset()
        reusable = True
        try:
            try:
                await page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                reusable = False
                log.info("rendering %s: %s", url, exc.message.splitlines()[0])
            try:
                height, still = await page.evaluate(_SHAPE)
            except PlaywrightError:
                height, still = 0, False
            # a still page has asked for all it will by "load": nothing to wait for
            await network.settled(self.settle, 0.0 if still else _Network.QUIET)
            await self._behave(page, network, result, height, still)
            for frame in page.frames:
                try:
                    links, embeds = await frame.evaluate(_HARVEST)
                except PlaywrightError:
                    continue
                result.links += links
                result.embeds += embeds
            if self.screenshots:
                with contextlib.suppress(PlaywrightError):   # a page gone: no screenshot
                    result.screenshot = await tab.screenshot()
        finally:
            tab.fetch = tab.result = None
        if reusable:
            # the next page starts from a blank one: nothing of this one runs on, nor is read
            try:
                await page.goto("about:blank")
            except PlaywrightError:
                reusable = False
        return result, reusable

    async def _behave(self, page: Any, network: _Network, result: Rendered, height: int,
                      still: bool) -> None:
        """Scroll to the end while the page grows; click "more" controls (not on a still
        page: without scripts they do nothing); settle after each."""
        from playwright.async_api import Error as PlaywrightError

        start = page.url
        try:
            if not still:       # scripts may have built more of it meanwhile
                height = await page.evaluate("document.documentElement.scrollHeight")
            # a page no taller than the window has nothing to scroll to
            scrolls = self.max_scrolls if height > VIEWPORT["height"] else 0
            for _ in range(scrolls):
                scrolled = time.monotonic()
                await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                await page.evaluate(_NEXT_FRAMES)   # what watches the scroll has seen it
                result.scrolls += 1
                await network.settled(min(self.settle, 3.0))
                grown = await page.evaluate("document.documentElement.scrollHeight")
                if grown <= height and network.changed > scrolled:
                    # the scroll fetched something: what it brings may be added a little after
                    # the answer came (a loaded renderer), so its growth is waited for, briefly
                    with contextlib.suppress(PlaywrightError):
                        await page.wait_for_function(_TALLER, arg=height, timeout=_GROWTH_MS)
                    grown = await page.evaluate("document.documentElement.scrollHeight")
                if grown <= height:
                    break
                height = grown
            for _ in range(0 if still else self.max_clicks):
                if page.url != start or not await page.evaluate(_CLICK_MORE, list(MORE_WORDS)):
                    break
                result.clicks += 1
                await network.settled(min(self.settle, 3.0))
                await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        except PlaywrightError as exc:      # the page navigated away, or closed itself
            log.info("behaviours on %s: %s", result.url, exc.message.splitlines()[0])

    async def close(self) -> None:
        self._idle.clear()
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
