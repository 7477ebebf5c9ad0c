"""Seed-list problems: each one reported with its file, line and field, all of them at once,
in file order, and nothing loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seeds.errors import Problem, SeedListError
from seeds.parse import load_seed_list
from tests.seeds.parse_helpers import (
    SEED_KEYS,
    SLUG_EXPECTED,
    URL_EXPECTED,
    one_problem,
    problems,
    write,
)
from tests.support import SEED_DEFAULTS, make_seed

# ---- one problem each ----------------------------------------------------------------------

SINGLE_PROBLEMS = [
    pytest.param("collection: a\ncolour: red\nseeds: [http://x.cn/]\n",
                 (2, "colour", ("unknown field in the seed list; expected one of collection, "
                               "title, kind, schedule, schedule_start, schedule_end, "
                               "description, public, limits, defaults, seeds")),
                 id="unknown-top-level-key"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    colour: red\n",
                 (4, "colour", f"unknown field in a seed; expected one of {SEED_KEYS}"),
                 id="unknown-seed-key"),
    pytest.param("collection: a\ndefaults:\n  title: t\nseeds: [http://x.cn/]\n",
                 (3, "title", ("unknown field in defaults; expected one of scope, depth, "
                              "max_pages, delay, concurrency, exclude, robots, browser")),
                 id="unknown-defaults-key"),
    pytest.param("collection: a\ndefaults: 5\nseeds: [http://x.cn/]\n",
                 (2, "defaults", "expected a mapping of field: value"),
                 id="defaults-not-a-mapping"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    scope: site\n",
                 (4, "scope", "expected one of page | prefix | host | domain, got 'site'"),
                 id="bad-scope"),
    pytest.param("collection: a\nkind: news\nseeds: [http://x.cn/]\n",
                 (2, "kind", "expected one of site | event, got 'news'"),
                 id="bad-kind"),
    pytest.param("collection: a\nseeds:\n  - ftp://x.cn/pub/\n",
                 (3, "url", URL_EXPECTED + "'ftp://x.cn/pub/'"), id="ftp-url"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/a b.html\n",
                 (3, "url", URL_EXPECTED + "'http://x.cn/a b.html'"), id="url-with-space"),
    pytest.param("collection: a\nseeds:\n  - url: //x.cn/\n",
                 (3, "url", URL_EXPECTED + "'//x.cn/'"), id="scheme-relative-url"),
    pytest.param("collection: a\nseeds:\n  - 'javascript:alert(1)'\n",
                 (3, "url", URL_EXPECTED + "'javascript:alert(1)'"), id="javascript-url"),
    pytest.param("collection: a\nseeds:\n  - http://\n",
                 (3, "url", URL_EXPECTED + "'http://'"), id="url-without-host"),
    pytest.param("collection: a\nseeds:\n  - http://x.cn:99999/\n",
                 (3, "url", URL_EXPECTED + "'http://x.cn:99999/' (Port out of range 0-65535)"),
                 id="url-bad-port"),
    pytest.param("collection: a\nseeds:\n  - url: [http://x.cn/]\n",
                 (3, "url", "expected text, got a list"), id="url-is-a-list"),
    pytest.param("collection: a\nseeds:\n  - url:\n",
                 (3, "url", "expected text, got nothing"), id="url-empty"),
    pytest.param("collection: a\nseeds:\n  - title: no url\n    depth: 1\n",
                 (3, "url", "expected every seed to have a url"), id="seed-without-url"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    depth: -1\n",
                 (4, "depth", "expected an integer >= 0, got -1"), id="negative-depth"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    depth: 1.5\n",
                 (4, "depth", "expected an integer >= 0, got 1.5"), id="fractional-depth"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    depth: true\n",
                 (4, "depth", "expected an integer >= 0, got True"), id="boolean-depth"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    depth: 1e3\n",
                 (4, "depth", "expected an integer >= 0, got '1e3'"), id="depth-1e3-is-text"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    depth: [1]\n",
                 (4, "depth", "expected an integer >= 0, got a list"), id="depth-list"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    concurrency: 0\n",
                 (4, "concurrency", "expected an integer >= 1, got 0"), id="zero-concurrency"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    max_pages: 0\n",
                 (4, "max_pages", "expected an integer >= 1, got 0"), id="zero-max-pages"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    delay: -0.5\n",
                 (4, "delay", "expected a number >= 0, got -0.5"), id="negative-delay"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    delay: soon\n",
                 (4, "delay", "expected a number >= 0, got 'soon'"), id="text-delay"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    robots: maybe\n",
                 (4, "robots", "expected one of obey | ignore, got 'maybe'"), id="bad-robots"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    robots: false\n",
                 (4, "robots", "expected one of obey | ignore, got 'False'"),
                 id="boolean-robots"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    exclude: ''\n",
                 (4, "exclude", "expected a URL substring or 're:<regex>', got ''"),
                 id="empty-exclude"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    exclude: [a, 3]\n",
                 (4, "exclude", "expected a URL substring or 're:<regex>', got 3"),
                 id="number-in-exclude"),
    pytest.param("collection: Gov\nseeds: [http://x.cn/]\n",
                 (1, "collection", SLUG_EXPECTED + "'Gov'"), id="uppercase-slug"),
    pytest.param("collection: gd gov\nseeds: [http://x.cn/]\n",
                 (1, "collection", SLUG_EXPECTED + "'gd gov'"), id="slug-with-space"),
    pytest.param("collection: -gd\nseeds: [http://x.cn/]\n",
                 (1, "collection", SLUG_EXPECTED + "'-gd'"), id="slug-leading-dash"),
    pytest.param("collection: 广东\nseeds: [http://x.cn/]\n",
                 (1, "collection", SLUG_EXPECTED + "'广东'"), id="chinese-slug"),
    pytest.param("collection: zh\nseeds: [http://x.cn/]\n",
                 (1, "collection", "expected a slug other than en, static, zh (replay's own "
                                   "paths), got 'zh'"), id="slug-of-a-replay-language"),
    pytest.param("title: t\ncollection: [a]\nseeds: [http://x.cn/]\n",
                 (2, "collection", "expected text, got a list"), id="slug-is-a-list"),
    pytest.param("collection: a\ncollection: b\nseeds: [http://x.cn/]\n",
                 (2, "collection", "given twice in the seed list"), id="collection-twice"),
    pytest.param("collection: a\nseeds:\n  - url: http://x.cn/\n    url: http://y.cn/\n",
                 (4, "url", "given twice in a seed"), id="seed-url-twice"),
    pytest.param("collection: a\nseeds:\n  - http://x.cn/\n  - [http://y.cn/]\n",
                 (4, "a seed", "expected a mapping of field: value"), id="seed-is-a-list"),
    pytest.param("- http://x.cn/\n",
                 (1, "the seed list", "expected a mapping of field: value"),
                 id="top-level-list"),
    pytest.param("collection: a\npublic: maybe\nseeds: [http://x.cn/]\n",
                 (2, "public", "expected true or false, got 'maybe'"), id="public-not-a-flag"),
    pytest.param("", (1, "collection", "expected a seed list, the file is empty"),
                 id="empty-file"),
    pytest.param("# only a comment\n\n",
                 (1, "collection", "expected a seed list, the file is empty"),
                 id="comment-only-file"),
]


@pytest.mark.parametrize(("text", "expected"), SINGLE_PROBLEMS)
def test_single_problem(tmp_path: Path, text: str, expected: tuple[int, str, str]) -> None:
    path = write(tmp_path, "list.yaml", text)

    assert one_problem(path) == expected


def test_bad_regex_in_exclude(tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", "collection: r\nseeds:\n  - url: http://x.cn/\n"
                                     "    exclude: ['re:(']\n")

    line, field, message = one_problem(path)

    assert (line, field) == (4, "exclude")
    assert message.startswith("invalid regular expression '(': ")


def test_bad_regex_in_list_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", "collection: r\ndefaults:\n  exclude: ['re:[a-']\n"
                                     "seeds: [http://x.cn/]\n")

    line, field, message = one_problem(path)

    assert (line, field) == (3, "exclude")
    assert message.startswith("invalid regular expression '[a-': ")


def test_exclude_regexes_are_validated_one_by_one(tmp_path: Path) -> None:
    # Each pattern compiles alone, so the list is valid; seeds.scope combines them (see the
    # tests in test_scope for inline flags and group references in separate patterns).
    path = write(tmp_path, "r.yaml", "collection: r\nseeds:\n  - url: http://x.cn/\n"
                                     "    exclude: ['re:(?i)logout', 're:/(a)\\1/']\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds[0].exclude == ("re:(?i)logout",
                                                                             "re:/(a)\\1/")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("collection: a\nseeds:\n  - url: [\n", 4,
     "not valid YAML: expected the node content, but found '<stream end>'"),
    ("collection: a\nseeds:\n  - url: http://x.cn/\n   depth: : 3\n", 4,
     "not valid YAML: expected <block end>, but found '<block mapping start>'"),
    ("collection: a\nseeds:\n\t- http://x.cn/\n", 3,
     "not valid YAML: found character '\\t' that cannot start any token"),
    ("collection: 'a\nseeds: []\n", 3,
     "not valid YAML: found unexpected end of stream"),
])
def test_invalid_yaml_reports_the_line_of_the_error(tmp_path: Path, text: str, line: int,
                                                    message: str) -> None:
    path = write(tmp_path, "y.yaml", text)

    assert one_problem(path) == (line, "yaml", message)


def test_gbk_file_names_the_first_undecodable_line(tmp_path: Path) -> None:
    path = write(tmp_path, "g.yaml", "collection: g\nseeds:\n  - url: http://x.cn/\n"
                                     "    title: 广东省人民政府\n", encoding="gbk")

    assert one_problem(path) == (4, "file", "expected UTF-8 text (save the seed list as UTF-8)")


def test_utf8_bom_is_accepted_in_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "collection: b\ntitle: 广东\nseeds: [http://x.cn/]\n",
                 encoding="utf-8-sig")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert (seed_list.collection, seed_list.title) == ("b", "广东")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"

    assert problems(path) == [(0, "file", "no such file")]


def test_any_suffix_but_csv_is_read_as_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "seeds.txt", "collection: t\nseeds: [http://x.cn/]\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds == (make_seed(url="http://x.cn/",
                                                                            line=2),)


# ---- duplicates --------------------------------------------------------------------------

def test_duplicate_seeds_by_canonical_url(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", """\
collection: d
seeds:
  - http://X.cn
  - http://x.cn/
  - url: http://x.cn/#top
  - http://x.cn/?b=1&a=2
  - http://x.cn/?a=2&b=1
  - https://x.cn/
  - http://www.x.cn/
