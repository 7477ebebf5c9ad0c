"""The web app over a real catalogue (SQLite and PostgreSQL), with an admin and a curator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.access import rule_key
from catalog.collections import import_seed_list
from catalog.models import Capture, Crawl, WarcFile
from catalog.users import add_user
from seeds.model import Seed, SeedList
from web.app import create_app

REPLAY = "http://localhost:18080"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a page's form carries it."""
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in the form of {path}"
    return match.group(1)


def log_in(client: FlaskClient, name: str) -> str:
    token = token_of(client)
    response = client.post("/login", data={"name": name, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return token_of(client, "/admin/")


def add_captures(app: Flask, slug: str, captures: list[tuple[str, str, str]]) -> None:
    """Capture rows (url, 14-digit timestamp, mime) of one finished crawl, in one WARC file
    of the collection, as the indexer writes them."""
    catalog = app.extensions["diancang"].catalog
    with catalog.session() as session:
        from catalog.collections import get_collection

        coll = get_collection(session, slug)
        assert coll is not None
        crawl = Crawl(collection_id=coll.id, status="finished", started=datetime.now(UTC),
                      finished=datetime.now(UTC), pages=len(captures), bytes=12345, errors=0,
                      stats={"pages": len(captures)})
        session.add(crawl)
        session.flush()
        warc = WarcFile(collection_id=coll.id, crawl_id=crawl.id,
                        filename=f"{slug}-{crawl.id}.warc.gz", size=2_500_000, sha256="0" * 64,
                        records=2 * len(captures), closed=datetime.now(UTC))
        session.add(warc)
        session.flush()
        for offset, (url, stamp, mime) in enumerate(captures):
            session.add(Capture(collection_id=coll.id, crawl_id=crawl.id, warc_file_id=warc.id,
                                url=url, host=urlsplit(url).hostname, surt=rule_key(url), timestamp=stamp,
                                status=200, mime=mime,
                                digest="sha1:X", offset=offset * 1000, length=900))


def seed_list(slug: str, title: str, kind: str, *urls: str) -> SeedList:
    return SeedList(collection=slug, title=title, kind=kind, schedule="once",
                    seeds=tuple(Seed(url=u) for u in urls))


@pytest.fixture
def app(catalog_url: str, tmp_path: object) -> Iterator[Flask]:
    app = create_app(catalog_url, replay_base=REPLAY, secret_key="test-secret-" + "k" * 20)
    catalog = app.extensions["diancang"].catalog
    with catalog.session() as session:
        add_user(session, "root", PASSWORD, "admin")
        add_user(session, "lin", PASSWORD, "curator")
        import_seed_list(session, seed_list("gd-gov", "广东省政府网站", "site",
                                            "http://www.gd.gov.cn/", "http://www.gz.gov.cn/"))
        import_seed_list(session, seed_list("covid", "抗击疫情专题", "event",
                                            "http://www.nhc.gov.cn/"))
        import_seed_list(session, seed_list("drafts", "内部草稿", "site", "http://example.cn/"))
        from catalog.collections import get_collection

        for slug in ("gd-gov", "covid"):
            coll = get_collection(session, slug)
            assert coll is not None
            coll.public = True
    yield app
    catalog.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
