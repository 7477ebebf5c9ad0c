"""Crawl reports from catalogue rows built by hand, on both backends: every change class,
revisits counted under their original's status and MIME type, the previous crawl chosen past
an empty crawl and a patch crawl, failed seeds and failed URLs, the history series; and the
HTML page drawn from such a report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from catalog.collections import get_collection, import_seed_list
from catalog.crawl_requests import attach_crawl, request_crawl
from catalog.db import Catalog, upgrade
from catalog.models import Capture, Crawl, CrawlRequest, WarcFile
from reports.crawl_report import UnknownCrawl, crawl_report, failed_urls, previous_crawl
from reports.html import render_report_html
from seeds.model import SeedList
from tests.support import make_seed

A, B, C, D = "http://a.example/", "http://b.example/start", "http://c.example/", "http://d.example/"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Built:
    crawls: list[int]          # ids of crawls 1 (full), 2 (empty), 3 (patch), 4 (full)
    crawl_dir: Path


class Rows:
    """Captures of one crawl, each in its crawl's WARC file at its own offset."""

    def __init__(self, s: Session, coll_id: int, crawl: Crawl, day: int, sizes: list[int]):
        self.s, self.coll_id, self.crawl, self.offset = s, coll_id, crawl, 0
        self.stamp = (T0 + timedelta(days=day)).strftime("%Y%m%d%H%M%S")
        self.warcs = []
        for i, size in enumerate(sizes):
            warc = WarcFile(collection_id=coll_id, crawl_id=crawl.id, size=size, sha256="0",
                            filename=f"cx-{crawl.id}-{i}.warc.gz", records=1,
                            closed=T0 + timedelta(days=day))
            s.add(warc)
            self.warcs.append(warc)
        s.flush()

    def add(self, url: str, status: int | None, mime: str, digest: str, length: int = 100,
            revisit_of: str | None = None) -> None:
        self.offset += 1000
        self.s.add(Capture(
            collection_id=self.coll_id, warc_file_id=self.warcs[0].id, url=url, surt=url,
            timestamp=self.stamp[:-2] + f"{self.offset // 1000:02d}", status=status,
            mime="warc/revisit" if revisit_of else mime, digest=digest, offset=self.offset,
            length=length, record_type="revisit" if revisit_of else "response",
            host=url.split("/")[2], crawl_id=self.crawl.id, revisit_of=revisit_of))


