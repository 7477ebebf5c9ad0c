"""Scope decisions: each scope type, requisites, hop limits and trap guards (excludes:
test_scope_excludes.py).

Every test builds ``Seed`` objects directly and asserts the exact ``Decision`` (accepted and
reason) that ``Scope.decide`` gives, or the exact seed index ``Scope.seed_for`` picks.
"""

from __future__ import annotations

import dataclasses

import pytest

from diancang.settings import Settings
from seeds.scope import RULES, Decision, Scope, surt_key
from tests.support import make_seed

TRAPS = Settings.defaults().trap_limits()   # the archive's declared traps.*

IN = Decision(True, "in-scope")
REQUISITE = Decision(True, "requisite")
OUT = Decision(False, "out-of-scope")
TOO_DEEP = Decision(False, "too-deep")
EXCLUDED = Decision(False, "excluded")
TOO_LONG = Decision(False, "url-too-long")
PATH_TOO_DEEP = Decision(False, "path-too-deep")
PATH_REPEATS = Decision(False, "path-repeats")
TOO_MANY_HOPS = Decision(False, "too-many-requisite-hops")


# ---- SURT keys ------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "key"), [
    ("http://gd.gov.cn/", "cn,gov,gd)/"),
    ("http://www.gd.gov.cn/", "cn,gov,gd)/"),
    ("https://www.gd.gov.cn/", "cn,gov,gd)/"),
    ("http://www2.gd.gov.cn/", "cn,gov,gd)/"),
    ("HTTP://WWW.GD.GOV.CN/Index.HTML#top", "cn,gov,gd)/index.html"),
    ("http://x.cn:80/a", "cn,x)/a"),
    ("https://x.cn:443/a", "cn,x)/a"),
    ("http://x.cn/a?b=1&a=2", "cn,x)/a?a=2&b=1"),
    ("http://127.0.0.1:8000/", "1,0,0,127:8000)/"),
    ("http://sub.gd.gov.cn:8080/x", "cn,gov,gd,sub:8080)/x"),
])
def test_surt_keys(url: str, key: str) -> None:
    assert Scope.surt(url) == key
    assert surt_key(url) == key


# ---- host scope ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "decision"), [
    ("http://www.gd.gov.cn/", IN),
    ("http://gd.gov.cn/zwgk/index.html", IN),            # www. is ignored
    ("https://www.gd.gov.cn/zwgk/", IN),                 # https is the same scope
    ("http://www.gd.gov.cn:80/a", IN),                   # default port
    ("http://www.gd.gov.cn/a?x=1#f", IN),
    ("http://sub.gd.gov.cn/", OUT),                      # host, not domain
    ("http://gd.gov.cn:8080/", OUT),                     # another port is another host
    ("http://evilgd.gov.cn/", OUT),
    ("http://gz.gov.cn/", OUT),
])
def test_host_scope(url: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://www.gd.gov.cn/", scope="host")])

    assert scope.decide(url) == decision


@pytest.mark.parametrize(("url", "decision"), [
    ("http://127.0.0.1:8000/", IN),
    ("http://127.0.0.1:8000/a/b.html", IN),
    ("https://127.0.0.1:8000/a", IN),
    ("http://127.0.0.1:9000/", OUT),
    ("http://127.0.0.1/", OUT),
    ("http://localhost:8000/", OUT),
])
def test_host_scope_ports_matter(url: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://127.0.0.1:8000/", scope="host")])

    assert scope.decide(url) == decision


def test_two_ports_of_one_host_are_two_seeds() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://127.0.0.1:8000/"), make_seed("http://127.0.0.1:9000/")])

    assert [scope.seed_for(Scope.surt(u)) for u in
            ("http://127.0.0.1:8000/x", "http://127.0.0.1:9000/x", "http://127.0.0.1:7000/x")] \
        == [0, 1, None]


# ---- page scope ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "decision"), [
    ("http://x.cn/news/index.html", IN),
    ("https://www.x.cn/news/index.html", IN),
    ("http://x.cn/news/index.html#top", IN),             # fragment is not in the key
    ("http://x.cn/news/index.html?page=2", OUT),
    ("http://x.cn/news/", OUT),
    ("http://x.cn/news/other.html", OUT),
    ("http://x.cn/", OUT),
])
def test_page_scope(url: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/news/index.html", scope="page")])

    assert scope.decide(url) == decision


def test_page_scope_query_order_is_canonical() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/list?b=2&a=1", scope="page")])

    assert scope.decide("http://x.cn/list?a=1&b=2") == IN
    assert scope.decide("http://x.cn/list?a=1") == OUT


def test_page_scope_accepts_requisites_and_refuses_links() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/news/index.html", scope="page",
                                                depth=0)])

    assert scope.decide("http://x.cn/news/index.html", hops=0) == IN
    assert scope.decide("http://x.cn/news/other.html", hops=1) == OUT
    assert scope.decide("http://x.cn/style.css", hops=1, embed_hops=1) == REQUISITE
    assert scope.decide("http://cdn.cn/logo.png", hops=1, embed_hops=1) == REQUISITE


