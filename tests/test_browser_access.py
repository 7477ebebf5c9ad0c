"""A curator reaches a private collection in replay through the web app, in a real browser.

``diancang web`` (127.0.0.1) and ``diancang serve`` (reached as ``localhost``, another host
name) run over one archive home holding a private collection.  Headless Chromium logs in to
the web app, opens the collection's site page and clicks an archived page's link: the grant
it carries becomes replay's cookie and the archived page shows.  A fresh browser context (an
anonymous reader) asking replay for the same URL gets a 404.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.replay.access_site import SITE, build
from tests.support import replay_server
from tests.test_browser_web import CHROMIUM, LAUNCH_ARGS, _web_server

pytestmark = pytest.mark.slow
PASSWORD = "典藏 curator pass"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    home = tmp_path_factory.mktemp("access-home")
    stamps = build(home)
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "user", "add",
                    "wang", "--role", "curator", "--password-stdin"],
                   input=PASSWORD + "\n", capture_output=True, text=True, check=True)
    with replay_server(home) as replay:
        replay_url = replay.rstrip("/").replace("127.0.0.1", "localhost")
        for web in _web_server(home, replay_url):
            yield {"web": web, "replay": replay_url, **stamps}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def test_a_curator_opens_a_private_collection_and_a_reader_gets_404(
        browser: Any, stack: dict[str, Any]) -> None:
    web, replay, recent = stack["web"], stack["replay"], stack["recent"]
    curator = browser.new_context(locale="zh-CN")
    page = curator.new_page()
    page.set_default_timeout(30_000)
    page.goto(web + "/login")
    page.fill("input[name=name]", "wang")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(web + "/collections/priv/sites/www.example.com")
    link = page.locator(f"td.url a[href*='{SITE}/about.html']")   # titled: its text is the title
    assert "__diancang_grant=" in (link.get_attribute("href") or "")
    link.click()
    clean = f"{replay}/zh/priv/{recent}/{SITE}/about.html"   # in the reader's language
    page.wait_for_url(clean)                               # the grant is gone from the URL
    frame = next(f for f in page.frames if "mp_/" in f.url)
    frame.wait_for_selector("h1")
    assert frame.inner_text("h1") == f"page /about.html of {recent[:4]}-{recent[4:6]}-{recent[6:8]}"
    cookies = curator.cookies(clean)
    assert [(c["name"], c["path"], c["httpOnly"]) for c in cookies
            if c["name"] != "lang"] == [("diancang_grant", "/zh/priv/", True)]
    curator.close()

    reader = browser.new_context()
    response = reader.new_page().goto(clean)
    assert response is not None and response.status == 404
    # pywb's own page for a collection that does not exist (it may echo the URL typed)
    assert "这里没有这个集合" in response.text() and "page /about.html of" not in response.text()
    reader.close()
