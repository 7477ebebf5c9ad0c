"""``diancang report`` end to end: crawl the changing site twice through the real CLI and
check the second crawl's report, exactly, in JSON, text and HTML (its SVG charts parsed).

The seed list excludes /a.html (one refusal a crawl) and has a second seed on a port where
nothing listens (robots.txt ignored for it, no retries), so the seed and its /sitemap.xml
fail with a refused connection: a failed seed and errored requests, every crawl.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from catalog.db import Catalog
from catalog.models import Capture
from tests import changing_site
from tests.support import run_cli

pytestmark = pytest.mark.slow   # two crawls and reports through the real CLI, in child processes


@pytest.fixture(scope="module")
def crawled(crawled_twice: dict) -> dict:
    return crawled_twice


def report_json(data: dict, crawl: int) -> dict:
    return json.loads(run_cli(data["home"], "report", str(crawl), "--format", "json").stdout)


def test_second_crawl_report_counts(crawled: dict) -> None:
    o, dead, root = crawled["o"], crawled["dead"], crawled["root"]
    report = report_json(crawled, 2)
    assert report["crawl"]["collection"] == "rp" and report["crawl"]["title"] == "变化的网站"
    assert report["crawl"]["status"] == "finished" and not report["crawl"]["patch"]
    assert report["previous_crawl"] == 1
    # /, /b.html, /doc.pdf, /gone.html (404 now), /img/p.png, /new.html, robots, sitemap
    assert report["pages"] == 8
    assert report["changes"] == {"new": 1, "changed": 1, "unchanged": 5, "gone": 1}
    assert report["changed_urls"] == {"new": [o + "/new.html"], "changed": [o + "/b.html"],
                                      "gone": [o + "/gone.html"]}
    assert {k: v["pages"] for k, v in report["by_status"].items()} == {"200": 5, "404": 3}
    assert {k: v["pages"] for k, v in report["by_mime"].items()} == {
        "text/html": 6, "application/pdf": 1, "image/png": 1}
    assert list(report["by_mime"]) == ["text/html", "application/pdf", "image/png"]
    assert {k: v["pages"] for k, v in report["by_host"].items()} == {"127.0.0.1": 8}
    # bytes are the WARC records' lengths, as the catalogue holds them
    catalog = Catalog(f"sqlite:///{crawled['home'] / 'catalog.sqlite'}")
    with catalog.session() as s:
        stored = s.scalar(select(func.sum(Capture.length)).where(Capture.crawl_id == 2))
    catalog.dispose()
    assert report["bytes"] == stored
    assert sum(v["bytes"] for v in report["by_status"].values()) == stored
    assert sum(v["bytes"] for v in report["by_mime"].values()) == stored
    # three unchanged 200s written as revisits: their bodies were not stored again
    unchanged = [p for p in changing_site.UNCHANGED if p != "/a.html"]
    assert report["dedup"]["revisits"] == 3
    assert report["dedup"]["bytes_not_stored"] == sum(
        len(changing_site.body(root, p)) for p in unchanged)
    warcs = [p for p in (crawled["home"] / "collections" / "rp" / "archive").iterdir()]
    assert report["dedup"]["warc_bytes"] == sum(p.stat().st_size for p in warcs) - sum(
        h["warc_bytes"] for h in report["history"] if h["crawl"] == 1)
    assert report["refused"] == {"excluded": 1}
    assert report["errors"] == {"DownloadConnectionRefusedError": 2}
    assert report["failed_seeds"] == [{"url": dead, "status": None,
                                       "error": "DownloadConnectionRefusedError", "kind": "seed"}]
    assert report["failed"] == [
        {"url": dead, "status": None, "error": "DownloadConnectionRefusedError", "kind": "seed"},
        {"url": o + "/gone.html", "status": 404, "error": None, "kind": "http"},
        {"url": dead + "sitemap.xml", "status": None, "error": "DownloadConnectionRefusedError",
         "kind": "error"}]
    assert report["duration"] > 0 and report["rate"] > 0
    assert [(h["crawl"], h["pages"], h["revisits"]) for h in report["history"]] == [
        (1, 7, 0), (2, 8, 3)]


def test_first_crawl_report_is_all_new(crawled: dict) -> None:
    report = report_json(crawled, 1)
    assert report["previous_crawl"] is None
    assert report["changes"] == {"new": 7, "changed": 0, "unchanged": 0, "gone": 0}
    assert {k: v["pages"] for k, v in report["by_status"].items()} == {"200": 5, "404": 2}
    assert report["dedup"]["revisits"] == 0 and report["dedup"]["bytes_not_stored"] == 0
    # the dead seed's failures are the first crawl's own (failed.jsonl is per crawl)
    assert [f["kind"] for f in report["failed"]] == ["seed", "error"]


def test_text_report(crawled: dict) -> None:
    out = run_cli(crawled["home"], "report", "2").stdout
    assert "crawl 2 of rp (变化的网站): finished" in out
    assert "against crawl 1: new 1, changed 1, unchanged 5, gone 1" in out
    assert "by status: 200 5 (" in out and "404 3 (" in out
    assert "dedup: 3 revisits" in out
    assert "refused: excluded 1" in out
    assert "errors: DownloadConnectionRefusedError 2" in out
    assert f"gone     {crawled['o']}/gone.html" in out
    assert f"{crawled['dead']}  DownloadConnectionRefusedError" in out


def bars(svg: lxml_html.HtmlElement) -> dict[str, int]:
    return {rect.get("data-label"): int(rect.get("data-value"))
            for rect in svg.iter("rect") if "bar" in (rect.get("class") or "").split()}


def test_html_report_charts(crawled: dict, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run_cli(crawled["home"], "report", "2", "--format", "html", "--output", str(out))
    raw = out.read_bytes()
    assert b'<meta charset="utf-8">' in raw
    doc = lxml_html.fromstring(raw.decode("utf-8"))
    assert "变化的网站" in doc.findtext(".//title")
    assert not doc.xpath("//script") and not doc.xpath("//link")
    assert not doc.xpath("//*[starts-with(@src, 'http') or starts-with(@href, 'http')]")

    def chart(kind: str) -> lxml_html.HtmlElement:
        found = doc.xpath(f"//svg[contains(@class, 'chart-{kind}')]")
        assert len(found) == 1, kind
        return found[0]

    assert bars(chart("status")) == {"200": 5, "404": 3}
    status_labels = [t.text for t in chart("status").xpath(".//text[@class='label']")]
    assert status_labels == ["200", "404"]
    assert bars(chart("mime")) == {"text/html": 6, "application/pdf": 1, "image/png": 1}
    report = report_json(crawled, 2)
    dedup = bars(chart("dedup"))
    assert dedup == {"写入 WARC written": report["dedup"]["warc_bytes"],
                     "去重节省 saved (revisits)": report["dedup"]["bytes_not_stored"]}
    history = chart("history")
    assert bars(history) == {"#1 stored": 7, "#1 revisits": 0, "#2 stored": 5,
                             "#2 revisits": 3}
    assert [t.text for t in history.xpath(".//text[@class='value']")] == ["7", "8"]
    assert "历次抓取页面数" in history.findtext("title")
    figures = {dd.get("data-figure"): dd.text_content() for dd in doc.xpath("//dd[@data-figure]")}
    assert (figures["new"], figures["changed"], figures["unchanged"], figures["gone"]) == \
        ("1", "1", "5", "1")
    assert figures["failed_seeds"] == "1"


def test_unknown_crawl(crawled: dict) -> None:
    proc = run_cli(crawled["home"], "report", "99", check=False)
    assert proc.returncode == 2
    assert "no crawl 99" in proc.stderr
