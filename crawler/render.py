"""Chromium renders the pages that need it; every request it makes is answered by Scrapy.

A bounded pool of pages (``pages`` at once, two on two cores) in Debian's Chromium driven by
Playwright; the browser is restarted after every ``restart_every`` pages so that its memory
stays bounded.  Every request of a page is intercepted
(``page.route``) and answered by ``fetch``: the crawler gets it through Scrapy's downloader,
so robots.txt, scope, the private-address guard, politeness, size and time limits, capture
and deduplication apply to the browser's requests as to any other.  The browser never
reaches the network itself, and nothing it hands back is written: the WARC holds the bytes
Scrapy received.

On each page the behaviours run: wait for the network to settle (capped), scroll to the end
while the page grows, click "load more" and next-page controls that do not navigate away
(加载更多, 更多, 下一页, 下页 ...) a bounded number of times; then the rendered DOM's links,
frames and lazy images are read, and a screenshot is taken.
"""

from __future__ import annotations

import asyncio
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

    def _started(self, _request: Any) -> None:
        self.in_flight += 1
        self.changed = time.monotonic()

    def _ended(self, _request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.changed = time.monotonic()

    async def settled(self, cap: float) -> None:
        """Return once the network has settled, or after ``cap`` seconds."""
        start = time.monotonic()
        end = start + cap
        while time.monotonic() < end:
            # quiet since the last request, and since the scroll or click that came before
            if self.in_flight == 0 and time.monotonic() - max(self.changed, start) >= self.QUIET:
                return
            await asyncio.sleep(0.05)


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

    async def _browser_for_page(self) -> Any:
        async with self._launching:
            if self._playwright is None:
                from playwright.async_api import async_playwright
                self._playwright = await async_playwright().start()
            if self._browser is None or self._on_browser >= self.restart_every:
                old = self._browser
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, headless=True, args=list(LAUNCH_ARGS))
                # one context per browser: a context costs about a second on two busy
                # cores, a page a tenth of that; each page routes its own requests
                context = await self._browser.new_context(
                    locale="zh-CN", viewport=VIEWPORT, service_workers="block")
                context.set_default_timeout(self.timeout * 1000)
                self._contexts[id(self._browser)] = context
                self._browser_pages[id(self._browser)] = 0
                self._on_browser = 0
                if old is not None:
                    self.restarts += 1
                    await self._retire(old)
            self._on_browser += 1
            self._browser_pages[id(self._browser)] += 1
            return self._browser

    async def _retire(self, browser: Any) -> None:
        """Close a browser once its last page is done."""
        if self._browser_pages.get(id(browser), 0) == 0 and browser is not self._browser:
            self._browser_pages.pop(id(browser), None)
            self._contexts.pop(id(browser), None)
            await browser.close()

    async def render(self, url: str, fetch: Fetch) -> Rendered:
        """Render ``url`` with every request answered by ``fetch`` (None: refused)."""
        async with self._slots:
            self.active += 1
            browser = await self._browser_for_page()
            try:
                return await self._render(browser, url, fetch)
            finally:
                self.active -= 1
                self.rendered += 1
                self._browser_pages[id(browser)] -= 1
                await self._retire(browser)

    async def _render(self, browser: Any, url: str, fetch: Fetch) -> Rendered:
        from playwright.async_api import Error as PlaywrightError

        result = Rendered(url)
        context = self._contexts[id(browser)]

        async def answer(route: Any, request: Any) -> None:
            result.requests += 1
            frame = request.frame if request.is_navigation_request() else None
            asked = BrowserRequest(
                url=request.url.partition("#")[0], method=request.method,
                headers=request.headers, body=request.post_data_buffer or b"",
                navigation=request.is_navigation_request(),
                main=frame is not None and frame.parent_frame is None)
            try:
                fetched = await fetch(asked)
            except Exception:       # a failed fetch is a failed request, never a crash
                log.exception("fetching %s for the browser", asked.url)
                fetched = None
            try:
                if fetched is None:
                    await route.abort("blockedbyclient")
                else:
                    await route.fulfill(status=fetched.status, headers=fetched.headers,
                                        body=fetched.body)
            except PlaywrightError:
                pass                # the page went away meanwhile

        page = await context.new_page()
        await page.route("**/*", answer)
        network = _Network(page)
        try:
            try:
                await page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                log.info("rendering %s: %s", url, exc.message.splitlines()[0])
            await network.settled(self.settle)
            await self._behave(page, network, result)
            for frame in page.frames:
                try:
                    links, embeds = await frame.evaluate(_HARVEST)
                except PlaywrightError:
                    continue
                result.links += links
                result.embeds += embeds
            if self.screenshots:
                with contextlib.suppress(PlaywrightError):   # a page gone: no screenshot
                    result.screenshot = await page.screenshot(type="png")
        finally:
            await page.close()
        return result

    async def _behave(self, page: Any, network: _Network, result: Rendered) -> None:
        """Scroll to the end while the page grows; click "more" controls; settle after each."""
        from playwright.async_api import Error as PlaywrightError

        start = page.url
        try:
            height = await page.evaluate("document.documentElement.scrollHeight")
            # a page no taller than the window has nothing to scroll to
            scrolls = self.max_scrolls if height > VIEWPORT["height"] else 0
            for _ in range(scrolls):
                await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                result.scrolls += 1
                await network.settled(min(self.settle, 3.0))
                grown = await page.evaluate("document.documentElement.scrollHeight")
                if grown <= height:
                    break
                height = grown
            for _ in range(self.max_clicks):
                if page.url != start or not await page.evaluate(_CLICK_MORE, list(MORE_WORDS)):
                    break
                result.clicks += 1
                await network.settled(min(self.settle, 3.0))
                await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        except PlaywrightError as exc:      # the page navigated away, or closed itself
            log.info("behaviours on %s: %s", result.url, exc.message.splitlines()[0])

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
