"""Admission (``crawler.admission``): which discovered URLs become requests.

Each test builds ``Seed`` objects and a ``Scope`` directly, offers URLs to ``Admission.admit``
the way the spider does (``hops`` = link hops from the seed, ``embed_hops`` = requisite hops
from the last page, ``seed`` = the seed of the page the URL was found on), and asserts the
exact ``Admitted`` value or ``None``, the per-seed counts and the ``refused`` counter.
"""

from __future__ import annotations

from collections import Counter

import pytest

from crawler.admission import Admission, Admitted
from diancang.settings import Settings
from seeds.model import Seed
from seeds.scope import Scope
from tests.support import make_seed

TRAPS = Settings.defaults().trap_limits()   # the archive's declared traps.*

X = make_seed("http://x.cn/")
Y = make_seed("http://y.cn/")


def admission(*seeds: Seed, max_pages: int | None = None,
              max_transclusion_hops: int = 3) -> Admission:
    scope = Scope(traps=TRAPS, seeds=seeds, max_transclusion_hops=max_transclusion_hops)
    return Admission(scope, seeds, max_pages=max_pages)


def link(adm: Admission, url: str, seed: int = 0, hops: int = 1) -> Admitted | None:
    return adm.admit(url, hops=hops, embed_hops=0, seed=seed)


def embed(adm: Admission, url: str, seed: int = 0, embed_hops: int = 1,
          hops: int = 1) -> Admitted | None:
    return adm.admit(url, hops=hops, embed_hops=embed_hops, seed=seed)


# ---- deduplication --------------------------------------------------------------------------

def test_seed_url_admitted_at_hop_zero() -> None:
    adm = admission(X)
    assert adm.admit("http://x.cn/", hops=0, embed_hops=0, seed=0) == Admitted("http://x.cn/", 0)
    assert adm.counts == [1]
    assert adm.total == 1


def test_same_url_admitted_once() -> None:
    adm = admission(X)
    assert link(adm, "http://x.cn/a") == Admitted("http://x.cn/a", 0)
    assert link(adm, "http://x.cn/a") is None
    assert embed(adm, "http://x.cn/a") is None
    assert adm.counts == [1]
    assert adm.refused == Counter()


@pytest.mark.parametrize(("first", "second"), [
    ("http://x.cn/a?b=1&a=2", "http://x.cn/a?a=2&b=1"),
    ("http://www.x.cn/", "http://x.cn/"),
    ("http://x.cn/", "http://www.x.cn/"),
    ("http://x.cn/a", "https://x.cn/a"),
    ("http://x.cn/a", "http://x.cn:80/a"),
    ("http://x.cn/a", "http://X.CN/a"),
    ("http://x.cn/a", "http://x.cn/a#part"),
])
def test_same_surt_key_admitted_once(first: str, second: str) -> None:
    adm = admission(X)
    assert link(adm, first) == Admitted(first, 0)
    assert link(adm, second) is None
    assert embed(adm, second) is None
    assert adm.counts == [1]
    assert adm.total == 1
    assert adm.refused == Counter()


def test_different_surt_keys_both_admitted() -> None:
    adm = admission(X)
    assert link(adm, "http://x.cn/a?a=1") == Admitted("http://x.cn/a?a=1", 0)
    assert link(adm, "http://x.cn/a?a=2") == Admitted("http://x.cn/a?a=2", 0)
    assert adm.counts == [2]


# ---- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "ftp://x.cn/file.zip", "mailto:office@x.cn", "javascript:void(0)", "data:image/png,AA",
    "//x.cn/a", "/a", "x.cn/a", "file:///etc/passwd",
])
@pytest.mark.parametrize("embed_hops", [0, 1])
def test_non_http_schemes_refused(url: str, embed_hops: int) -> None:
    adm = admission(X)
    assert adm.admit(url, hops=1, embed_hops=embed_hops, seed=0) is None
    assert adm.refused == Counter({"not-http": 1})
    assert adm.counts == [0]


def test_out_of_scope_link_refused_but_admitted_later_as_requisite() -> None:
    adm = admission(X)
    assert link(adm, "http://z.cn/style.css") is None
    assert adm.refused == Counter({"out-of-scope": 1})
    # offered again as a link: remembered, not counted twice
    assert link(adm, "http://z.cn/style.css") is None
    assert adm.refused == Counter({"out-of-scope": 1})
    # the same URL as a page requisite is fetched from anywhere
    assert embed(adm, "http://z.cn/style.css") == Admitted("http://z.cn/style.css", 0)
    assert link(adm, "http://z.cn/style.css") is None
    assert embed(adm, "http://z.cn/style.css") is None
    assert adm.refused == Counter({"out-of-scope": 1})
    assert adm.counts == [1]


