"""The web app over a real catalogue (SQLite and PostgreSQL), with an admin and a curator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.collections import import_seed_list
from catalog.users import add_user
from tests.support import PASSWORD, REPLAY, SEED_DEFAULTS, seed_list
from web.app import create_app


@pytest.fixture
def app(catalog_url: str, tmp_path: object) -> Iterator[Flask]:
    app = create_app(catalog_url, login_limit=10, login_window=900.0, seed_defaults=SEED_DEFAULTS,
                      replay_base=REPLAY, secret_key="test-secret-" + "k" * 20)
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
