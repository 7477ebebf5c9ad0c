"""The lists two Chinese government CMSs build with scripts, got without a browser: TRS WCM's
``createPageHTML`` pager and Hanweb's jpage datastore with its dataproxy POSTs."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote_plus

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cms import jpage_lists, post_key, records, trs_pages
from tests.fixtures.script_site import ScriptSite, dataproxy_answer
from tests.support import replay_server, run_cli

JPAGE_PAGE = """<div id="4046"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3"></a>]]>
</nextgroup><recordset>
<record><![CDATA[<li><a href="/art/2024/5/1/art_4046_1.html">一</a><img src="a.png"></li>]]>
</record>
<record><![CDATA[<li><a href="/art/2024/5/2/art_4046_2.html">二</a></li>]]></record>
</recordset></datastore></script></div>
<script>$('#4046').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 2,
  totalRecord: 5, ajaxParam: {col: 1, appid: 1, webid: 3, path: '/', columnid: 4046,
  sourceContentType: 1, unitid: 99, webname: '省政府', permissiontype: 0}});</script>"""


def test_a_trs_pager_names_every_page_of_its_list() -> None:
    script = ('var currentPage = 0;//所在页从0开始\nvar countPage = 4//共多少页\n'
              'createPageHTML(countPage, currentPage, "index", "html");')
    assert trs_pages(script) == ["index.html", "index_1.html", "index_2.html", "index_3.html"]
    # literal arguments, single quotes, a pager element's id first, a record count last
    assert trs_pages("createPageHTML(3, 2, 'list', 'shtml');") == [
        "list.shtml", "list_1.shtml", "list_2.shtml"]
    assert trs_pages("createPageHTML('page_div', 2, 1, 'fg', 'htm', 30)") == [
        "fg.htm", "fg_1.htm"]
    # one page: no pager pages beyond itself; the definition is not a call
    assert trs_pages('createPageHTML(1, 0, "index", "html")') == ["index.html"]
    assert trs_pages("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, "
                     "_sPageExt) {}") == []


def test_a_jpage_list_gives_its_records_and_the_post_for_the_next_group() -> None:
    [jpage] = jpage_lists(JPAGE_PAGE)
    assert jpage.first.count == 2
    assert jpage.first.links == ["/art/2024/5/1/art_4046_1.html", "/art/2024/5/2/art_4046_2.html"]
    assert jpage.first.embeds == ["a.png"]
    assert (jpage.step, jpage.per_page, jpage.total) == (2, 2, 5)
    url, body = jpage.request(3) or ("", b"")
    assert url == "/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2"
    # the fields as the page's script posts them, in its order, its text in UTF-8 (jQuery's)
    assert unquote_plus(body.decode("ascii")) == (
        "col=1&appid=1&webid=3&path=/&columnid=4046&sourceContentType=1&unitid=99"
        "&webname=省政府&permissiontype=0")
    assert jpage.request(5) is not None and jpage.request(6) is None   # 5 records in all
    # the answer is the same XML, in whatever charset it declares
    answer = records(dataproxy_answer("5050", 4, 6))
    assert answer.count == 3 and answer.links[0] == "/jpage/gbk/art/art_5050_4.html"
    # one POST URL serves every column: the form is part of what makes a request new
    assert post_key("http://h/d.jsp?a=1", b"columnid=1") != post_key("http://h/d.jsp?a=1",
                                                                     b"columnid=2")


def test_a_page_without_the_patterns_has_no_lists() -> None:
    assert trs_pages("<p>createPage</p>") == []
    assert jpage_lists("<script>var datastore = {};</script>") == []


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    tmp = tmp_path_factory.mktemp("cms")
    site = ScriptSite().start()
    origin = site.origin
    try:
        seeds = tmp / "seeds.yaml"
        seeds.write_text(f"collection: cms\npublic: true\n"
                         f"seeds:\n  - url: {site.origin}/\n    depth: 3\n"
                         f"    delay: 0\n    concurrency: 2\n", encoding="utf-8")
        home = tmp / "home"
        run_cli(home, "init")
        run_cli(home, "crawl", "cms", "--seeds", str(seeds),
                env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"})
    finally:
        site.stop()
    yield {"home": home, "origin": origin, "site": site}


def _records(home: Path) -> Iterator[object]:
    for path in sorted((home / "collections" / "cms" / "archive").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                record.body = record.content_stream().read()
                yield record


@pytest.mark.slow
def test_a_crawl_without_a_browser_gets_the_trs_and_jpage_lists(
        crawled: dict[str, object]) -> None:
    home, origin = Path(str(crawled["home"])), str(crawled["origin"])
    responses: dict[str, bytes] = {}
    posts: list[bytes] = []
    for record in _records(home):
        uri = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
        if record.rec_type == "response":  # type: ignore[attr-defined]
            responses.setdefault(uri, record.body)  # type: ignore[attr-defined]
        elif record.rec_type == "request" and uri.startswith(  # type: ignore[attr-defined]
                origin + "/module/web/jpage/dataproxy.jsp"):
            posts.append(record.body)  # type: ignore[attr-defined]
    wanted = [f"/trs/index_{i}.html" for i in (1, 2, 3)]
    wanted += [f"/trs/art/t{n}.html" for n in range(1, 13)]
    wanted += [f"/jpage/art/art_4046_{n}.html" for n in range(1, 9)]
    wanted += [f"/jpage/gbk/art/art_5050_{n}.html" for n in range(1, 8)]
    wanted += ["/files/2024/" + quote("关于开展检查的通知.pdf"), "/files/report.doc",
               "/files/report.docx", "/files/data.xls", "/files/data.xlsx", "/files/slides.ppt",
               "/files/form.wps", "/files/pack.zip", "/files/pack.rar"]
    missing = [path for path in wanted if origin + path not in responses]
    assert not missing, (missing, sorted(responses))
    # the GBK column's later records came in a GBK answer to a POST
    assert "栏目5050 第7条".encode("gbk") in responses[origin + "/jpage/gbk/art/art_5050_7.html"]
    # the POSTs are in the WARC with their bodies: two groups of 4046, two of 5050
    forms = sorted(unquote_plus(body.decode("ascii")) for body in posts)
    assert len(forms) == 4 and all("permissiontype=0" in f for f in forms)
    assert sum("columnid=5050" in f and "webname=广东省测试厅" in f for f in forms) == 2
    site = crawled["site"]
    assert isinstance(site, ScriptSite)
    answered = [path for path in site.paths("POST")]
    assert sorted(answered) == sorted(
        f"/module/web/jpage/dataproxy.jsp?startrecord={s}&endrecord={s + 2}&perpage=3"
        for s in (4, 7, 4, 7))


@pytest.mark.slow
def test_pywb_replays_a_jpage_post_by_its_form(crawled: dict[str, object]) -> None:
    home, origin = Path(str(crawled["home"])), str(crawled["origin"])
    index = "".join(p.read_text(encoding="utf-8") for p in
                    (home / "collections" / "cms" / "indexes").glob("*.cdxj"))
    assert "__wb_method=post" in index
    form = ("col=1&appid=1&webid=3&path=%2F&columnid=5050&sourceContentType=1&unitid=99"
            "&webname=%E5%B9%BF%E4%B8%9C%E7%9C%81%E6%B5%8B%E8%AF%95%E5%8E%85&permissiontype=0")
    url = f"{origin}/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=9&perpage=3"
    with replay_server(home) as base:
        request = urllib.request.Request(
            f"{base}cms/2id_/{url}", data=form.encode("ascii"), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
    # the archived answer of this column's third group, as the server sent it (GBK)
    assert "第7条 栏目5050的文章".encode("gbk") in body
    assert b"art_5050_6" not in body and b"art_4046" not in body
