"""A crawl's report page and its failed and missing resources, on a site really crawled twice
through the CLI (the changing site, a dead seed, an excluded page): exact figures, the four
charts, and the one action that queues a patch crawl of what failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html as lxml_html
from sqlalchemy import select

from catalog.models import CrawlRequest
from catalog.users import add_user, get_user
from diancang.home import Home
from tests.support import PASSWORD, SEED_DEFAULTS, add_captures, log_in
from web.app import create_app

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def crawled(crawled_twice: dict[str, Any]) -> dict[str, Any]:
    home = crawled_twice["home"]
    catalog_url = f"sqlite:///{home / 'catalog.sqlite'}"
    app = create_app(catalog_url, login_limit=10, login_window=900.0, seed_defaults=SEED_DEFAULTS,
                      replay_base="http://localhost:1", secret_key="k" * 32)
    with app.extensions["diancang"].catalog.session() as s:
        if get_user(s, "lin") is None:
            add_user(s, "lin", PASSWORD, "curator")
    app.extensions["diancang"].catalog.dispose()
    return {**crawled_twice, "url": catalog_url}


@pytest.fixture
def web_app(crawled: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(crawled["url"], login_limit=10, login_window=900.0,
                     seed_defaults=SEED_DEFAULTS,
                     replay_base="http://localhost:1", secret_key="k" * 32,
                     crawl_files=Home(crawled["home"]).crawl, migrate=False)
    yield app
    app.extensions["diancang"].catalog.dispose()


def page(client: FlaskClient, path: str, headers: dict[str, str] = ZH) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return lxml_html.fromstring(response.get_data(as_text=True))


def table(doc: Any, table_id: str) -> dict[str, list[str]]:
    return {row.xpath("string(td[1])"): [td.text_content() for td in row.xpath("td")[1:]]
            for row in doc.xpath(f'//table[@id="{table_id}"]/tbody/tr')}


@pytest.mark.slow   # crawled_twice: two crawls through the real CLI
def test_report_page_shows_the_second_crawl_exactly(crawled: dict[str, Any],
                                                    web_app: Flask) -> None:
    client = web_app.test_client()
    assert client.get("/admin/crawls/2/report").headers["Location"].startswith("/login?next=")
    log_in(client, "lin")
    o, dead = crawled["o"], crawled["dead"]
    doc = page(client, "/admin/crawls/2/report")
    assert doc.xpath("string(//h1)") == "采集 #2 报告: 变化的网站"
    figures = {dd.get("data-figure"): dd.text_content() for dd in doc.xpath("//dd[@data-figure]")}
    assert {k: figures[k] for k in ("pages", "new", "changed", "unchanged", "gone", "revisits",
                                    "failed_seeds", "failed")} == {
        "pages": "8", "new": "1", "changed": "1", "unchanged": "5", "gone": "1",
        "revisits": "3", "failed_seeds": "1", "failed": "3"}
    assert "与采集 #1 比较" in doc.xpath("string(//p[contains(@class, 'report-meta')])")
    # the four charts, inline, with the exact figures on their bars
    bars = {svg.get("class").split()[1]: {r.get("data-label"): int(r.get("data-value"))
                                          for r in svg.xpath(".//*[local-name()='rect']"
                                                             "[@class='bar']")}
            for svg in doc.xpath("//figure[@class='chart']/*[local-name()='svg']")}
    assert bars["chart-status"] == {"200": 5, "404": 3}
    assert bars["chart-mime"] == {"text/html": 6, "application/pdf": 1, "image/png": 1}
    assert bars["chart-history"] == {"#1 revisits": 0, "#1 stored": 7, "#2 revisits": 3,
                                     "#2 stored": 5}
    assert set(bars["chart-dedup"]) == {"写入 WARC written", "去重节省 saved (revisits)"}
    # change lists, collapsed
    lists = {d.get("data-kind"): [li.text for li in d.xpath(".//li[@class='url']")]
             for d in doc.xpath("//details[@class='changes']")}
    assert lists == {"new": [o + "/new.html"], "changed": [o + "/b.html"],
                     "gone": [o + "/gone.html"]}
    assert not doc.xpath("//details[@open]")
    assert {k: v[0] for k, v in table(doc, "by-status").items()} == {"200": "5", "404": "3"}
    assert {k: v[0] for k, v in table(doc, "by-mime").items()} == {
        "text/html": "6", "application/pdf": "1", "image/png": "1"}
    assert {k: v[0] for k, v in table(doc, "by-host").items()} == {"127.0.0.1": "8"}
    assert table(doc, "refused") == {"excluded": ["1"]}
    assert table(doc, "errors") == {"DownloadConnectionRefusedError": ["2"]}
    assert table(doc, "truncated") == {"无": []}
    seeds = [[td.text_content() for td in row.xpath("td")]
             for row in doc.xpath("//h2[@id='failed-seeds']/following-sibling::table[1]/tbody/tr")]
    assert seeds == [[dead, "DownloadConnectionRefusedError"]]
    assert doc.xpath("string(//a[@id='failed-link'])") == "失败和缺失的资源（3）"
    english = page(client, "/admin/crawls/2/report", EN)
    assert english.xpath("string(//h1)") == "Report of crawl #2: 变化的网站"
    # the first crawl: all new, no previous one
    first = page(client, "/admin/crawls/1/report")
    assert {dd.get("data-figure"): dd.text_content() for dd in first.xpath(
        "//dd[@data-figure]")}["new"] == "7"
    assert "该集合的首次采集" in first.xpath("string(//p[contains(@class, 'report-meta')])")
    assert client.get("/admin/crawls/99/report").status_code == 404
    # linked from the crawl page and the crawl history
    assert page(client, "/admin/crawls/2").xpath("//a[@id='report-link']/@href") == [
        "/admin/crawls/2/report"]
    assert page(client, "/admin/collections/rp/crawls").xpath("//a[@class='report']/@href") == [
        "/admin/crawls/2/report", "/admin/crawls/1/report"]


@pytest.mark.slow   # crawled_twice: two crawls through the real CLI
def test_failed_list_and_its_patch_crawl(crawled: dict[str, Any], web_app: Flask) -> None:
    client = web_app.test_client()
    token = log_in(client, "lin")
    o, dead = crawled["o"], crawled["dead"]
    doc = page(client, "/admin/crawls/2/failed")
    rows = [[td.text_content() for td in row.xpath("td")]
            for row in doc.xpath("//table[contains(@class, 'failed')]/tbody/tr")]
    assert rows == [[dead, "DownloadConnectionRefusedError", "种子"],
                    [o + "/gone.html", "HTTP 404", "HTTP 错误"],
                    [dead + "sitemap.xml", "DownloadConnectionRefusedError", "无响应"]]
    form = doc.xpath("//form[@class='patch']")[0]
    assert form.get("action") == "/admin/crawls/2/patch"
    assert form.xpath("string(.//button)") == "补充采集这 3 个网址"
    assert client.post("/admin/crawls/2/patch").status_code == 400          # no CSRF token
    response = client.post("/admin/crawls/2/patch", data={"csrf_token": token,
                                                          "url": "http://evil.example/"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/admin/requests/")
    assert client.get(location, headers=ZH).status_code == 200     # the wait page of crawl now
    catalog = web_app.extensions["diancang"].catalog
    with catalog.session() as s:
        row = s.scalars(select(CrawlRequest).order_by(CrawlRequest.id.desc())).first()
        assert row is not None and location == f"/admin/requests/{row.id}"
        assert (row.urls, row.requested_by, row.status) == (
            [dead, o + "/gone.html", dead + "sitemap.xml"], "lin", "queued")
        s.delete(row)                  # the module's catalogue stays as the crawls left it


@pytest.mark.slow   # crawled_twice: two crawls through the real CLI
def test_without_the_crawl_directory_errored_requests_are_unknown(
        crawled: dict[str, Any]) -> None:
    app = create_app(crawled["url"], login_limit=10, login_window=900.0,
                     seed_defaults=SEED_DEFAULTS,
                      replay_base="http://localhost:1", secret_key="k" * 32,
                     migrate=False)
    client = app.test_client()
    log_in(client, "lin")
    kinds = [row.get("data-kind") for row in page(client, "/admin/crawls/2/failed").xpath(
        "//table[contains(@class, 'failed')]/tbody/tr")]
    assert kinds == ["seed", "http"]                      # the dead seed: "not captured"
    app.extensions["diancang"].catalog.dispose()


def test_nothing_failed_nothing_to_patch(app: Flask, client: FlaskClient) -> None:
    add_captures(app, "covid", [("http://www.nhc.gov.cn/", "20240101000000", "text/html")])
    token = log_in(client, "lin")
    catalog = app.extensions["diancang"].catalog
    with catalog.session() as s:
        from catalog.models import Crawl

        crawl_id = s.scalars(select(Crawl.id)).one()
    doc = page(client, f"/admin/crawls/{crawl_id}/failed")
    assert doc.xpath("//form[@class='patch']") == []
    assert doc.xpath("string(//table[contains(@class, 'failed')]/tbody)").strip() == \
        "这次采集没有失败的资源。"
    report = page(client, f"/admin/crawls/{crawl_id}/report", EN)
    assert [svg.get("class") for svg in report.xpath("//figure/*[local-name()='svg']")] == [
        "chart chart-status", "chart chart-mime", "chart chart-history", "chart chart-dedup"]
    response = client.post(f"/admin/crawls/{crawl_id}/patch", data={"csrf_token": token},
                           headers=ZH, follow_redirects=True)
    assert "这次采集没有需要重新抓取的内容。" in response.get_data(as_text=True)
    with catalog.session() as s:
        assert s.scalars(select(CrawlRequest)).all() == []


@pytest.mark.slow   # crawled_twice: two crawls through the real CLI
def test_report_pages_keep_the_app_s_csp(crawled: dict[str, Any], web_app: Flask) -> None:
    client = web_app.test_client()
    log_in(client, "lin")
    response = client.get("/admin/crawls/2/report")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    text = response.get_data(as_text=True)
    assert "<script>" not in text and " style=" not in text and "<style" not in text
