"""Search on the corpus, with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.db import Catalog
from indexer.collection import index_collection
from search.query import BadQuery, SearchResult, search
from search.snippets import snippet
from tests.indexer.corpus import CAP, GOV_NOTICE, URL, dirs, setup_corpus
from tests.support import POSTGRES_ENV, postgres_schema_url, run_cli


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """The indexed corpus, once per backend for the whole module."""
    tmp = tmp_path_factory.mktemp("corpus")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp / 'catalog.sqlite'}"])
    else:
        base = os.environ.get(POSTGRES_ENV)
        if not base:
            pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it to the local server)")
        urls = postgres_schema_url(base)
    url = next(urls)
    catalog = Catalog(url)
    coll_dir, _ = setup_corpus(catalog, tmp)
    index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0, pdf_max_bytes=CAP,
                     max_decoded_bytes=10_000_000)
    yield catalog
    catalog.dispose()
    for _ in urls:      # drops the PostgreSQL schema
        pass


def find(catalog: Catalog, query: str, **filters: object) -> SearchResult:
    with catalog.session() as s:
        return search(s, query, **filters)  # type: ignore[arg-type]


def urls(catalog: Catalog, query: str, **filters: object) -> set[tuple[str, str]]:
    """Every capture that matches (not grouped by URL), as (URL, month)."""
    return {(h.url, h.timestamp[:6]) for h in find(catalog, query, group="none",
                                                   **filters).hits}


LIB_JAN, LIB_JUN = (URL["library"], "202401"), (URL["library"], "202406")


def test_a_two_character_word_is_found_but_not_across_word_boundaries(corpus: Catalog) -> None:
    # library.html says 图书 and 图书馆; writing.html 试图书写 (试图|书写); the 404 is not text
    assert urls(corpus, "图书") == {LIB_JAN, LIB_JUN}
    assert urls(corpus, "图书馆") == {LIB_JAN, LIB_JUN}
    assert urls(corpus, "书写") == {(URL["writing"], "202401")}
    assert urls(corpus, "不存在") == set()


def test_gbk_and_gb18030_pages_are_searchable_in_chinese(corpus: Catalog) -> None:
    assert urls(corpus, "营商环境") == {(URL["notice"], "202401")}
    assert urls(corpus, "统计局 编制") == {(URL["yearbook"], "202406")}


def test_doc_numbers_english_and_numbers(corpus: Catalog) -> None:
    assert urls(corpus, "粤府〔2017〕12号") == {(URL["notice"], "202401")}
    assert urls(corpus, "穗统字〔2018〕3号") == {(URL["yearbook"], "202406")}
    assert urls(corpus, "粤府〔2017〕13号") == set()
    assert urls(corpus, "Library") == {(URL["english"], "202406")}
    assert urls(corpus, "50000 books") == {(URL["english"], "202406")}
    assert urls(corpus, "bulletin") == {(URL["pdf"], "202401")}     # PDF text; big.pdf: none
    assert urls(corpus, "2018") == {(URL["yearbook"], "202406")}


def test_filters(corpus: Catalog) -> None:
    assert urls(corpus, "图书", date_from="2024-03-01") == {LIB_JUN}
    assert urls(corpus, "图书", date_to="2024-01-31") == {LIB_JAN}
    assert urls(corpus, "图书", date_from="2024-01-15", date_to="2024-01-15") == {LIB_JAN}
    assert urls(corpus, "统计", site="gz.gov.cn") == {(URL["yearbook"], "202406")}
    assert urls(corpus, "统计", site="www.gd.gov.cn") == set()
    assert urls(corpus, "statistical", mime="application/pdf") == {(URL["pdf"], "202401")}
    assert urls(corpus, "统计", agency="统计局") == {(URL["yearbook"], "202406")}
    assert urls(corpus, "通知", agency="办公厅") == {(URL["notice"], "202401")}
    assert urls(corpus, "通知", subject="国民经济") == {(URL["notice"], "202401")}
    assert urls(corpus, "图书", collection="corpus") == {LIB_JAN, LIB_JUN}
    assert urls(corpus, "图书", collection="other") == set()


def test_ranking_paging_and_totals(corpus: Catalog) -> None:
    # "statistical" is in the PDF's title and text, and only in the yearbook's text
    result = find(corpus, "statistical")
    assert result.total == 2
    assert [h.url for h in result.hits] == [URL["pdf"], URL["yearbook"]]
    page = find(corpus, "图书", limit=1, offset=1, group="none")
    assert (page.total, len(page.hits)) == (2, 1)
    first = find(corpus, "图书", limit=1, group="none").hits[0]
    assert first.timestamp != page.hits[0].timestamp


def test_hits_carry_snippet_replay_url_and_gov_fields(corpus: Catalog) -> None:
    [hit] = find(corpus, "粤府〔2017〕12号", replay_base="http://replay.example:8080/").hits
    assert hit.title == "广东省人民政府关于优化营商环境的通知"
    assert hit.collection == "corpus" and hit.host == "www.gd.gov.cn"
    assert hit.replay_url == f"http://replay.example:8080/corpus/{hit.timestamp}/{URL['notice']}"
    assert hit.gov == GOV_NOTICE
    data = hit.to_json()
    assert data["doc_no"] == "粤府〔2017〕12号" and data["url"] == URL["notice"]
    assert "gov" not in data                    # one flat object, as the README lists it
    assert data["calendar_url"] == f"http://replay.example:8080/corpus/*/{URL['notice']}"
    json.dumps(data)

    for lib in find(corpus, "座位", group="none").hits:      # both captures of library.html
        assert "<mark>座位</mark>" in lib.snippet
        assert "&lt;" in lib.snippet and "<座位>" not in lib.snippet   # the text's < is escaped
    for hit in find(corpus, "图书").hits:
        assert "<mark>图书</mark>" in hit.snippet
        assert "试<mark>" not in hit.snippet


def test_words_standing_together_come_first(corpus: Catalog) -> None:
    # 家族 and 历史 stand together in writing.html only; typed apart, quoted or run together
    for query in ("家族 历史", '"家族 历史"', "家族历史"):
        assert [h.url for h in find(corpus, query).hits] == [URL["writing"]], query
    # a quoted phrase must stand together: 图书 and 读者 are apart in library.html
    assert find(corpus, "图书 读者").total == 1
    assert find(corpus, '"图书 读者"').total == 0
    assert [h.url for h in find(corpus, '"新到 图书"').hits] == [URL["library"]]
    # the title first: "statistical" is in the PDF's title, only in the yearbook's text
    assert [h.url for h in find(corpus, "statistical").hits] == [URL["pdf"], URL["yearbook"]]


def test_hits_are_grouped_by_url(corpus: Catalog) -> None:
    result = find(corpus, "图书", replay_base="http://r.example")
    [hit] = result.hits
    assert result.total == 1
    assert (hit.url, hit.captures, hit.first, hit.last, hit.timestamp) == (
        URL["library"], 2, "20240115080000", "20240620093002", "20240620093002")
    assert hit.calendar_url == f"http://r.example/corpus/*/{URL['library']}"
    every = find(corpus, "图书", group="none")
    assert every.total == 2 and [h.timestamp for h in every.hits] == [
        "20240620093002", "20240115080000"]
    assert all(h.captures == 1 for h in every.hits)


def test_bad_queries_name_their_option(corpus: Catalog) -> None:
    for query, filters, option in (("", {}, "query"), ("  ", {}, "query"),
                                   ("，。", {}, "query"),
                                   ("图书", {"date_from": "2024-13-01"}, "from"),
                                   ("图书", {"date_to": "2024-02-30"}, "to"),
                                   ("图书", {"date_from": "soon"}, "from"),
                                   ("图书", {"date_from": "2024-06-01",
                                             "date_to": "2024-01-01"}, "to"),
                                   ("图书", {"group": "site"}, "group")):
        with pytest.raises(BadQuery) as caught:
            find(corpus, query, **filters)
        assert caught.value.option == option, (query, filters)


def test_snippets_lose_layout_debris() -> None:
    text = "首页 | | | 新闻 | 公告\n» 更多 - 图书馆 开放 | 时间 · 调整"
    assert snippet(text, {"图书馆"}) == "首页 新闻 公告 更多 <mark>图书馆</mark> 开放 时间 调整"


@pytest.mark.slow   # the real CLI, in child processes
def test_cli_search_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "init")
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
    setup_corpus(catalog, home / "collections")
    catalog.dispose()
    indexed = run_cli(home, "index", env={"DIANCANG_INDEX_PDF_MAX_BYTES": str(CAP)})
    assert "corpus: indexed 2 WARC files, 9 captures" in indexed.stdout
    out = run_cli(home, "search", "粤府〔2017〕12号", "--json")
    [hit] = json.loads(out.stdout)
    assert hit["url"] == URL["notice"] and hit["collection"] == "corpus"
    assert hit["replay_url"] == f"http://127.0.0.1:8080/corpus/{hit['timestamp']}/{URL['notice']}"
    assert {k: hit[k] for k in GOV_NOTICE} == GOV_NOTICE
    assert "<mark>" in hit["snippet"] and hit["title"].startswith("广东省人民政府")
    lines = run_cli(home, "search", "图书", "--from", "2024-06-01", "--site", "www.gd.gov.cn",
                    "--limit", "5").stdout
    assert lines.splitlines()[0] == "1-1 of 1 documents match '图书'"
    assert f"/corpus/20240620093002/{URL['library']}" in lines
    grouped = run_cli(home, "search", "图书").stdout
    assert "2 capture(s) 2024-01-15 - 2024-06-20: http://127.0.0.1:8080/corpus/*/" in grouped
    every = run_cli(home, "search", "图书", "--group", "none").stdout
    assert every.splitlines()[0] == "1-2 of 2 captures match '图书'"
    moved = run_cli(home, "search", "图书", "--json",
                    env={"DIANCANG_REPLAY_PORT": "9090"}).stdout
    assert json.loads(moved)[0]["replay_url"].startswith("http://127.0.0.1:9090/corpus/")
    public = run_cli(home, "search", "图书", "--json",
                     env={"DIANCANG_REPLAY_PUBLIC_URL": "https://archive.example.org/"}).stdout
    assert json.loads(public)[0]["calendar_url"] == (
        f"https://archive.example.org/corpus/*/{URL['library']}")
    for args, message in ((["", ], "error: QUERY: nothing to search for in ''"),
                          (["图书", "--from", "2024-13-01"],
                           "error: --from: not a date: '2024-13-01' (expected YYYY-MM-DD)")):
        bad = run_cli(home, "search", *args, check=False)
        assert (bad.returncode, bad.stderr.strip().splitlines()) == (2, [message + (
            " (give a word)" if not args[0] else "")])
    assert json.loads(run_cli(home, "search", "图书", "--agency", "统计局", "--json").stdout) == []


def test_access_rules_hide_captures_from_search(corpus: Catalog) -> None:
    from catalog.access import Viewer, add_exclusion, remove_rule, set_embargo

    curator = Viewer(frozenset({"corpus"}))
    with corpus.session() as s:
        takedown = add_exclusion(s, "corpus", URL["library"], who="test").id
    try:
        assert urls(corpus, "图书馆") == set()
        assert urls(corpus, "图书馆", viewer=curator) == set()   # a takedown holds for all
        assert find(corpus, "图书馆").total == 0
    finally:
        with corpus.session() as s:
            remove_rule(s, takedown)
    with corpus.session() as s:
        set_embargo(s, "corpus", 100_000, who="test")             # every capture is younger
    try:
        assert urls(corpus, "图书馆") == set()
        assert urls(corpus, "图书馆", viewer=curator) == {LIB_JAN, LIB_JUN}
    finally:
        with corpus.session() as s:
            set_embargo(s, "corpus", 0, who="test")
    assert urls(corpus, "图书馆") == {LIB_JAN, LIB_JUN}