# ---- prefix scope -------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "decision"), [
    ("http://x.cn/a/b.html", IN),
    ("http://x.cn/a/", IN),
    ("http://x.cn/a/c.html", IN),
    ("http://x.cn/a/deeper/d.html", IN),
    ("http://x.cn/a", IN),
    ("http://x.cn/a?x=1", IN),
    ("https://www.x.cn/a/c.html", IN),
    ("http://x.cn/A/C.html", IN),                        # SURT keys are lower case
    ("http://x.cn/ab.html", OUT),
    ("http://x.cn/ab/", OUT),
    ("http://x.cn/b/", OUT),
    ("http://x.cn/", OUT),
    ("http://y.cn/a/c.html", OUT),
])
def test_prefix_scope(url: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/a/b.html", scope="prefix")])

    assert scope.decide(url) == decision


@pytest.mark.parametrize(("seed", "inside", "outside"), [
    ("http://x.cn/a/", "http://x.cn/a/z", "http://x.cn/b"),
    ("http://x.cn/a/b/?q=1", "http://x.cn/a/b/c", "http://x.cn/a/c"),
    ("http://x.cn/a", "http://x.cn/anything", "http://y.cn/a"),   # up to the last '/'
    ("http://x.cn", "http://x.cn/anything", "http://www.y.cn/"),
])
def test_prefix_is_the_seed_directory(seed: str, inside: str, outside: str) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed(seed, scope="prefix")])

    assert (scope.decide(inside), scope.decide(outside)) == (IN, OUT)


# ---- domain scope -------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "decision"), [
    ("http://gd.gov.cn/", IN),
    ("http://www.gd.gov.cn/", IN),
    ("http://zwgk.gd.gov.cn/index.html", IN),
    ("https://a.b.gd.gov.cn/", IN),
    ("http://zwgk.gd.gov.cn:8080/", IN),                 # ports do not matter for domains
    ("http://evilgd.gov.cn/", OUT),
    ("http://gd.gov.cn.evil.com/", OUT),
    ("http://gov.cn/", OUT),
    ("http://gz.gov.cn/", OUT),
])
def test_domain_scope(url: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://www.gd.gov.cn/", scope="domain")])

    assert scope.decide(url) == decision


def test_nested_domain_seeds_most_specific_wins() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://gd.gov.cn/", scope="domain", depth=1),
                   make_seed("http://sz.gd.gov.cn/", scope="domain", depth=4)])

    assert scope.seed_for(Scope.surt("http://x.sz.gd.gov.cn/")) == 1
    assert scope.seed_for(Scope.surt("http://sz.gd.gov.cn/")) == 1
    assert scope.seed_for(Scope.surt("http://gz.gd.gov.cn/")) == 0
    assert scope.decide("http://x.sz.gd.gov.cn/", hops=3) == IN
    assert scope.decide("http://gz.gd.gov.cn/", hops=3) == TOO_DEEP


def test_host_seed_beats_domain_seed() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://gd.gov.cn/", scope="domain"),
                   make_seed("http://sz.gd.gov.cn/docs/", scope="prefix")])

    assert scope.seed_for(Scope.surt("http://sz.gd.gov.cn/docs/a")) == 1
    assert scope.seed_for(Scope.surt("http://sz.gd.gov.cn/other")) == 0
    assert scope.seed_for(Scope.surt("http://gz.gd.gov.cn/")) == 0


# ---- seed_for: most specific seed, depth per owning seed ---------------------------------

def overlapping() -> Scope:
    return Scope(traps=TRAPS, seeds=[
                  make_seed("http://x.cn/", scope="host", depth=1, exclude=("print",)),
                  make_seed("http://x.cn/docs/index.html", scope="prefix", depth=4),
                  make_seed("http://x.cn/docs/faq.html", scope="page", depth=0)])


@pytest.mark.parametrize(("url", "owner"), [
    ("http://x.cn/", 0),
    ("http://x.cn/news/1.html", 0),
    ("http://x.cn/docs/", 1),
    ("http://x.cn/docs/a/b.html", 1),
    ("http://x.cn/docs", 1),
    ("http://x.cn/docs?lang=en", 1),
    ("http://x.cn/docs/faq.html", 2),
    ("http://x.cn/docsearch", 0),
    ("http://y.cn/docs/", None),
])
def test_seed_for_most_specific_seed(url: str, owner: int | None) -> None:
    assert overlapping().seed_for(Scope.surt(url)) == owner