def build(s: Session, crawl_dir: Path) -> Built:
    import_seed_list(s, SeedList("cx", "测试集合", "site", "weekly",
                                 (make_seed(A), make_seed(B), make_seed(C))))
    coll = get_collection(s, "cx")
    assert coll is not None
    crawls = []
    for day, status in enumerate(("finished", "failed", "finished", "finished")):
        crawl = Crawl(collection_id=coll.id, status=status, started=T0 + timedelta(days=day),
                      finished=T0 + timedelta(days=day, minutes=5), pages=0, bytes=0, stats={})
        s.add(crawl)
        s.flush()
        crawls.append(crawl)
    one, _, patch, four = crawls
    r1 = Rows(s, coll.id, one, 0, [8000])
    for url, status, mime, digest in [
            (A, 200, "text/html", "D1"), (A + "same", 200, "text/html", "DSAME"),
            (A + "rev", 200, "image/png", "DREV"), (A + "changed", 200, "text/html", "DOLD"),
            (A + "removed", 200, "text/html", "DRM"), (A + "now404", 200, "text/html", "DX"),
            (A + "still404", 404, "text/html", "D404"), (A + "robots.txt", 404, "text/html",
                                                         "D404"),
            (B, 200, "text/html", "DB"), (C, 200, "text/html", "DC")]:
        r1.add(url, status, mime, digest)
    rev_original = r1.stamp[:-2] + "03"            # A + "rev" was the third capture
    one.pages, one.bytes, one.stats = 10, 20000, {"revisits": 0}
    # a patch crawl of one page, asked for by a curator
    s.add(CrawlRequest(collection_id=coll.id, urls=[A + "changed"], requested=T0,
                       status="done", crawl_id=patch.id))
    r3 = Rows(s, coll.id, patch, 2, [500])
    r3.add(A + "changed", 200, "text/html", "DMID")
    patch.pages, patch.bytes = 1, 2000
    r4 = Rows(s, coll.id, four, 3, [4321, 1000])
    r4.add(A, 200, "text/html", "D1")
    r4.add(A + "same", 200, "text/html", "DSAME")
    r4.add(A + "rev", None, "", "DREV", length=10, revisit_of=rev_original)
    r4.add(A + "changed", 200, "text/html", "DNEW")
    r4.add(A + "now404", 404, "text/html", "D404B")
    r4.add(A + "still404", 404, "text/html", "D404")
    r4.add(A + "robots.txt", 404, "text/html", "D404")
    r4.add(A + "new", 200, "application/pdf", "DPDF")
    r4.add(A + "err500", 500, "text/html", "D500")
    r4.add(A + "redir", 301, "text/html", "D301")
    r4.add(A + "dup", 500, "text/html", "D500")        # a URL captured twice: the last counts
    r4.add(A + "dup", 200, "text/html", "DDUP")
    r4.add(B, 503, "text/html", "D503")
    r4.add(D + "x.png", 200, "image/png", "DXPNG")
    four.pages, four.bytes = 14, 9000
    four.stats = {"revisits": 1, "dedup_bytes": 5000, "bytes": 9000, "elapsed": 12.5,
                  "rate": 1.12, "refused": {"robots": 2, "excluded": 1},
                  "error_types": {"TimeoutError": 1, "DNSLookupError": 1},
                  "truncated": {"length": 1}}
    crawl_dir.mkdir(parents=True, exist_ok=True)
    (crawl_dir / "failed.jsonl").write_text(
        json.dumps({"url": A + "timeout", "error": "TimeoutError", "message": "took too long",
                    "seed": A}) + "\n"
        + json.dumps({"url": C, "error": "DNSLookupError", "message": "no such host",
                      "seed": C}) + "\n"
        + '{"url": "http://a.example/cut', encoding="utf-8")      # cut short by a crash
    s.flush()
    return Built([c.id for c in crawls], crawl_dir)


@pytest.fixture
def built(catalog_url: str, tmp_path: Path) -> Iterator[tuple[Catalog, Built]]:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        data = build(s, tmp_path / "crawls" / "4")
    yield catalog, data
    catalog.dispose()


