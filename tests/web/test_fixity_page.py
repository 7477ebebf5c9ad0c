"""Curators see when each collection's WARC files were last verified, and files that failed
(in the default language, Chinese)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.fixity import record_verification
from catalog.models import WarcFile
from tests.support import add_captures, log_in


def test_last_verified_on_the_dashboard_and_collection_page(app: Flask,
                                                            client: FlaskClient) -> None:
    add_captures(app, "gd-gov", [("http://www.gd.gov.cn/", "20240101000000", "text/html")])
    add_captures(app, "gd-gov", [("http://www.gd.gov.cn/a", "20240201000000", "text/html")])
    log_in(client, "lin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "最近核验" in page and "从未核验" in page

    catalog = app.extensions["diancang"].catalog
    with catalog.session() as session:
        first, second = session.scalars(select(WarcFile).order_by(WarcFile.id))
        record_verification(session, first.id, outcome="ok", detail="",
                            when=datetime(2026, 3, 4, 5, 6, tzinfo=UTC))
    page = client.get("/admin/collections/gd-gov").get_data(as_text=True)
    assert "从未核验" in page               # one of its two files was never verified
    with catalog.session() as session:
        record_verification(session, second.id, outcome="failed",
                            detail="offset 0: SHA-256 is ...",
                            when=datetime(2026, 3, 5, 5, 6, tzinfo=UTC))
    page = client.get("/admin/collections/gd-gov").get_data(as_text=True)
    assert '<time datetime="2026-03-04T05:06:00+00:00">2026-03-04 05:06</time>' in page
    assert "1 个文件核验未通过" in page
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "2026-03-04 05:06" in dashboard and "1 个文件核验未通过" in dashboard