def test_seed_for_does_not_depend_on_seed_order() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/docs/index.html", scope="prefix",
                                                depth=4),
                   make_seed("http://x.cn/", scope="host", depth=1)])

    assert scope.seed_for(Scope.surt("http://x.cn/docs/a")) == 0
    assert scope.seed_for(Scope.surt("http://x.cn/news/a")) == 1


@pytest.mark.parametrize(("url", "hops", "decision"), [
    ("http://x.cn/news/1.html", 1, IN),                  # host seed: depth 1
    ("http://x.cn/news/1.html", 2, TOO_DEEP),
    ("http://x.cn/docs/a.html", 4, IN),                  # prefix seed: depth 4
    ("http://x.cn/docs/a.html", 5, TOO_DEEP),
    ("http://x.cn/docs/faq.html", 0, IN),                # page seed: depth 0
    ("http://x.cn/docs/faq.html", 1, TOO_DEEP),
])
def test_depth_is_counted_per_owning_seed(url: str, hops: int, decision: Decision) -> None:
    assert overlapping().decide(url, hops=hops) == decision


def test_excludes_are_those_of_the_owning_seed() -> None:
    scope = overlapping()

    assert scope.decide("http://x.cn/news/print.html", hops=1) == EXCLUDED
    assert scope.decide("http://x.cn/docs/print.html", hops=1) == IN


# ---- requisites and transclusion ---------------------------------------------------------

@pytest.mark.parametrize(("url", "hops", "embed_hops", "decision"), [
    ("http://cdn.other.cn/app.js", 1, 1, REQUISITE),
    ("http://cdn.other.cn/font.woff", 1, 2, REQUISITE),
    ("http://cdn.other.cn/img.png", 1, 3, REQUISITE),
    ("http://cdn.other.cn/img.png", 1, 4, TOO_MANY_HOPS),
    ("http://cdn.other.cn/page.html", 1, 0, OUT),         # a link, not a requisite
    ("http://x.cn/style.css", 1, 1, REQUISITE),          # in scope: still a requisite
    ("http://x.cn/style.css", 9, 1, REQUISITE),          # depth does not limit requisites
    ("http://x.cn/style.css", 9, 4, TOO_MANY_HOPS),      # even in scope: too many hops
])
def test_requisites(url: str, hops: int, embed_hops: int, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=2)])

    assert scope.decide(url, hops=hops, embed_hops=embed_hops) == decision


@pytest.mark.parametrize(("limit", "embed_hops", "decision"), [
    (0, 1, TOO_MANY_HOPS),
    (1, 1, REQUISITE),
    (1, 2, TOO_MANY_HOPS),
    (5, 5, REQUISITE),
    (5, 6, TOO_MANY_HOPS),
])
def test_transclusion_limit_is_configurable(limit: int, embed_hops: int,
                                            decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/")], max_transclusion_hops=limit)

    assert scope.decide("http://cdn.cn/a.png", hops=1, embed_hops=embed_hops) == decision


# ---- trap guards ---------------------------------------------------------------------------

def test_url_length_limit() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/")])
    base = "http://x.cn/"

    assert scope.decide(base + "a" * (2083 - len(base))) == IN
    assert scope.decide(base + "a" * (2084 - len(base))) == TOO_LONG


def test_path_depth_limit() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=0)])

    assert scope.decide("http://x.cn/" + "/".join(f"d{i}" for i in range(20))) == IN
    assert scope.decide("http://x.cn/" + "/".join(f"d{i}" for i in range(21))) == PATH_TOO_DEEP
    assert scope.decide("http://x.cn/" + "/".join(f"d{i}" for i in range(20)) + "/") == IN
    assert scope.decide("http://x.cn//" + "//".join(f"d{i}" for i in range(20))) == IN


@pytest.mark.parametrize(("path", "decision"), [
    ("/a/a/a/b", IN),
    ("/a/a/a/a", PATH_REPEATS),
    ("/a/b/a/c/a/d/a", PATH_REPEATS),                    # repeats need not be adjacent
    ("/a/b/a/c/a/d", IN),
    ("/x/A/a/A/a/A/a", IN),                              # segments are case-sensitive
    ("/a/a/a?a/a", IN),                                  # the query is not the path
])
def test_path_repeats(path: str, decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/")])

    assert scope.decide("http://x.cn" + path) == decision


def test_trap_limits_are_configurable() -> None:
    scope = Scope([make_seed("http://x.cn/")], traps=dataclasses.replace(
        TRAPS, max_url_length=30, max_path_depth=2, max_path_repeats=1))

    assert scope.decide("http://x.cn/a/b") == IN
    assert scope.decide("http://x.cn/a/b/c") == PATH_TOO_DEEP
    assert scope.decide("http://x.cn/a/a") == PATH_REPEATS
    assert scope.decide("http://x.cn/" + "q" * 18) == IN
    assert scope.decide("http://x.cn/" + "q" * 19) == TOO_LONG


@pytest.mark.parametrize(("url", "hops", "embed_hops", "decision"), [
    ("http://y.cn/" + "q" * 2083, 0, 0, TOO_LONG),       # out of scope, but the trap is named
    ("http://cdn.cn/" + "q" * 2083, 1, 1, TOO_LONG),     # requisites are guarded too
    ("http://cdn.cn/a/a/a/a/x.png", 1, 1, PATH_REPEATS),
    ("http://x.cn/print/" + "q" * 2083, 0, 0, TOO_LONG),  # the guard beats the exclude
    ("http://x.cn/a/a/a/a", 9, 0, PATH_REPEATS),         # ... and too-deep
])
def test_trap_guards_come_last(url: str, hops: int, embed_hops: int,
                               decision: Decision) -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=1, exclude=("print",))])

    assert scope.decide(url, hops=hops, embed_hops=embed_hops) == decision