""")

    assert problems(path) == [
        (4, "url", "duplicate seed http://x.cn/ (first given on line 3)"),
        (5, "url", "duplicate seed http://x.cn/#top (first given on line 3)"),
        (7, "url", "duplicate seed http://x.cn/?a=2&b=1 (first given on line 6)"),
    ]


def test_https_and_www_variants_are_not_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", "collection: d\nseeds:\n  - http://X.cn\n"
                                     "  - https://x.cn/\n  - http://www.x.cn/\n")

    assert [(s.url, s.line) for s in load_seed_list(path, defaults=SEED_DEFAULTS).seeds] == [
        ("http://x.cn/", 3), ("https://x.cn/", 4), ("http://www.x.cn/", 5)]


# ---- several problems ----------------------------------------------------------------------

MANY_PROBLEMS = """\
collection: Bad Slug
title: 坏的列表
schedule: cron 0 3 * *
colour: red
defaults:
  depth: -2
seeds:
  - url: ftp://x.cn/
  - url: http://y.cn/
    depth: 1.5
    nope: 1
  - url: http://y.cn
  - url: http://z.cn/
    exclude: ['re:(']
"""

MANY_EXPECTED = [
    (1, "collection", SLUG_EXPECTED + "'Bad Slug'"),
    (3, "schedule", "invalid cron expression '0 3 * *': "),
    (4, "colour", ("unknown field in the seed list; expected one of collection, title, kind, "
                  "schedule, schedule_start, schedule_end, description, public, limits, defaults, "
                  "seeds")),
    (6, "depth", "expected an integer >= 0, got -2"),
    (8, "url", URL_EXPECTED + "'ftp://x.cn/'"),
    (10, "depth", "expected an integer >= 0, got 1.5"),
    (11, "nope", f"unknown field in a seed; expected one of {SEED_KEYS}"),
    (12, "url", "duplicate seed http://y.cn/ (first given on line 9)"),
    (14, "exclude", "invalid regular expression '(': "),
]


def _prefixes(found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Cut library-worded messages (cron, regex) to their own prefix for comparison."""
    cut = []
    for line, field, message in found:
        for expected in MANY_EXPECTED:
            if (line, field) == expected[:2] and message.startswith(expected[2]):
                message = expected[2]
        cut.append((line, field, message))
    return cut


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "many.yaml", MANY_PROBLEMS)

    found = _prefixes(problems(path))

    assert sorted(found) == MANY_EXPECTED


