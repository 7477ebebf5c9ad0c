"""Exclude patterns: substrings and ``re:`` regexes, each seed's own, applied before depth.

Every test builds ``Seed`` objects directly and asserts the exact ``Decision`` that
``Scope.decide`` gives.
"""

from __future__ import annotations

import pytest

from diancang.settings import Settings
from seeds.scope import Decision, Scope
from tests.support import make_seed

TRAPS = Settings.defaults().trap_limits()   # the archive's declared traps.*

IN = Decision(True, "in-scope")
REQUISITE = Decision(True, "requisite")
OUT = Decision(False, "out-of-scope")
EXCLUDED = Decision(False, "excluded")

# ---- excludes ------------------------------------------------------------------------------

def excluding() -> Scope:
    return Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=3,
                       exclude=("logout", "/print/", r"re:\?page=\d{3,}$", r"re:\.(pdf|docx?)$"))])


@pytest.mark.parametrize(("url", "decision"), [
    ("http://x.cn/user/logout", EXCLUDED),
    ("http://x.cn/logout.do?x=1", EXCLUDED),
    ("http://x.cn/a/print/1.html", EXCLUDED),
    ("http://x.cn/a/print.html", IN),                    # '/print/' is not a substring
    ("http://x.cn/list?page=100", EXCLUDED),
    ("http://x.cn/list?page=99", IN),
    ("http://x.cn/list?page=100&x=1", IN),               # '$' anchors the regex
    ("http://x.cn/files/a.pdf", EXCLUDED),
    ("http://x.cn/files/a.doc", EXCLUDED),
    ("http://x.cn/files/a.docx", EXCLUDED),
    ("http://x.cn/files/a.pdf.html", IN),
    ("http://x.cn/user/LOGOUT", IN),                     # substrings are case-sensitive
    ("http://y.cn/logout", OUT),                         # out of scope stays out of scope
])
def test_excludes_by_substring_and_regex(url: str, decision: Decision) -> None:
    assert excluding().decide(url, hops=1) == decision


def test_regex_exclude_searches_the_whole_url() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", exclude=("re:^https://",))])

    assert scope.decide("https://x.cn/a") == EXCLUDED
    assert scope.decide("http://x.cn/a") == IN


def test_excludes_apply_to_the_seed_url_itself() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/logout", exclude=("logout",))])

    assert scope.decide("http://x.cn/logout") == EXCLUDED


def test_excludes_apply_to_requisites_the_seed_owns_but_not_to_other_hosts() -> None:
    # A requisite is excluded only when its URL falls in the excluding seed's scope: the
    # scope cannot tell which seed's page embedded an off-site requisite.
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", exclude=("tracker", r"re:\.mp4$"))])

    assert scope.decide("http://x.cn/js/tracker.js", hops=1, embed_hops=1) == EXCLUDED
    assert scope.decide("http://x.cn/v/a.mp4", hops=1, embed_hops=1) == EXCLUDED
    assert scope.decide("http://cdn.cn/js/tracker.js", hops=1, embed_hops=1) == REQUISITE
    assert scope.decide("http://cdn.cn/v/a.mp4", hops=1, embed_hops=1) == REQUISITE


def test_excludes_of_one_seed_do_not_touch_another() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", exclude=("logout",)), make_seed("http://y.cn/")])

    assert scope.decide("http://x.cn/logout") == EXCLUDED
    assert scope.decide("http://y.cn/logout") == IN


def test_excluded_beats_too_deep() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", depth=1, exclude=("logout",))])

    assert scope.decide("http://x.cn/logout", hops=5) == EXCLUDED


def test_exclude_with_inline_flag() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", exclude=("print",
                                                                         "re:(?i)logout"))])

    assert scope.decide("http://x.cn/LogOut") == EXCLUDED


def test_excludes_with_the_same_group_name() -> None:
    scope = Scope(traps=TRAPS, seeds=[
        make_seed("http://x.cn/", exclude=(r"re:(?P<n>\d+)\.pdf", r"re:(?P<n>\d+)\.doc"))])

    assert scope.decide("http://x.cn/12.doc") == EXCLUDED


def test_exclude_backreference_in_second_pattern() -> None:
    scope = Scope(traps=TRAPS, seeds=[make_seed("http://x.cn/", exclude=(r"re:/(a)\1/",
                                                                         r"re:/(b)\1/"))])

    assert scope.decide("http://x.cn/aa/") == EXCLUDED
    assert scope.decide("http://x.cn/bb/") == EXCLUDED


