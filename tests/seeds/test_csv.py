"""CSV seed lists: the same columns as YAML, one row per seed, UTF-8 or GB18030."""

from __future__ import annotations

from pathlib import Path

from seeds.model import SeedList
from seeds.parse import load_seed_list
from tests.seeds.parse_helpers import (
    SEED_KEYS,
    SLUG_EXPECTED,
    URL_EXPECTED,
    VALID_CSV,
    one_problem,
    problems,
    write,
)
from tests.support import SEED_DEFAULTS, make_seed


def test_valid_csv_with_bom_and_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, "gd.csv", VALID_CSV, encoding="utf-8-sig")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert seed_list == SeedList(
        collection="gd-gov", title="gd-gov", kind="site", schedule="once", description=None,
        seeds=(
            make_seed(url="http://www.gd.gov.cn/", scope="domain", depth=3,
                 exclude=("logout", "re:\\?page=\\d+"), title="广东省人民政府",
                 agency="广东省人民政府办公厅", line=2),
            make_seed(url="https://www.gz.gov.cn/zwgk/index.html", scope="prefix",
                 title="广州市, 政务公开", line=5),
            make_seed(url="http://127.0.0.1:8000/%E6%94%BF%E5%8A%A1/", scope="page", depth=0,
                 exclude=("print", "calendar"), line=7),
        ))
    assert seed_list.source == str(path)


def test_csv_numbers_and_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", "url,depth,max_pages,delay,concurrency,robots\n"
                                    "http://x.cn/,2,10,0.5,1,ignore\nhttp://y.cn/,,,,,\n")

    x, y = load_seed_list(path, defaults={**SEED_DEFAULTS, "depth": 7, "delay": 3.0}).seeds

    assert x == make_seed(url="http://x.cn/", depth=2, max_pages=10, delay=0.5, concurrency=1,
                     robots="ignore", line=2)
    assert y == make_seed(url="http://y.cn/", depth=7, delay=3.0, line=3)
    assert (type(x.depth), type(x.delay)) == (int, float)


def test_csv_list_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv",
                 "collection,collection_title,kind,schedule,description,url\n"
                 "gd,广东省政府,event,cron 0 3 * * 1,门户网站,http://x.cn/\n"
                 ",,,,,http://y.cn/\n"
                 "gd,广东省政府,event,cron 0 3 * * 1,门户网站,http://z.cn/\n")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert (seed_list.collection, seed_list.title, seed_list.kind, seed_list.schedule,
            seed_list.description) == ("gd", "广东省政府", "event", "cron 0 3 * * 1", "门户网站")
    assert [(s.url, s.line) for s in seed_list.seeds] == [
        ("http://x.cn/", 2), ("http://y.cn/", 3), ("http://z.cn/", 4)]


def test_csv_without_collection_column_takes_the_file_stem(tmp_path: Path) -> None:
    path = write(tmp_path, "sz-gov_2024.csv", "url,title\nhttp://www.sz.gov.cn/,深圳\n")

    seed_list = load_seed_list(path, defaults=SEED_DEFAULTS)

    assert (seed_list.collection, seed_list.title) == ("sz-gov_2024", "sz-gov_2024")
    assert seed_list.seeds == (make_seed(url="http://www.sz.gov.cn/", title="深圳", line=2),)


def test_csv_file_stem_that_is_not_a_slug(tmp_path: Path) -> None:
    path = write(tmp_path, "My List.csv", "url\nhttp://x.cn/\n")

    assert one_problem(path) == (1, "collection", SLUG_EXPECTED + "'My List'")


def test_csv_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path, "upper.CSV", "url\nhttp://x.cn/\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds == (make_seed(url="http://x.cn/",
                                                                            line=2),)


def test_csv_unknown_column_is_on_line_1(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "collection,url,colour\ngd,http://x.cn/,red\n")

    assert one_problem(path) == (
        1, "colour", ("unknown column; expected some of collection, collection_title, kind, "
                     "schedule, schedule_start, schedule_end, description, public, limit_duration, "
                     f"limit_pages, limit_bytes, {SEED_KEYS}"))


def test_csv_without_url_column(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "collection,title\ngd,t\n")

    assert one_problem(path) == (1, "url", "expected a url column")


def test_csv_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "")

    assert one_problem(path) == (1, "header", f"expected a header row with columns {SEED_KEYS}")


def test_csv_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "url,title\n")

    assert one_problem(path) == (1, "seeds", "expected at least one seed")


def test_csv_inconsistent_collection_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "collection,url\ngd,http://x.cn/\ngd,http://y.cn/\n"
                                    "sz,http://z.cn/\n")

    assert one_problem(path) == (
        4, "collection", "expected the same value on every row ('gd' on line 2), got 'sz'")


def test_csv_row_problems_name_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "url,depth,scope\n"
                                    "http://x.cn/,abc,host\n"
                                    "\n"
                                    "#http://commented.cn/,-1,nope\n"
                                    "ftp://y.cn/,1,host\n"
                                    "http://z.cn/,1,site\n"
                                    "http://w.cn/,1,host,extra\n"
                                    "http://x.cn,2,host\n")

    assert sorted(problems(path)) == [
        (2, "depth", "expected an integer >= 0, got 'abc'"),
        (5, "url", URL_EXPECTED + "'ftp://y.cn/'"),
        (6, "scope", "expected one of page | prefix | host | domain, got 'site'"),
        (7, "row", "expected 3 cells, got 4"),
        (8, "url", "duplicate seed http://x.cn/ (first given on line 2)"),
    ]


def test_csv_short_rows_leave_missing_cells_to_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "url,depth,title\nhttp://x.cn/\n")

    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds == (make_seed(url="http://x.cn/",
                                                                            line=2),)


def test_csv_saved_by_excel_in_gbk_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "url,title,agency\nhttp://x.cn/,广东,䶮办公厅\n",
                 encoding="gb18030")

    seed = load_seed_list(path, defaults=SEED_DEFAULTS).seeds[0]
    assert (seed.title, seed.agency, seed.line) == ("广东", "䶮办公厅", 2)


def test_csv_in_neither_utf8_nor_gb18030_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"url,title\nhttp://x.cn/,\x81\x20\n")

    expected = "expected UTF-8 or GB18030 text (save the seed list as UTF-8)"
    assert one_problem(path) == (2, "file", expected)


def test_csv_multiline_cell_row_line_is_where_the_row_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", 'url,title\nhttp://x.cn/,"第一行\n第二行"\nhttp://y.cn/,c\n')

    assert [s.line for s in load_seed_list(path, defaults=SEED_DEFAULTS).seeds] == [2, 4]
