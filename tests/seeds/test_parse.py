"""Reading seed lists: exact seeds, defaults merging, schedules and the YAML export round trip.

Each test writes a small seed list under ``tmp_path`` and asserts the exact ``SeedList`` that
``load_seed_list`` produces (the problems it reports are in test_parse_problems.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from seeds.model import Seed, SeedList, seed_list_to_yaml
from seeds.parse import load_seed_list
from tests.seeds.parse_helpers import (
    VALID_CSV,
    one_problem,
    without_lines,
    write,
)
from tests.support import SEED_DEFAULTS, make_seed

# ---- a full, valid YAML list ------------------------------------------------------------------

FULL_YAML = """\
# 广东省政府网站专题
collection: gd-gov
title: 广东省人民政府网站
kind: event
schedule: weekly
description: |
  广东省政府门户网站及其部门网站。
defaults:
  depth: 3
  delay: 2.5
  exclude: [logout, 're:\\?page=\\d{3,}']
seeds:
  - url: http://www.gd.gov.cn
    title: 广东省人民政府
    agency: 广东省人民政府办公厅
    scope: domain
    depth: 4
    max_pages: 500
    delay: 0.5
    concurrency: 4
    exclude: [/print/]
    robots: ignore
  - http://www.gz.gov.cn/zwgk/index.html
  - url: https://www.sz.gov.cn/cn/xxgk/index.html
    scope: prefix
    robots: obey
  - title: 政务公开
    url: http://127.0.0.1:8000/政务公开/
    scope: page
    depth: 0
    exclude: []
"""

DEFAULT_EXCLUDES = ("logout", "re:\\?page=\\d{3,}")


def test_full_yaml_list_gives_exact_seed_list(tmp_path: Path) -> None:
    path = write(tmp_path, "gd.yaml", FULL_YAML)

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert seed_list == SeedList(
        collection="gd-gov", title="广东省人民政府网站", kind="event", schedule="weekly",
        description="广东省政府门户网站及其部门网站。",
        seeds=(
            make_seed(url="http://www.gd.gov.cn/", scope="domain", depth=4, max_pages=500,
                 delay=0.5, concurrency=4, exclude=(*DEFAULT_EXCLUDES, "/print/"),
                 robots="ignore", title="广东省人民政府", agency="广东省人民政府办公厅", line=13),
            make_seed(url="http://www.gz.gov.cn/zwgk/index.html", scope="host", depth=3,
                 max_pages=20000, delay=2.5, concurrency=2, exclude=DEFAULT_EXCLUDES,
                 robots="obey", line=23),
            make_seed(url="https://www.sz.gov.cn/cn/xxgk/index.html", scope="prefix", depth=3,
                 max_pages=20000, delay=2.5, concurrency=2, exclude=DEFAULT_EXCLUDES,
                 robots="obey", line=24),
            make_seed(url="http://127.0.0.1:8000/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/",
                 scope="page", depth=0, max_pages=20000, delay=2.5, concurrency=2,
                 exclude=DEFAULT_EXCLUDES, robots="obey", title="政务公开", line=28),
        ))
    assert seed_list.source == str(path)
    # exact types, not just equal values
    assert [type(s.depth) for s in seed_list.seeds] == [int] * 4
    assert [type(s.delay) for s in seed_list.seeds] == [float] * 4
    assert [type(s.exclude) for s in seed_list.seeds] == [tuple] * 4


def test_defaults_precedence_seed_over_list_over_the_archives_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
collection: p
defaults:
  depth: 3
  robots: ignore
seeds:
  - url: http://a.cn/
    depth: 1
    max_pages: 7
  - http://b.cn/
""")
    archive = {**SEED_DEFAULTS, "depth": 9, "max_pages": 100, "delay": 4.0, "concurrency": 3}

    a, b = load_seed_list(path, defaults=archive).seeds

    # seed value > list defaults > the archive's settings (the defaults= argument)
    assert (a.depth, a.max_pages, a.delay, a.concurrency, a.robots, a.scope) == \
        (1, 7, 4.0, 3, "ignore", "host")
    assert (b.depth, b.max_pages, b.delay, b.concurrency, b.robots, b.scope) == \
        (3, 100, 4.0, 3, "ignore", "host")


def test_the_declared_settings_are_the_defaults_of_a_plain_list(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", "collection: b\nseeds:\n  - http://x.cn/\n")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert seed_list == SeedList(collection="b", title="b", kind="site", schedule="once",
                                 description=None, seeds=(make_seed(url="http://x.cn/", line=3),))
    assert seed_list.seeds[0] == Seed(url="http://x.cn/", scope="host", depth=5, max_pages=20000,
                                      delay=1.0, concurrency=2, browser="auto", exclude=(),
                                      robots="obey", title=None, agency=None, line=3)