def test_full_crawl_against_the_previous_full_one(built: tuple[Catalog, Built]) -> None:
    catalog, data = built
    one, _, _, four = data.crawls
    with catalog.session() as s:
        report = crawl_report(s, four, failed_file=data.crawl_dir / "failed.jsonl")
    assert report["previous_crawl"] == one          # not the empty crawl, not the patch crawl
    assert report["crawl"]["title"] == "测试集合" and report["crawl"]["patch"] is False
    assert report["changes"] == {"new": 5, "changed": 2, "unchanged": 5, "gone": 3}
    assert report["changed_urls"] == {
        "new": [A + "dup", A + "err500", A + "new", A + "redir", D + "x.png"],
        "changed": [A + "changed", B],
        "gone": [A + "now404", A + "removed", C]}
    assert report["pages"] == 14 and report["bytes"] == 13 * 100 + 10
    # the revisit counts as the image/png 200 it refers to
    assert report["by_status"] == {"200": {"pages": 7, "bytes": 610},
                                   "301": {"pages": 1, "bytes": 100},
                                   "404": {"pages": 3, "bytes": 300},
                                   "500": {"pages": 2, "bytes": 200},
                                   "503": {"pages": 1, "bytes": 100}}
    assert report["by_mime"] == {"text/html": {"pages": 11, "bytes": 1100},
                                 "image/png": {"pages": 2, "bytes": 110},
                                 "application/pdf": {"pages": 1, "bytes": 100}}
    assert report["by_host"] == {"a.example": {"pages": 12, "bytes": 1110},
                                 "b.example": {"pages": 1, "bytes": 100},
                                 "d.example": {"pages": 1, "bytes": 100}}
    assert report["dedup"] == {"revisits": 1, "bytes_not_stored": 5000, "payload_bytes": 9000,
                               "warc_bytes": 5321}
    assert report["duration"] == 12.5 and report["rate"] == 1.12
    assert report["errors"] == {"DNSLookupError": 1, "TimeoutError": 1}
    assert report["refused"] == {"excluded": 1, "robots": 2}
    assert report["truncated"] == {"length": 1}
    assert report["failed_seeds"] == [
        {"url": B, "status": 503, "error": None, "kind": "seed"},
        {"url": C, "status": None, "error": "DNSLookupError", "kind": "seed"}]
    assert report["failed"] == report["failed_seeds"] + [
        {"url": A + "err500", "status": 500, "error": None, "kind": "http"},
        {"url": A + "now404", "status": 404, "error": None, "kind": "http"},
        {"url": A + "still404", "status": 404, "error": None, "kind": "http"},
        {"url": A + "timeout", "status": None, "error": "TimeoutError", "kind": "error"}]
    assert [(h["crawl"], h["status"], h["pages"], h["revisits"], h["warc_bytes"])
            for h in report["history"]] == [
        (one, "finished", 10, 0, 8000), (data.crawls[1], "failed", 0, 0, 0),
        (data.crawls[2], "finished", 1, 0, 500), (four, "finished", 14, 1, 5321)]
    assert report["history"][0]["started"] == "2024-01-01T00:00:00+00:00"
    json.dumps(report)                      # plain data, as --format json prints it


def test_without_the_crawl_directory(built: tuple[Catalog, Built]) -> None:
    catalog, data = built
    with catalog.session() as s:
        failed = failed_urls(s, data.crawls[3])
    assert [(f["url"], f["kind"], f["status"], f["error"]) for f in failed] == [
        (B, "seed", 503, None), (C, "seed", None, "not captured"),
        (A + "err500", "http", 500, None), (A + "now404", "http", 404, None),
        (A + "still404", "http", 404, None)]


def test_patch_and_first_crawls(built: tuple[Catalog, Built]) -> None:
    catalog, data = built
    one, empty, patch, _ = data.crawls
    with catalog.session() as s:
        report = crawl_report(s, patch)
        assert previous_crawl(s, s.get_one(Crawl, empty)) is not None
        first = crawl_report(s, one)
        with pytest.raises(UnknownCrawl):
            crawl_report(s, 9999)
    # a patch crawl is compared on what it fetched: nothing else is "gone"
    assert report["crawl"]["patch"] is True and report["previous_crawl"] == one
    assert report["changes"] == {"new": 0, "changed": 1, "unchanged": 0, "gone": 0}
    assert report["failed_seeds"] == []       # its seeds are the URLs asked for
    assert first["previous_crawl"] is None
    assert first["changes"] == {"new": 10, "changed": 0, "unchanged": 0, "gone": 0}
    # a seed capture with 404 fails; robots.txt's 404 is no failure of the site
    assert [f["url"] for f in first["failed"]] == [A + "still404"]


