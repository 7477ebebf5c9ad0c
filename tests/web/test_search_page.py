"""/search over the indexed test corpus (real WARCs, both backends): highlighted snippets,
replay links, filters, gov fields; collections not public are searched only when logged in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.collections import get_collection
from catalog.users import add_user
from indexer.collection import index_collection
from tests.indexer.corpus import CAP, URL, dirs, setup_corpus
from tests.support import PASSWORD, REPLAY, SEED_DEFAULTS, log_in
from web.app import create_app


@pytest.fixture
def corpus_app(catalog_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(catalog_url, login_limit=10, login_window=900.0, seed_defaults=SEED_DEFAULTS,
                      replay_base=REPLAY, secret_key="s" * 32)
    catalog = app.extensions["diancang"].catalog
    coll_dir, _ = setup_corpus(catalog, tmp_path)
    index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0, pdf_max_bytes=CAP,
                     max_decoded_bytes=10_000_000)
    with catalog.session() as s:
        add_user(s, "lin", PASSWORD, "curator")
    yield app
    catalog.dispose()


def publish(app: Flask) -> None:
    with app.extensions["diancang"].catalog.session() as s:
        coll = get_collection(s, "corpus")
        assert coll is not None
        coll.public = True


def hits(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="hit-title" href="([^"]+)">([^<]+)</a>', html)


def test_search_highlights_and_opens_replay(corpus_app: Flask) -> None:
    client = corpus_app.test_client()
    hidden = client.get("/search?q=图书", headers={"Accept-Language": "zh"})
    assert hidden.status_code == 200 and hits(hidden.get_data(as_text=True)) == []
    publish(corpus_app)
    html = client.get("/search?q=图书", headers={"Accept-Language": "zh"}).get_data(
        as_text=True)
    # one hit for library.html, captured twice: its latest capture, both dates, its calendar
    [(href, _title)] = hits(html)
    assert "共 1 条结果" in html and "采集 2 次，2024-01-15 至 2024-06-20" in html
    assert href == f"{REPLAY}/zh/corpus/20240620093002/{URL['library']}"
    assert f'class="hit-calendar" href="{REPLAY}/zh/corpus/*/{URL["library"]}"' in html
    assert html.count("<mark>图书</mark>") >= 1 and "试<mark>" not in html
    every = client.get("/search?q=图书&group=none").get_data(as_text=True)
    found = hits(every)
    assert len(found) == 2 and "采集 2 次" not in every
    for href, _title in found:
        assert re.fullmatch(rf"{REPLAY}/zh/corpus/2024\d{{10}}/{re.escape(URL['library'])}", href)
    notice = client.get("/search", query_string={"q": "粤府〔2017〕12号"}).get_data(as_text=True)
    assert "广东省人民政府关于优化营商环境的通知" in notice
    assert "006939748/2017-00123" in notice and "广东省人民政府办公厅" in notice


def test_filters_reach_the_catalogue(corpus_app: Flask) -> None:
    publish(corpus_app)
    client: FlaskClient = corpus_app.test_client()
    january = client.get("/search", query_string={"q": "图书", "to": "2024-01-31"})
    assert len(hits(january.get_data(as_text=True))) == 1
    elsewhere = client.get("/search", query_string={"q": "图书", "site": "tjj.gz.gov.cn"})
    assert hits(elsewhere.get_data(as_text=True)) == []
    bad = client.get("/search", query_string={"q": "图书", "from": "2024-13-01"},
                     headers={"Accept-Language": "en"})
    assert bad.status_code == 422
    assert "Captured from: not a date: &#39;2024-13-01&#39;" in bad.get_data(as_text=True)


def test_curators_search_collections_not_public(corpus_app: Flask) -> None:
    client = corpus_app.test_client()
    log_in(client, "lin")
    assert len(hits(client.get("/search?q=图书&group=none").get_data(as_text=True))) == 2