def test_seed_exclude_extends_list_default_and_empty_exclude_keeps_it(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", """\
collection: e
defaults:
  exclude: [logout]
seeds:
  - url: http://a.cn/
    exclude: [print, 're:\\.pdf$']
  - url: http://b.cn/
    exclude: []
  - url: http://c.cn/
    exclude: calendar
""")

    a, b, c = load_seed_list(path, defaults=SEED_DEFAULTS).seeds

    assert a.exclude == ("logout", "print", "re:\\.pdf$")
    assert b.exclude == ("logout",)
    assert c.exclude == ("logout", "calendar")


def test_list_defaults_exclude_replaces_argument_exclude(tmp_path: Path) -> None:
    # Only a seed's own exclude extends; the list's ``defaults`` replace the archive defaults.
    path = write(tmp_path, "x.yaml", """\
collection: x
defaults:
  exclude: [logout]
seeds:
  - http://a.cn/
  - url: http://b.cn/
    exclude: [print]
""")

    a, b = load_seed_list(path, defaults={**SEED_DEFAULTS, "exclude": ("archive-wide",)}).seeds

    assert a.exclude == ("logout",)
    assert b.exclude == ("logout", "print")


def test_argument_exclude_is_extended_when_list_has_no_exclude(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "collection: x\nseeds:\n  - url: http://a.cn/\n"
                                     "    exclude: [print]\n  - http://b.cn/\n")

    a, b = load_seed_list(path, defaults={**SEED_DEFAULTS, "exclude": ("archive-wide",)}).seeds

    assert a.exclude == ("archive-wide", "print")
    assert b.exclude == ("archive-wide",)


# ---- URLs, seeds and list fields ---------------------------------------------------------------

def test_bare_string_seeds_get_defaults_and_their_own_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", """\
collection: s
defaults: {depth: 2}
seeds:
  - http://x.cn/
  # a comment between seeds
  - https://y.cn/news/
""")

    seeds = load_seed_list(path, defaults=SEED_DEFAULTS).seeds

    assert seeds == (make_seed(url="http://x.cn/", depth=2, line=4),
                     make_seed(url="https://y.cn/news/", depth=2, line=6))


def test_flow_sequence_of_seeds(tmp_path: Path) -> None:
    path = write(tmp_path, "f.yaml", "collection: f\nseeds: [http://x.cn, http://y.cn/a]\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds == (make_seed(url="http://x.cn/",
                                                                            line=2),
                                          make_seed(url="http://y.cn/a", line=2))


@pytest.mark.parametrize(("written", "url"), [
    ("http://x.cn", "http://x.cn/"),
    ("http://x.cn?a=1", "http://x.cn/?a=1"),
    ("http://x.cn:8000", "http://x.cn:8000/"),
    ("HTTP://X.CN/Path", "http://x.cn/Path"),
    ("https://x.cn/a/b.html?c=d#e", "https://x.cn/a/b.html?c=d#e"),
    ("http://x.cn/政务公开/", "http://x.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/"),
    ("http://x.cn/?q=政务", "http://x.cn/?q=%E6%94%BF%E5%8A%A1"),
    ("http://x.cn/%E6%94%BF", "http://x.cn/%E6%94%BF"),
    ("http://中国.cn/", "http://xn--fiqs8s.cn/"),
    ("  http://x.cn/  ", "http://x.cn/"),
])
def test_url_normalisation(tmp_path: Path, written: str, url: str) -> None:
    path = write(tmp_path, "u.yaml", f"collection: u\nseeds:\n  - url: '{written}'\n")

    assert [s.url for s in load_seed_list(path, defaults=SEED_DEFAULTS).seeds] == [url]


def test_title_and_agency_are_text_or_none(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """\
collection: t
title: ''
description: ''
seeds:
  - url: http://x.cn/
    title: '  '
    agency: 12
""")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert (seed_list.title, seed_list.description) == ("t", None)
    assert (seed_list.seeds[0].title, seed_list.seeds[0].agency) == (None, "12")


def test_numeric_collection_slug_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, "n.yaml", "collection: 2024\nseeds: [http://x.cn/]\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).collection == "2024"


@pytest.mark.parametrize(("field", "written", "value"), [
    ("depth", "2.0", 2),
    ("depth", "'3'", 3),
    ("depth", "0", 0),
    ("delay", "0", 0.0),
    ("delay", "'0.25'", 0.25),
    ("max_pages", "1", 1),
    ("concurrency", "1", 1),
])
def test_numbers_accepted(tmp_path: Path, field: str, written: str, value: object) -> None:
    path = write(tmp_path, "n.yaml", f"collection: n\nseeds:\n  - url: http://x.cn/\n"
                                     f"    {field}: {written}\n")

    got = getattr(load_seed_list(path, defaults=SEED_DEFAULTS).seeds[0], field)

    assert got == value
    assert type(got) is type(value)


# ---- schedules -----------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "schedule"), [
    ("once", "once"),
    ("daily", "daily"),
    ("weekly", "weekly"),
    ("monthly", "monthly"),
    ('cron "0 3 * * 1"', "cron 0 3 * * 1"),
    ("cron 0 3 * * 1", "cron 0 3 * * 1"),
    ("cron '30 2 1 * *'", "cron 30 2 1 * *"),
    ("'cron \"0 3 * * 1\"'", "cron 0 3 * * 1"),
    ("cron   */15 * * * *", "cron */15 * * * *"),
])
def test_schedules(tmp_path: Path, written: str, schedule: str) -> None:
    path = write(tmp_path, "s.yaml", f"collection: s\nschedule: {written}\nseeds: [http://x.cn/]\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).schedule == schedule


def test_missing_schedule_is_once_and_missing_kind_is_site(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "collection: s\nseeds: [http://x.cn/]\n")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert (seed_list.schedule, seed_list.kind) == ("once", "site")


@pytest.mark.parametrize(("written", "expr"), [
    ('cron "0 25 * * 1"', "0 25 * * 1"),
    ("cron 0 3 * *", "0 3 * *"),
    ("cron 61 * * * *", "61 * * * *"),
    ("cron", ""),
])
def test_invalid_cron_is_reported_on_the_schedule_line(tmp_path: Path, written: str,
                                                       expr: str) -> None:
    path = write(tmp_path, "c.yaml", f"collection: c\n\ntitle: c\nschedule: {written}\n"
                                     "seeds: [http://x.cn/]\n")

    line, field, message = one_problem(path)

    assert (line, field) == (4, "schedule")
    assert message.startswith(f"invalid cron expression {expr!r}: ")


def test_unknown_schedule_word(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "collection: c\nschedule: hourly\nseeds: [http://x.cn/]\n")

    assert one_problem(path) == (
        2, "schedule",
        ("expected once | daily | weekly | monthly | cron \"<minute hour day month weekday>\", "
        "got 'hourly'"))



# ---- export round trip ---------------------------------------------------------------------

def test_yaml_export_round_trip(tmp_path: Path) -> None:
    original = load_seed_list(write(tmp_path, "gd.yaml", FULL_YAML), defaults=SEED_DEFAULTS)

    exported = seed_list_to_yaml(original)
    again = load_seed_list(write(tmp_path, "again.yaml", exported),
                           defaults={**SEED_DEFAULTS, "depth": 99, "max_pages": 1, "delay": 9.0,
                                     "concurrency": 9})   # what the archive's settings give

    assert dataclasses.replace(again, seeds=()) == dataclasses.replace(original, seeds=())
    assert without_lines(again.seeds) == without_lines(original.seeds)
    assert "广东省人民政府网站" in exported   # written as text, not \u escapes


@pytest.mark.parametrize("defaults", [{**SEED_DEFAULTS, "browser": "on"},
                                      {**SEED_DEFAULTS, "depth": 1}])
def test_yaml_export_is_independent_of_defaults(tmp_path: Path,
                                                defaults: dict[str, object]) -> None:
    original = load_seed_list(write(tmp_path, "s.yaml", "collection: s\nseeds: [http://x.cn/]\n"),
                              defaults=SEED_DEFAULTS)

    again = load_seed_list(write(tmp_path, "again.yaml", seed_list_to_yaml(original)),
                           defaults=defaults)

    assert without_lines(again.seeds) == without_lines(original.seeds)


def test_yaml_export_round_trip_of_csv_and_cron(tmp_path: Path) -> None:
    original = load_seed_list(write(tmp_path, "gd.csv", VALID_CSV, encoding="utf-8-sig"),
                              defaults=SEED_DEFAULTS)
    original = dataclasses.replace(original, schedule="cron 0 3 * * 1", title="2024",
                                   description="第一行\n第二行")

    again = load_seed_list(write(tmp_path, "again.yaml", seed_list_to_yaml(original)),
                           defaults=SEED_DEFAULTS)

    assert (again.collection, again.title, again.kind, again.schedule, again.description) == \
        ("gd-gov", "2024", "site", "cron 0 3 * * 1", "第一行\n第二行")
    assert without_lines(again.seeds) == without_lines(original.seeds)


def test_yaml_export_exact_text(tmp_path: Path) -> None:
    seed_list = SeedList(collection="t", title="测试", kind="site", schedule="daily",
                         seeds=(make_seed(url="http://x.cn/", line=3),
                                make_seed(url="http://y.cn/", scope="page", depth=0, delay=0.5,
                                     exclude=("a",), robots="ignore", title="标题", line=4)))

    assert seed_list_to_yaml(seed_list) == """\
collection: t
title: 测试
kind: site
schedule: daily
seeds:
- url: http://x.cn/
  scope: host
  depth: 5
  max_pages: 20000
  delay: 1.0
  concurrency: 2
  exclude: []
  robots: obey
  browser: auto
- url: http://y.cn/
  title: 标题
  scope: page
  depth: 0
  max_pages: 20000
  delay: 0.5
  concurrency: 2
  exclude:
  - a
  robots: ignore
  browser: auto
"""