def test_problems_are_reported_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "many.yaml", MANY_PROBLEMS)

    assert _prefixes(problems(path)) == MANY_EXPECTED


def test_problem_str_and_error_message(tmp_path: Path) -> None:
    path = write(tmp_path, "many.yaml", MANY_PROBLEMS)

    with pytest.raises(SeedListError) as info:
        load_seed_list(path, defaults=SEED_DEFAULTS)

    error = info.value
    assert isinstance(error, ValueError)
    assert len(error.problems) == 9
    assert all(isinstance(p, Problem) for p in error.problems)
    shown = [str(p) for p in error.problems]
    assert all(s == f"{path}:{p.line}: {p.field}: {p.message}"
               for s, p in zip(shown, error.problems, strict=True))
    assert str(error) == f"9 problem(s): {shown[0]}; {shown[1]}; {shown[2]} (and 6 more)"


def test_problem_str_format() -> None:
    problem = Problem("lists/gd.yaml", 7, "depth", "expected an integer >= 0, got -1")

    assert str(problem) == "lists/gd.yaml:7: depth: expected an integer >= 0, got -1"
    assert str(SeedListError([problem])) == f"1 problem(s): {problem}"


# ---- fixed bugs (found by these tests) -----------------------------------------------------

def test_empty_seeds_list_is_reported_on_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "collection: e\ntitle: 空\nseeds: []\n")

    assert one_problem(path) == (3, "seeds", "expected at least one seed")




