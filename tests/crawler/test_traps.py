"""The counting trap guards of admission: query variants, outlinks, host budget, soft 404s,
and session ids in the seen check.

Each test builds a ``Scope`` with small ``TrapLimits``, offers URLs to ``Admission`` the way
the spider does and asserts the exact admitted URLs and the exact ``refused`` counter.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from crawler.admission import Admission, Admitted, directory_of
from diancang.settings import Settings
from seeds.model import Seed
from seeds.scope import Scope
from seeds.traps import TrapLimits
from tests.support import make_seed

X = make_seed("http://x.cn/")
PAGE = b"<html><body>page not found, see <a href=/>home</a></body></html>"


def admission(*seeds: Seed, **limits: int) -> Admission:
    seeds = seeds or (X,)
    traps = dataclasses.replace(Settings.defaults().trap_limits(), **limits)
    return Admission(Scope(seeds, traps=traps), seeds)


def link(adm: Admission, url: str, seed: int = 0) -> Admitted | None:
    return adm.admit(url, hops=1, embed_hops=0, seed=seed)


def embed(adm: Admission, url: str, seed: int = 0) -> Admitted | None:
    return adm.admit(url, hops=1, embed_hops=1, seed=seed)


def test_defaults() -> None:
    assert Settings.defaults().trap_limits() == TrapLimits(
        max_url_length=2083, max_path_depth=20, max_path_repeats=3, max_query_variants=1000,
        max_outlinks=6000, max_host_pages=50000, soft404_repeats=20)


# ---- query variants -------------------------------------------------------------------------

def test_query_variants_per_path() -> None:
    adm = admission(max_query_variants=3)
    months = [f"http://x.cn/calendar?month=2024-{m:02}" for m in range(1, 7)]
    assert [link(adm, url) is not None for url in months] == [True, True, True,
                                                               False, False, False]
    assert adm.refused == Counter({"query-variants": 3})
    # offered again: remembered, not counted twice
    assert link(adm, months[4]) is None
    assert adm.refused == Counter({"query-variants": 3})
    # the path without a query, and other paths, are not limited by it
    assert link(adm, "http://x.cn/calendar") == Admitted("http://x.cn/calendar", 0)
    assert link(adm, "http://x.cn/list?page=2") == Admitted("http://x.cn/list?page=2", 0)
    # nor is another host's same path
    assert embed(adm, "http://y.cn/calendar?month=2024-09") is not None


def test_query_variants_are_counted_after_canonicalisation() -> None:
    adm = admission(max_query_variants=2)
    assert link(adm, "http://x.cn/s?a=1&b=2") is not None
    assert link(adm, "http://x.cn/s?b=2&a=1") is None                # the same variant: seen
    assert link(adm, "http://www.x.cn/s?a=1&b=2&PHPSESSID=abc") is None
    assert link(adm, "https://x.cn/s?a=1&b=3") is not None           # scheme ignored, as by SURT
    assert link(adm, "http://x.cn/s?a=1&b=4") is None
    assert adm.refused == Counter({"query-variants": 1})


def test_query_variants_limit_links_not_requisites() -> None:
    adm = admission(max_query_variants=1)
    # a CMS serving every image as getImage.do?id=N: replay needs them all
    assert [embed(adm, f"http://x.cn/getImage.do?id={n}") is not None
            for n in range(5)] == [True] * 5
    assert link(adm, "http://x.cn/getImage.do?id=9") is not None   # requisites did not count
    assert link(adm, "http://x.cn/getImage.do?id=10") is None
    assert adm.refused == Counter({"query-variants": 1})


# ---- outlinks per page ----------------------------------------------------------------------

def test_outlinks_beyond_the_limit_are_dropped_and_counted() -> None:
    adm = admission(max_outlinks=3)
    links = [f"/p/{i}.html" for i in range(10)]
    assert adm.outlinks(links) == links[:3]
    assert adm.refused == Counter({"too-many-outlinks": 7})


def test_outlinks_are_counted_once_each() -> None:
    adm = admission(max_outlinks=3)
    nav = ["/", "/a.html", "/", "/a.html", "/b.html", "/", "/c.html", "/d.html", "/c.html"]
    assert adm.outlinks(nav) == ["/", "/a.html", "/b.html"]
    assert adm.refused == Counter({"too-many-outlinks": 2})


def test_outlinks_within_the_limit_are_untouched() -> None:
    adm = admission(max_outlinks=4)
    nav = ["/", "/", "/a.html", "/a.html", "/b.html"]   # 5 links, 3 distinct
    assert adm.outlinks(nav) == ["/", "/a.html", "/b.html"]
    assert adm.outlinks(["/", "/a.html"]) == ["/", "/a.html"]
    assert adm.refused == Counter()


# ---- per-host budget ------------------------------------------------------------------------

def test_host_budget_counts_links_and_requisites() -> None:
    adm = admission(max_host_pages=3)
    assert link(adm, "http://x.cn/1") is not None
    assert embed(adm, "http://x.cn/1.png") is not None
    assert link(adm, "http://www.x.cn/2") is not None          # www. is the same host
    assert link(adm, "http://x.cn/3") is None
    assert embed(adm, "http://x.cn/3.png") is None
    assert link(adm, "http://x.cn/3") is None                   # remembered
    assert adm.refused == Counter({"host-budget": 2})


def test_host_budget_is_per_host_across_seeds() -> None:
    adm = admission(X, make_seed("http://x.cn/news/", scope="prefix"), max_host_pages=2)
    assert link(adm, "http://x.cn/a") == Admitted("http://x.cn/a", 0)
    assert link(adm, "http://x.cn/news/a", seed=1) == Admitted("http://x.cn/news/a", 1)
    assert link(adm, "http://x.cn/news/b", seed=1) is None
    # another host (a CDN of requisites, another port) has its own budget
    assert embed(adm, "http://cdn.cn/a.css") is not None
    assert embed(adm, "http://cdn.cn/b.css") is not None
    assert embed(adm, "http://cdn.cn/c.css") is None
    assert embed(adm, "http://x.cn:8080/a.css") is not None
    assert adm.refused == Counter({"host-budget": 2})
    assert adm.counts == [4, 1]


def test_refusals_before_the_budgets_spend_nothing() -> None:
    adm = admission(make_seed("http://x.cn/", depth=1), max_host_pages=1, max_query_variants=1)
    assert adm.admit("http://x.cn/deep?x=1", hops=2, embed_hops=0, seed=0) is None
    assert link(adm, "http://x.cn/a?x=2") == Admitted("http://x.cn/a?x=2", 0)
    assert adm.refused == Counter({"too-deep": 1})


# ---- soft 404 ------------------------------------------------------------------------------

def test_directory_of() -> None:
    assert directory_of("http://X.cn/soft/abc?q=1") == "http://x.cn/soft/"
    assert directory_of("http://x.cn/soft/abc/") == "http://x.cn/soft/abc/"
    assert directory_of("https://x.cn:8080/a") == "https://x.cn:8080/"
    assert directory_of("http://x.cn") == "http://x.cn/"


def test_soft_404_directory_is_left_after_k_identical_pages() -> None:
    adm = admission(soft404_repeats=3)
    for n in range(1, 3):
        assert link(adm, f"http://x.cn/soft/{n}") is not None
        assert adm.page_response(f"http://x.cn/soft/{n}", PAGE) is True   # links followed
    assert link(adm, "http://x.cn/soft/3") is not None
    assert adm.page_response("http://x.cn/soft/3", PAGE) is False         # the third: stop
    assert adm.page_response("http://x.cn/soft/4", b"<p>a real page</p>") is False
    # links under the directory, deeper ones too, are refused from now on
    assert link(adm, "http://x.cn/soft/5") is None
    assert link(adm, "http://x.cn/soft/more/6") is None
    assert link(adm, "http://x.cn/soft/5") is None                        # remembered
    assert adm.refused == Counter({"soft-404": 2})
    # requisites are not: other pages' images may be kept there
    assert embed(adm, "http://x.cn/soft/img/5.png") is not None
    # but not the parent, a sibling directory, or another host
    assert link(adm, "http://x.cn/softer/1") is not None
    assert link(adm, "http://x.cn/other") is not None
    assert embed(adm, "http://y.cn/soft/1") is not None
    assert adm.refused == Counter({"soft-404": 2})


def test_soft_404_counts_identical_pages_per_directory() -> None:
    adm = admission(soft404_repeats=2)
    assert adm.page_response("http://x.cn/a/1", PAGE) is True
    assert adm.page_response("http://x.cn/b/1", PAGE) is True     # another directory
    assert adm.page_response("http://y.cn/a/1", PAGE) is True     # another host
    assert adm.page_response("http://x.cn/a/2", PAGE + b" ") is True   # another payload
    assert adm.page_response("http://x.cn/a/3", PAGE) is False
    assert link(adm, "http://x.cn/a/4") is None
    assert link(adm, "http://x.cn/b/4") is not None
    assert adm.refused == Counter({"soft-404": 1})


def test_distinct_pages_never_trip_the_soft_404_guard() -> None:
    adm = admission(soft404_repeats=2)
    for n in range(100):
        assert adm.page_response(f"http://x.cn/news/{n}.html", b"<p>article %d</p>" % n)
    assert adm.soft404 == ()


# ---- session ids ---------------------------------------------------------------------------

@pytest.mark.parametrize("other", [
    "http://x.cn/a.jsp;jsessionid=FEDCBA9876543210FEDCBA9876543210",
    "http://x.cn/a.jsp",
    "http://x.cn/a.jsp;jsessionid=1x2y.node2",
])
def test_session_ids_do_not_make_a_url_new(other: str) -> None:
    adm = admission()
    first = "http://x.cn/a.jsp;jsessionid=0123456789ABCDEF0123456789ABCDEF"
    assert link(adm, first) == Admitted(first, 0)      # the URL fetched is the one found
    assert link(adm, other) is None
    assert adm.total == 1
    assert adm.refused == Counter()


def test_session_ids_in_the_query_do_not_make_a_url_new() -> None:
    adm = admission()
    assert link(adm, "http://x.cn/b.php?id=1&PHPSESSID=q1w2e3r4t5y6u7i8o9p0a1s2d3") is not None
    assert link(adm, "http://x.cn/b.php?PHPSESSID=z9x8c7v6b5n4m3l2k1j0h9g8f7&id=1") is None
    assert link(adm, "http://x.cn/b.php?id=2&PHPSESSID=z9x8c7v6b5n4m3l2k1j0h9g8f7") is not None
    assert adm.total == 2