def test_requisite_beyond_transclusion_limit_refused() -> None:
    adm = admission(X)   # max_transclusion_hops defaults to 3
    assert embed(adm, "http://z.cn/3.css", embed_hops=3) == Admitted("http://z.cn/3.css", 0)
    assert embed(adm, "http://z.cn/4.css", embed_hops=4) is None
    assert embed(adm, "http://x.cn/4.png", embed_hops=4) is None
    assert adm.refused == Counter({"too-many-requisite-hops": 2})
    assert adm.counts == [1]


def test_transclusion_limit_from_scope() -> None:
    adm = admission(X, max_transclusion_hops=1)
    assert embed(adm, "http://z.cn/a.css", embed_hops=1) == Admitted("http://z.cn/a.css", 0)
    assert embed(adm, "http://z.cn/font.woff", embed_hops=2) is None
    assert adm.refused == Counter({"too-many-requisite-hops": 1})


def test_link_beyond_seed_depth_refused() -> None:
    adm = admission(make_seed("http://x.cn/", depth=2))
    assert link(adm, "http://x.cn/2", hops=2) == Admitted("http://x.cn/2", 0)
    assert link(adm, "http://x.cn/3", hops=3) is None
    # a requisite of a page at the depth limit is still fetched
    assert embed(adm, "http://x.cn/3.png", hops=2) == Admitted("http://x.cn/3.png", 0)
    assert adm.refused == Counter({"too-deep": 1})


@pytest.mark.parametrize(("far", "near"), [
    ({"hops": 3, "embed_hops": 0}, {"hops": 1, "embed_hops": 0}),
    ({"hops": 1, "embed_hops": 4}, {"hops": 1, "embed_hops": 1}),
])
def test_refusal_for_hops_not_cached_when_url_met_closer(far: dict[str, int],
                                                         near: dict[str, int]) -> None:
    adm = admission(make_seed("http://x.cn/", depth=2))
    assert adm.admit("http://x.cn/p", seed=0, **far) is None
    assert adm.admit("http://x.cn/p", seed=0, **near) == Admitted("http://x.cn/p", 0)


def test_upper_case_scheme_admitted() -> None:
    adm = admission(X)
    assert link(adm, "HTTP://x.cn/a") == Admitted("HTTP://x.cn/a", 0)


# ---- budgets --------------------------------------------------------------------------------

def test_seed_budget() -> None:
    adm = admission(make_seed("http://x.cn/", max_pages=2), Y)
    assert link(adm, "http://x.cn/1") == Admitted("http://x.cn/1", 0)
    assert embed(adm, "http://z.cn/1.png") == Admitted("http://z.cn/1.png", 0)
    assert link(adm, "http://x.cn/2") is None
    assert embed(adm, "http://z.cn/2.png") is None
    assert link(adm, "http://x.cn/2") is None          # remembered: not counted again
    assert adm.refused == Counter({"seed-budget": 2})
    # the other seed has its own budget
    assert link(adm, "http://y.cn/1", seed=1) == Admitted("http://y.cn/1", 1)
    assert adm.counts == [2, 1]
    assert adm.total == 3


def test_seed_budget_of_zero_refuses_everything() -> None:
    adm = admission(make_seed("http://x.cn/", max_pages=0))
    assert adm.admit("http://x.cn/", hops=0, embed_hops=0, seed=0) is None
    assert adm.refused == Counter({"seed-budget": 1})


def test_crawl_budget() -> None:
    adm = admission(X, Y, max_pages=3)
    assert link(adm, "http://x.cn/1") == Admitted("http://x.cn/1", 0)
    assert link(adm, "http://y.cn/1", seed=1) == Admitted("http://y.cn/1", 1)
    assert embed(adm, "http://z.cn/1.js", seed=1) == Admitted("http://z.cn/1.js", 1)
    assert link(adm, "http://x.cn/2") is None
    assert link(adm, "http://y.cn/2", seed=1) is None
    assert embed(adm, "http://z.cn/2.js") is None
    assert adm.refused == Counter({"crawl-budget": 3})
    assert adm.counts == [1, 2]
    assert adm.total == 3


def test_seed_budget_reason_wins_over_crawl_budget() -> None:
    adm = admission(make_seed("http://x.cn/", max_pages=1), max_pages=1)
    assert link(adm, "http://x.cn/1") == Admitted("http://x.cn/1", 0)
    assert link(adm, "http://x.cn/2") is None
    assert adm.refused == Counter({"seed-budget": 1})


def test_no_crawl_budget_by_default() -> None:
    adm = admission(make_seed("http://x.cn/", max_pages=1000))
    for n in range(500):
        assert link(adm, f"http://x.cn/{n}") == Admitted(f"http://x.cn/{n}", 0)
    assert adm.total == 500
    assert adm.refused == Counter()


# ---- owner seed -----------------------------------------------------------------------------