def test_missing_collection_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "title: t\nseeds:\n  - http://x.cn/\n")

    assert problems(path) == [(1, "collection", "expected the collection's slug")]




@pytest.mark.parametrize(("text", "line"), [
    ("collection: m\ntitle: t\n", 1),
    ("collection: m\ntitle: t\nseeds: 5\n", 3),
])
def test_missing_seeds_is_one_problem(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, "m.yaml", text)

    assert problems(path) == [(line, "seeds", "expected a list of seeds")]




@pytest.mark.parametrize("field", ["depth", "max_pages", "concurrency"])
def test_infinite_integer_is_a_problem(tmp_path: Path, field: str) -> None:
    path = write(tmp_path, "i.yaml", f"collection: i\nseeds:\n  - url: http://x.cn/\n"
                                     f"    {field}: .inf\n")

    line, got_field, message = one_problem(path)

    assert (line, got_field) == (4, field)
    assert message.startswith("expected an integer >= ")


@pytest.mark.parametrize(("name", "text", "line"), [
    ("n.yaml", "collection: n\nseeds:\n  - url: http://x.cn/\n    delay: .nan\n", 4),
    ("n.csv", "url,delay\nhttp://x.cn/,nan\n", 2),
])
def test_nan_delay_is_a_problem(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = write(tmp_path, name, text)

    got_line, field, message = one_problem(path)

    assert (got_line, field) == (line, "delay")
    assert message.startswith("expected a number >= 0, got ")




@pytest.mark.parametrize(("name", "text", "public"), [
    ("list.yaml", "collection: a\npublic: true\nseeds: [http://x.cn/]\n", True),
    ("list.yaml", "collection: a\npublic: no\nseeds: [http://x.cn/]\n", False),
    ("list.yaml", "collection: a\nseeds: [http://x.cn/]\n", None),
    ("list.csv", "url,public\nhttp://x.cn/,true\nhttp://y.cn/,true\n", True),
])
def test_a_seed_list_may_say_whether_it_is_public(tmp_path: Path, name: str, text: str,
                                                  public: bool | None) -> None:
    assert load_seed_list(write(tmp_path, name, text), defaults=SEED_DEFAULTS).public is public
