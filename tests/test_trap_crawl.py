"""The trap site crawled through the real command line: it ends by itself, within the limits.

Serves ``tests/fixtures/trap_site.py`` on 127.0.0.1, seeds it (and its ``localhost`` twin for
the per-host budget) with a depth of 1000, so that only the trap guards can stop the crawl,
sets small limits through ``DIANCANG_TRAPS_*``, runs ``diancang crawl`` and reads what was
captured back from the WARCs (with warcio) and the refusals from the crawl's stats.json.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.trap_site import MANY_LINKS, SOFT_LISTS, SOFT_PER_LIST, TrapServer
from tests.support import run_cli

pytestmark = pytest.mark.slow   # a crawl through the real CLI, in a child process

QUERY_VARIANTS = 30
OUTLINKS = 50
HOST_PAGES = 300
SOFT404_REPEATS = 5
SEEDS = """\
collection: traps
title: 陷阱站点
defaults: {{depth: 1000, max_pages: 100000, delay: 0, concurrency: 8}}
seeds:
  - url: "{origin}/"
  - url: "{alt}/wide/1.html"
"""


@pytest.fixture(scope="module")
def site() -> Iterator[TrapServer]:
    server = TrapServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawl(site: TrapServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    seeds = home.parent / "trap-seeds.yaml"
    seeds.write_text(SEEDS.format(origin=site.origin, alt=site.alt_origin), encoding="utf-8")
    run_cli(home, "init")
    env = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1",
           "DIANCANG_TRAPS_MAX_QUERY_VARIANTS": str(QUERY_VARIANTS),
           "DIANCANG_TRAPS_MAX_OUTLINKS": str(OUTLINKS),
           "DIANCANG_TRAPS_MAX_HOST_PAGES": str(HOST_PAGES),
           "DIANCANG_TRAPS_SOFT404_REPEATS": str(SOFT404_REPEATS)}
    proc = run_cli(home, "crawl", "traps", "--seeds", str(seeds), env=env, timeout=240)
    captured: dict[str, int] = {}
    for path in sorted((home / "collections" / "traps" / "archive").iterdir()):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    assert uri not in captured, f"{uri} captured twice"
                    captured[uri] = int(record.http_headers.get_statuscode())
    (stats_file,) = (home / "crawls").glob("*/stats.json")
    return {"stdout": proc.stdout, "captured": captured, "origin": site.origin,
            "alt": site.alt_origin,
            "stats": json.loads(stats_file.read_text(encoding="utf-8")),
            "history": json.loads(run_cli(home, "crawls", "--json").stdout)}


def under(crawl: dict, prefix: str, origin: str | None = None) -> dict[str, int]:
    start = (origin or crawl["origin"]) + prefix
    return {url: status for url, status in crawl["captured"].items() if url.startswith(start)}


def test_the_crawl_ends_by_itself(crawl: dict) -> None:
    assert "crawl 1 of traps finished (finished)" in crawl["stdout"]
    assert crawl["history"][0]["status"] == "finished"
    assert crawl["stats"]["finish_reason"] == "finished"
    assert crawl["stats"]["errors"] == 0, crawl["stats"]["error_types"]


def test_every_refusal_reason_is_counted(crawl: dict) -> None:
    refused = crawl["stats"]["refused"]
    for reason in ("query-variants", "path-repeats", "path-too-deep", "url-too-long",
                   "soft-404", "too-many-outlinks", "host-budget"):
        assert refused.get(reason, 0) >= 1, (reason, refused)
    # the summary line names them too
    assert "not crawled: " in crawl["stdout"] and "soft-404 " in crawl["stdout"]


def test_calendar_stops_at_the_query_variants(crawl: dict) -> None:
    calendar = under(crawl, "/calendar?")
    assert len(calendar) == QUERY_VARIANTS
    assert set(calendar.values()) == {200}
    assert f"{crawl['origin']}/calendar?month=2024-01" in calendar


def test_repeating_path_stops_at_the_fourth_repeat(crawl: dict) -> None:
    o = crawl["origin"]
    assert sorted(under(crawl, "/loop/")) == [o + "/loop/", o + "/loop/a/", o + "/loop/a/a/",
                                              o + "/loop/a/a/a/"]
    assert crawl["stats"]["refused"]["path-repeats"] == 1


def test_deep_path_stops_at_twenty_segments(crawl: dict) -> None:
    deep = under(crawl, "/deep/")
    depths = sorted(len([s for s in urlsplit(url).path.split("/") if s]) for url in deep)
    assert depths == list(range(2, 21))
    assert crawl["stats"]["refused"]["path-too-deep"] == 1
    assert crawl["stats"]["refused"]["url-too-long"] == 1
    assert not under(crawl, "/search")


def test_soft_404_directory_is_left(crawl: dict) -> None:
    soft = under(crawl, "/soft/")
    offered = SOFT_LISTS * SOFT_PER_LIST + 1            # the lists' links and "more.html"
    assert set(soft.values()) == {200}
    assert len(under(crawl, "/soft-list/")) == SOFT_LISTS
    assert f"{crawl['origin']}/soft/more.html" in soft  # the first soft page's links are followed
    # every /soft/ URL is either captured (before the guard tripped) or refused once
    refused = crawl["stats"]["refused"]["soft-404"]
    assert len(soft) + refused == offered
    assert SOFT404_REPEATS <= len(soft) < offered


def test_outlinks_per_page(crawl: dict) -> None:
    assert len(under(crawl, "/many/")) == OUTLINKS
    assert crawl["stats"]["refused"]["too-many-outlinks"] == MANY_LINKS - OUTLINKS


def test_session_ids_do_not_multiply_pages(crawl: dict) -> None:
    pages = Counter(urlsplit(url).path.partition(";")[0] for url in under(crawl, "/session/"))
    assert pages == Counter({f"/session/{p}": 1 for p in
                             ("index.jsp", "a.jsp", "b.jsp", "c.jsp", "d.jsp")})
    # the URL fetched is the one found, session id and all
    assert any(";jsessionid=" in url for url in under(crawl, "/session/a.jsp"))


def test_host_budget(crawl: dict) -> None:
    alt = crawl["alt"]
    admitted = {url for url in under(crawl, "/", alt) if not url.endswith("/robots.txt")}
    assert len(admitted) == HOST_PAGES
    wide = [url for url in admitted if "/wide/" in url]
    # every wide page captured offered two new ones; those beyond the budget were refused
    assert crawl["stats"]["refused"]["host-budget"] == 1 + 2 * len(wide) - len(wide)
    # the other host, with fewer URLs than the budget, was not cut by it
    assert len(under(crawl, "/")) < HOST_PAGES


def test_404_is_captured_and_not_a_trap(crawl: dict) -> None:
    assert crawl["captured"][crawl["origin"] + "/missing.html"] == 404
