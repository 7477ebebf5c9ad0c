"""The web app in a real browser, as a curator and a researcher use it.

``diancang web`` (on 127.0.0.1) and ``diancang serve`` (reached as ``localhost``: another
host name, as in development) run as real subprocesses over one archive home; headless
Chromium (Debian's, driven by Playwright) logs in, creates a collection, imports a seed
list with errors (each shown beside its line) and one without, and browses as a researcher.
Screenshots of the main pages go to ``$DIANCANG_SCREENSHOTS`` (default: a temporary
directory) to be looked at.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from diancang.demo.server import FixtureServer
from tests.support import FIXTURES, replay_server, run_cli

pytestmark = pytest.mark.slow   # a crawl, pywb, the web app and Chromium, in child processes

CHROMIUM = Path(os.environ.get("DIANCANG_TEST_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
PASSWORD = "典藏 curator pass"
BAD_SEEDS = """\
collection: fixture
title: 测试网站
seeds:
  - url: "{origin}/"
    scope: everywhere
  - url: ftp://files.example/
  - url: "{origin}/news/"
    depth: -1
"""




def _web_server(home: Path, replay_url: str) -> Iterator[str]:
    """The real ``diancang web`` on an ephemeral port of 127.0.0.1; yields its base URL."""
    env = dict(os.environ, DIANCANG_WEB_REPLAY_URL=replay_url)
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home), "web",
                             "--port", "0"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"diancang web printed {line!r}"
        yield match.group(0).rstrip("/")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    home = tmp_path_factory.mktemp("web-home")
    shots = Path(os.environ.get("DIANCANG_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    run_cli(home, "init")
    proc = subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "user",
                           "add", "curator", "--role", "admin", "--password-stdin"],
                          input=PASSWORD + "\n", capture_output=True, text=True, check=True)
    assert "created admin curator" in proc.stdout
    site = FixtureServer(FIXTURES / "site").start()
    try:
        with replay_server(home) as replay:
            replay_url = replay.rstrip("/").replace("127.0.0.1", "localhost")
            for web in _web_server(home, replay_url):
                yield {"home": home, "web": web, "replay": replay_url, "origin": site.origin,
                       "shots": shots}
    finally:
        site.stop()


@pytest.fixture(scope="module")
def page(stack: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=LAUNCH_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


def shot(page: Any, stack: dict[str, Any], name: str) -> None:
    page.screenshot(path=str(stack["shots"] / f"{name}.png"), full_page=True)


def test_curator_logs_in_creates_a_collection_and_imports_seeds(
        page: Any, stack: dict[str, Any], tmp_path: Path) -> None:
    web, origin = stack["web"], stack["origin"]
    page.goto(web + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"     # the browser asks for zh
    assert page.locator("#events h2").inner_text() == "事件专题"
    shot(page, stack, "01-home-empty")

    page.goto(web + "/admin/collections/new")
    assert page.url.startswith(web + "/login?next=")
    page.fill("input[name=name]", "curator")
    page.fill("input[name=password]", "wrong password")
    page.click("form.form button[type=submit]")
    assert page.locator("p.error").inner_text() == "用户名或密码不正确。"
    page.fill("input[name=password]", PASSWORD)
    shot(page, stack, "02-login")
    page.click("form.form button[type=submit]")
    page.wait_for_url(web + "/admin/collections/new")

    page.fill("input[name=slug]", "fixture")
    page.fill("input[name=title]", "测试网站")
    page.select_option("select[name=kind]", "event")
    page.fill("textarea[name=description]", "测试用的政府网站，含 GBK 页面与政府信息公开目录。")
    page.fill("input[name=creator]", "典藏图书馆")
    page.fill("input[name=subject]", "政府信息公开")
    page.check("input[name=public]")
    shot(page, stack, "03-collection-new")
    page.click("form.form button[type=submit]")
    page.wait_for_url(web + "/admin/collections/fixture")

    bad = tmp_path / "有错误的种子.yaml"
    bad.write_text(BAD_SEEDS.format(origin=origin), encoding="utf-8")
    page.goto(web + "/admin/import")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form.form button[type=submit]")
    rows = page.locator("table.source tr.bad")
    assert rows.count() == 3
    beside = {int(rows.nth(i).locator("td.lineno").inner_text()):
              rows.nth(i).locator("td.problems").inner_text() for i in range(3)}
    assert sorted(beside) == [5, 6, 8]
    assert beside[5].startswith("有错误的种子.yaml:5: scope: expected one of")
    assert beside[6].startswith("有错误的种子.yaml:6: url: expected an absolute http")
    assert beside[8].startswith("有错误的种子.yaml:8: depth: expected an integer >= 0")
    shot(page, stack, "04-import-errors")

    good = tmp_path / "fixture.yaml"
    good.write_text((FIXTURES / "site" / "seeds.yaml").read_text(encoding="utf-8")
                    .replace("{{ORIGIN}}", origin).replace("kind: site", "kind: event"),
                    encoding="utf-8")
    page.set_input_files("input[name=file]", str(good))
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(web) + r"/admin/collections/fixture\?imported="))
    assert page.locator("#seeds td.url").all_inner_texts() == [f"{origin}/"]
    assert page.locator("input[name=public]").is_checked()           # the import kept it
    shot(page, stack, "05-collection-admin")


def test_researcher_switches_language_and_sees_the_collection(
        page: Any, stack: dict[str, Any]) -> None:
    web = stack["web"]
    page.goto(web + "/")
    assert "测试网站" in page.locator("#events").inner_text()
    page.click("a.lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#events h2").inner_text().startswith("Events")
    shot(page, stack, "06-home-en")
    page.click("a.lang")
    assert page.locator("html").get_attribute("lang") == "zh-CN"


@contextmanager
def scheduler(stack: dict[str, Any]) -> Iterator[None]:
    """The real scheduler daemon over the archive home, polling often."""
    env = dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1",
               DIANCANG_SCHEDULER_POLL_INTERVAL="0.3")
    daemon = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home",
                               str(stack["home"]), "scheduler"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)


def wait_until_finished(page: Any, stack: dict[str, Any]) -> int:
    """On a crawl request's wait page: the daemon picks it up, the browser is sent to the
    crawl's page, which follows its progress until it has finished.  The crawl's id."""
    page.wait_for_url(re.compile(re.escape(stack["web"]) + r"/admin/crawls/\d+$"))
    page.wait_for_selector("[data-field=status].status-finished", timeout=120_000)
    page.wait_for_load_state("load")        # reloaded with the finished crawl's figures
    assert page.locator("[data-field=status]").inner_text() == "已完成"
    return int(page.url.rsplit("/", 1)[1])


def crawl_collection(page: Any, stack: dict[str, Any]) -> None:
    """"Crawl now" in the app; the real scheduler daemon starts the crawl; the crawl page
    follows its progress until it has finished."""
    with scheduler(stack):
        page.goto(stack["web"] + "/admin/collections/fixture")
        page.click("#crawl-now")
        stack["crawl"] = wait_until_finished(page, stack)
        assert int(page.locator("[data-field=pages]").inner_text()) >= 10
        shot(page, stack, "07-crawl")


def test_a_crawl_then_researchers_browse_search_and_replay(page: Any,
                                                          stack: dict[str, Any]) -> None:
    web, replay, origin = stack["web"], stack["replay"], stack["origin"]
    crawl_collection(page, stack)

    page.goto(web + "/collections/fixture")
    host = origin.split("//", 1)[1].split(":", 1)[0]
    page.click(f"text={host}")
    assert page.locator("svg.timeline rect.bar").count() >= 1
    calendar = page.locator("p.actions a.button").first.get_attribute("href")
    # the curator's link carries a grant for the collection (replay keeps it as a cookie)
    assert calendar is not None
    assert calendar.startswith(f"{replay}/zh/fixture/*/{origin}/?__diancang_grant=")
    shot(page, stack, "08-site")

    page.goto(web + "/search")
    page.fill("input[name=q]", "政府信息公开目录")
    page.click("form.search button[type=submit]")
    first = page.locator("li.hit").first
    assert "<mark>" in first.locator("p.snippet").inner_html()
    assert "粤府〔2017〕12号" in first.inner_text()              # gov metadata of the GBK page
    shot(page, stack, "09-search")
    href = first.locator("a.hit-title").get_attribute("href")
    assert href is not None and href.startswith(f"{replay}/zh/fixture/")
    first.locator("a.hit-title").click()
    page.wait_for_url(re.compile(re.escape(replay) + "/zh/fixture/"))
    frame = next(f for f in page.frames if "mp_/" in f.url)
    frame.wait_for_selector("text=政府信息公开目录")
    assert "粤府〔2017〕12号" in frame.inner_text("body")
    shot(page, stack, "10-replay")


def test_the_crawl_s_report_and_a_patch_crawl_of_what_failed(page: Any,
                                                             stack: dict[str, Any]) -> None:
    """The finished crawl's report (charts drawn, no CSP refusal), its failed and missing
    resources, and the one action that queues a patch crawl the scheduler picks up."""
    web, origin, crawl = stack["web"], stack["origin"], stack["crawl"]
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{web}/admin/crawls/{crawl}")
    page.click("#report-link")
    page.wait_for_url(f"{web}/admin/crawls/{crawl}/report")
    assert page.locator("h1").inner_text().startswith(f"采集 #{crawl} 报告")
    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 40
    assert page.locator("svg.chart-status rect.bar[data-label='200']").count() == 1
    assert int(page.locator("dd[data-figure=pages]").inner_text()) >= 10
    assert page.locator("#by-status").inner_text().count("404") >= 1
    page.locator("details.changes[data-kind=new] summary").click()
    assert page.locator("details.changes[data-kind=new] li.url").first.is_visible()
    shot(page, stack, "11-report")
    assert refused == []

    page.click("#failed-link")
    page.wait_for_url(f"{web}/admin/crawls/{crawl}/failed")
    failed = page.locator("table.failed tbody tr").all_inner_texts()
    assert any(f"{origin}/missing.html" in row and "HTTP 404" in row for row in failed)
    shot(page, stack, "12-failed")
    with scheduler(stack):
        page.click("#patch-crawl")
        page.wait_for_url(re.compile(re.escape(web) + r"/admin/(requests|crawls)/\d+$"))
        patch = wait_until_finished(page, stack)
    assert patch > crawl
    page.click("#report-link")
    assert "补充采集" in page.locator("p.report-meta").inner_text()
    # the failed URLs again (and the host's robots.txt), nothing else of the site
    assert len(failed) <= int(page.locator("dd[data-figure=pages]").inner_text()) <= \
        len(failed) + 1


def test_a_seed_s_browser_mode_chosen_in_its_editor(page: Any, stack: dict[str, Any]) -> None:
    """(Last: the crawls above ran with the imported mode.)"""
    web = stack["web"]
    page.goto(web + "/admin/collections/fixture")
    edit = page.locator("#seeds td.nowrap a").first.get_attribute("href")
    page.goto(web + str(edit))
    assert page.locator("select[name=browser]").input_value() == "auto"    # as imported
    page.select_option("select[name=browser]", "off")
    page.click("form.form button[type=submit]")
    page.wait_for_url(web + "/admin/collections/fixture#seeds")
    assert page.locator("#seeds tbody tr td").nth(5).inner_text() == "off"
    page.goto(web + str(edit))
    assert page.locator("select[name=browser]").input_value() == "off"
    assert page.locator("input[name=title]").input_value() == "测试首页"   # the rest kept