def test_link_into_another_seeds_host_is_owned_by_that_seed() -> None:
    adm = admission(X, make_seed("http://y.cn/", max_pages=1))
    # found on seed 0's page, but y.cn is seed 1's scope
    assert link(adm, "http://y.cn/a", seed=0) == Admitted("http://y.cn/a", 1)
    assert adm.counts == [0, 1]
    # and it counts against seed 1's budget, not seed 0's
    assert link(adm, "http://y.cn/b", seed=0) is None
    assert adm.refused == Counter({"seed-budget": 1})
    assert link(adm, "http://x.cn/a", seed=0) == Admitted("http://x.cn/a", 0)
    assert adm.counts == [1, 1]


def test_in_scope_requisite_found_on_another_seeds_page_is_owned_by_its_seed() -> None:
    adm = admission(X, Y)
    assert embed(adm, "http://y.cn/logo.png", seed=0) == Admitted("http://y.cn/logo.png", 1)
    assert adm.counts == [0, 1]


def test_off_host_requisite_owned_by_discovering_seed() -> None:
    adm = admission(X, make_seed("http://y.cn/", max_pages=1))
    assert embed(adm, "http://cdn.z.cn/a.js", seed=1) == Admitted("http://cdn.z.cn/a.js", 1)
    assert embed(adm, "http://cdn.z.cn/b.js", seed=0) == Admitted("http://cdn.z.cn/b.js", 0)
    assert adm.counts == [1, 1]
    # seed 1's budget is spent by its off-host requisite
    assert embed(adm, "http://cdn.z.cn/c.js", seed=1) is None
    assert adm.refused == Counter({"seed-budget": 1})


def test_most_specific_seed_owns_the_url() -> None:
    seeds = (make_seed("http://x.cn/"), make_seed("http://x.cn/news/", scope="prefix"))
    adm = admission(*seeds)
    assert link(adm, "http://x.cn/news/1.html") == Admitted("http://x.cn/news/1.html", 1)
    assert link(adm, "http://x.cn/about.html", seed=1) == Admitted("http://x.cn/about.html", 0)


# ---- the refused counter --------------------------------------------------------------------

def test_refused_counts_exactly() -> None:
    adm = admission(make_seed("http://x.cn/", depth=1, max_pages=3), max_pages=10)
    offers = [
        ("http://x.cn/", 0, 0),             # admitted
        ("http://x.cn/a", 1, 0),            # admitted
        ("http://x.cn/a", 1, 0),            # seen
        ("http://www.x.cn/a", 1, 0),        # same SURT key
        ("mailto:a@x.cn", 1, 0),            # not-http
        ("mailto:a@x.cn", 1, 0),            # remembered
        ("ftp://x.cn/f", 1, 1),             # not-http (as a requisite)
        ("http://z.cn/", 1, 0),             # out-of-scope
        ("http://z.cn/", 1, 0),             # remembered
        ("http://q.cn/", 1, 0),             # out-of-scope
        ("http://x.cn/deep", 2, 0),         # too-deep
        ("http://z.cn/a.css", 1, 4),        # too-many-requisite-hops
        ("http://z.cn/b.css", 1, 1),        # admitted: the seed's budget is now spent
        ("http://x.cn/b", 1, 0),            # seed-budget
        ("http://z.cn/", 1, 1),             # seed-budget (as a requisite this time)
        ("http://z.cn/", 1, 1),             # remembered
    ]
    results = [adm.admit(url, hops=h, embed_hops=e, seed=0) for url, h, e in offers]
    assert [r.url for r in results if r is not None] == [
        "http://x.cn/", "http://x.cn/a", "http://z.cn/b.css"]
    assert adm.refused == Counter({"not-http": 2, "out-of-scope": 2, "too-deep": 1,
                                   "too-many-requisite-hops": 1, "seed-budget": 2})
    assert adm.counts == [3]
    assert adm.total == 3


# ---- documents (attachments) ----------------------------------------------------------------

def test_document_linked_off_host_is_admitted_as_a_requisite() -> None:
    adm = admission(X)
    assert link(adm, "http://files.x-gov.cn/2024/report.pdf") == \
        Admitted("http://files.x-gov.cn/2024/report.pdf", 0)
    assert link(adm, "http://other.cn/page.html") is None
    assert adm.refused == Counter({"out-of-scope": 1})


def test_document_one_hop_past_the_depth_limit_is_admitted() -> None:
    adm = admission(make_seed("http://x.cn/", depth=1))
    assert link(adm, "http://x.cn/docs/table.xlsx?v=2", hops=2) == \
        Admitted("http://x.cn/docs/table.xlsx?v=2", 0)
    assert link(adm, "http://x.cn/deeper.html", hops=2) is None
    assert adm.refused == Counter({"too-deep": 1})


def test_excluded_document_stays_excluded() -> None:
    adm = admission(make_seed("http://x.cn/", exclude=("/internal/",)))
    assert link(adm, "http://x.cn/internal/a.pdf") is None
    assert adm.refused == Counter({"excluded": 1})
