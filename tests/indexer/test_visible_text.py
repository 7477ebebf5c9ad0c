"""What a reader sees is indexed: the page's <title>, its main text apart from the rest
(navigation, news lists: searchable too), nothing hidden; and HTML in ``resource`` records."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import lxml.html
from sqlalchemy import select
from warcio.warcwriter import WARCWriter

from catalog.collections import import_seed_list
from catalog.db import Catalog
from catalog.models import Capture
from indexer.collection import index_collection
from indexer.visible_text import visible
from search.query import search
from seeds.model import SeedList
from tests.indexer.corpus import dirs
from tests.support import make_seed

PORTAL = """<!doctype html><html><head><meta charset="utf-8">
<title>Wikipedia, the free encyclopedia</title><style>.x{color:red}</style>
<script>var 脚本里的词 = 1;</script></head><body>
<div class="nav"><a href="/">首页</a><a href="/news">新闻中心</a></div>
<div class="notice">通知：系统维护期间暂停办理网上预约</div>
<div style="display: none">隐藏的文字不应被检索</div><div hidden>也是隐藏内容</div>
<div class="content"><h1>Main Page</h1>
<p>岭南地区的古籍保护工作近年来取得显著进展，馆藏善本陆续完成修复。</p>
<p>专家学者呼吁加强地方文献的征集与整理，推动数字化成果向公众开放。</p></div>
<ul class="news"><li>市档案馆举办侨批展览</li><li>少儿阅读推广活动启动</li></ul>
</body></html>"""


def test_title_main_text_and_rest() -> None:
    seen = visible(lxml.html.document_fromstring(PORTAL))
    assert seen.title == "Wikipedia, the free encyclopedia"
    assert seen.main.startswith("Main Page\n岭南地区的古籍保护工作")
    assert "侨批展览" in seen.rest and "通知：系统维护期间" in seen.rest
    assert seen.rest.startswith("首页 新闻中心\n")          # links side by side: two words
    everything = seen.main + seen.rest
    assert "隐藏" not in everything and "脚本里的词" not in everything and "color" not in everything


def write_warc(path: Path) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in (("http://www.example.cn/portal.html", PORTAL.encode()),):
            writer.write_record(writer.create_warc_record(
                url, "resource", payload=BytesIO(body), length=len(body),
                warc_content_type="text/html; charset=utf-8",
                warc_headers_dict={"WARC-Date": "2024-05-01T10:00:00Z"}))


def test_resource_records_and_the_rest_of_the_page_are_searchable(
        catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    coll_dir = tmp_path / "vt"
    (coll_dir / "archive").mkdir(parents=True)
    write_warc(coll_dir / "archive" / "vt-1.warc.gz")
    with catalog.session() as s:
        import_seed_list(s, SeedList("vt", "可见文字", "site", "once",
                                     (make_seed("http://www.example.cn/"),)))
    result = index_collection(catalog, "vt", *dirs(coll_dir), workers=1, pdf_max_bytes=1000,
                              lease=60.0, max_decoded_bytes=10_000_000)
    assert result.pages == 1
    with catalog.session() as s:
        row = s.scalars(select(Capture)).one()
        assert row.title == "Wikipedia, the free encyclopedia"
        assert row.text is not None and row.text.startswith("Main Page")
        for words in ("古籍 保护", "侨批 展览", "系统维护", "encyclopedia"):
            assert [h.url for h in search(s, words).hits] == [row.url], words
        assert search(s, "隐藏").total == 0 and search(s, "脚本里的词").total == 0
        # the main text outranks the same words in a news list: the snippet shows where
        [hit] = search(s, "侨批").hits
        assert "<mark>侨批</mark>" in hit.snippet
    catalog.dispose()