# ---- decide() plumbing ---------------------------------------------------------------------

def test_decide_uses_the_given_key() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/")])

    assert scope.decide("http://y.cn/a", key="cn,x)/a") == IN
    assert scope.decide("http://x.cn/a", key="cn,y)/a") == OUT


def test_no_seeds_refuses_everything() -> None:
    scope = Scope(traps=TRAPS, seeds=[])

    assert scope.decide("http://x.cn/") == OUT
    assert scope.decide("http://x.cn/a.png", hops=1, embed_hops=1) == REQUISITE
    assert scope.seed_for("cn,x)/") is None


def test_rules_can_be_replaced() -> None:
    assert RULES[0].__name__ == "seed_scope"
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=0)], rules=RULES[:1])

    assert scope.decide("http://x.cn/a", hops=9) == IN
    assert scope.decide("http://cdn.cn/a.png", hops=1, embed_hops=9) == OUT
    assert Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/")],
                 rules=()).decide("http://x.cn/") == OUT


# ---- session ids ---------------------------------------------------------------------------

TOMCAT = "0123456789ABCDEF0123456789ABCDEF"


@pytest.mark.parametrize(("url", "plain"), [
    # Java's path parameter, which surt keeps on its own
    (f"http://x.cn/a.jsp;jsessionid={TOMCAT}", "http://x.cn/a.jsp"),
    (f"http://x.cn/a.jsp;jsessionid={TOMCAT}?id=3", "http://x.cn/a.jsp?id=3"),
    ("http://x.cn/a.jsp;JSESSIONID=abc123.node1", "http://x.cn/a.jsp"),   # any length, a route
    ("http://x.cn/news/;jsessionid=abc", "http://x.cn/news/"),
    ("http://x.cn/a.php;PHPSESSID=abc", "http://x.cn/a.php"),
    # query parameters that are never anything but a session, at any length and place
    ("http://x.cn/a?jsessionid=abc&id=3", "http://x.cn/a?id=3"),
    ("http://x.cn/a?id=3&PHPSESSID=q1w2e3r4t5y6u7i8o9p0a1s2d3", "http://x.cn/a?id=3"),
    ("http://x.cn/a?b=2&PHPSESSID=abc&c=3", "http://x.cn/a?b=2&c=3"),
    ("http://x.cn/a?PHPSESSID=abc", "http://x.cn/a"),
    ("http://x.cn/a?ASPSESSIONIDQASDSRTB=NKLMJNOPABCDEFGHIJKLMNOP&id=3", "http://x.cn/a?id=3"),
    ("http://x.cn/a?CFTOKEN=12345678&id=3&CFID=1234", "http://x.cn/a?id=3"),
    # what surt already does: a 32-character sid, ASP.NET's cookieless path segment
    ("http://x.cn/a?sid=0123456789abcdef0123456789abcdef&id=3", "http://x.cn/a?id=3"),
    ("http://x.cn/(S(abcdefghijklmnopqrstuvwx))/a.aspx", "http://x.cn/a.aspx"),
])
def test_session_ids_are_not_part_of_the_key(url: str, plain: str) -> None:
    assert surt_key(url) == surt_key(plain)


@pytest.mark.parametrize(("url", "key"), [
    ("http://x.cn/a?sid=12", "cn,x)/a?sid=12"),              # a short sid is a section id
    ("http://x.cn/a?xjsessionid=1", "cn,x)/a?xjsessionid=1"),
    ("http://x.cn/a;type=pdf", "cn,x)/a;type=pdf"),           # other path parameters stay
    ("http://x.cn/jsessionid/a?cfid_x=1", "cn,x)/jsessionid/a?cfid_x=1"),
])
def test_look_alikes_stay_in_the_key(url: str, key: str) -> None:
    assert surt_key(url) == key