def test_html_page_from_the_report(built: tuple[Catalog, Built]) -> None:
    catalog, data = built
    with catalog.session() as s:
        report = crawl_report(s, data.crawls[3], failed_file=data.crawl_dir / "failed.jsonl")
    page = render_report_html(report)
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//meta/@charset") == ["utf-8"]
    assert "测试集合" in doc.findtext(".//h1")

    def bars(kind: str) -> dict[str, int]:
        return {r.get("data-label"): int(r.get("data-value")) for r in
                doc.xpath(f"//svg[contains(@class, 'chart-{kind}')]//rect[@class='bar']")}

    assert bars("status") == {"200": 7, "301": 1, "404": 3, "500": 2, "503": 1}
    fills = doc.xpath("//svg[contains(@class, 'chart-status')]//rect[@class='bar']/@fill")
    assert len(set(fills)) == 4                 # 2xx, 3xx, 4xx, 5xx each their colour
    assert bars("mime") == {"text/html": 11, "image/png": 2, "application/pdf": 1}
    assert bars("dedup") == {"写入 WARC written": 5321, "去重节省 saved (revisits)": 5000}
    history = bars("history")
    assert (history["#1 stored"], history["#3 stored"], history["#4 stored"],
            history["#4 revisits"]) == (10, 1, 13, 1)
    failed_rows = doc.xpath("//h2[contains(., 'Failed and missing')]"
                            "/following-sibling::table[1]//tbody/tr")
    assert len(failed_rows) == len(report["failed"]) == 6
    gone = doc.xpath("//details[@class='changes'][@data-kind='gone']//li[@class='url']/text()")
    assert gone == [A + "now404", A + "removed", C]


def test_revisit_without_its_original_date(built: tuple[Catalog, Built]) -> None:
    """A revisit row that names no original date counts as the latest earlier response of its
    URL with the same digest (here the first crawl's image, not the patch crawl's page)."""
    catalog, data = built
    with catalog.session() as s:
        s.execute(update(Capture).where(Capture.url == A + "rev",
                                        Capture.record_type == "revisit")
                  .values(revisit_of=None))
    with catalog.session() as s:
        report = crawl_report(s, data.crawls[3])
    assert report["by_mime"]["image/png"]["pages"] == 2
    assert report["by_status"]["200"]["pages"] == 7
    assert report["changes"]["unchanged"] == 5


def test_scheduled_recrawl_compares_with_the_crawl_before(built: tuple[Catalog, Built]) -> None:
    """The scheduler asks for whole-seed-list crawls (no URLs): both crawls so asked are
    full crawls, and the second is compared with the first, not reported as a first crawl."""
    catalog, data = built
    one, _, _, four = data.crawls
    with catalog.session() as s:
        for crawl_id in (one, four):
            request_id = request_crawl(s, "cx", requested_by="schedule")
            attach_crawl(s, request_id, crawl_id)
    with catalog.session() as s:
        stored = s.execute(text("SELECT count(*) FROM crawl_requests WHERE urls IS NULL"))
        assert stored.scalar_one() == 2
        report = crawl_report(s, four)
    assert report["crawl"]["patch"] is False and report["previous_crawl"] == one
    assert report["changes"] == {"new": 5, "changed": 2, "unchanged": 5, "gone": 3}


def test_migration_makes_json_null_urls_sql_null(catalog_url: str) -> None:
    """Catalogues written before the fix hold the JSON string 'null'; upgrading clears it."""
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("cy", "旧目录", "site", "weekly", (make_seed(A),)))
        coll = get_collection(s, "cy")
        assert coll is not None
        s.execute(text("INSERT INTO crawl_requests (collection_id, urls, requested, status) "
                       "VALUES (:c, 'null', :t, 'done'), (:c, :urls, :t, 'done')"),
                  {"c": coll.id, "t": T0, "urls": json.dumps([A])})
    # back to the revision before 0007_search, which clears them, and through it
    with catalog.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0006_leases'"))
    upgrade(catalog.engine, "0007_search")
    with catalog.session() as s:
        rows = s.execute(text("SELECT urls FROM crawl_requests ORDER BY id")).all()
    catalog.dispose()
    assert [r[0] if r[0] is None or isinstance(r[0], list) else json.loads(r[0])
            for r in rows] == [None, [A]]
