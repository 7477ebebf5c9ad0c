"""Access rules in the web app: curators manage them under /admin/access (recorded with their
name), and readers without a login no longer find hidden captures on site pages, timelines
or in search; curators' links into replay carry a grant for their collection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from catalog.access import list_rules
from catalog.grants import PARAM, read_grant
from tests.support import REPLAY, add_captures, log_in

OLD = "20200101000000"
HOME, NEWS = "http://www.gd.gov.cn/", "http://www.gd.gov.cn/news/1.html"


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_curators_manage_rules_and_readers_stop_seeing_hidden_captures(
        app: Flask, client: FlaskClient) -> None:
    recent = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y%m%d%H%M%S")
    add_captures(app, "gd-gov", [(HOME, OLD, "text/html"), (NEWS, OLD, "text/html"),
                                 (HOME, recent, "text/html")])
    reader = app.test_client()
    site = "/collections/gd-gov/sites/www.gd.gov.cn"
    assert NEWS in page(reader, site)

    token = log_in(client, "lin")
    assert client.post("/admin/access/", data={
        "csrf_token": token, "collection": "gd-gov", "url": "http://www.gd.gov.cn/news/",
        "reason": "依申请撤除"}).status_code == 302
    assert client.post("/admin/access/", data={
        "csrf_token": token, "action": "embargo", "collection": "gd-gov", "days": "30"}
    ).status_code == 302
    listing = page(client, "/admin/access/")
    assert "com,cn,gd,www)/news" not in listing      # www. is dropped, as pywb does
    assert "cn,gov,gd)/news" in listing and "依申请撤除" in listing and "lin" in listing
    with app.extensions["diancang"].catalog.session() as s:
        rules = list_rules(s)
    assert [(r.kind, r.who) for r, _ in rules] == [("exclude", "lin"), ("embargo", "lin")]

    shown = page(reader, site)
    assert NEWS not in shown and HOME in shown
    day = f"{recent[:4]}-{recent[4:6]}-{recent[6:8]}"
    assert day not in shown                          # the embargoed capture is not counted
    curator_view = page(client, site)
    assert NEWS not in curator_view                  # a takedown holds for curators too
    assert day in curator_view                       # an embargo does not

    # a rule removed is gone
    assert client.post(f"/admin/access/{rules[0][0].id}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert NEWS in page(reader, site)


def test_bad_rules_are_shown_with_their_field(app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "lin")
    for data, message in (({"url": "not a url"}, "url:"),
                          ({"url": HOME, "from": "2020-13-01"}, "from:"),
                          ({"action": "embargo", "days": "soon"}, "days:")):
        response = client.post("/admin/access/", data=dict(data, csrf_token=token,
                                                           collection="gd-gov"))
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_curators_replay_links_carry_a_grant_for_that_collection(
        app: Flask, client: FlaskClient) -> None:
    add_captures(app, "drafts", [("http://example.cn/", OLD, "text/html")])
    log_in(client, "lin")
    html = page(client, "/collections/drafts/sites/example.cn")
    link = f"{REPLAY}/zh/drafts/*/http://example.cn/?{PARAM}="
    assert link in html
    grant = html.split(link, 1)[1].split('"', 1)[0]
    secret = str(app.secret_key)
    assert read_grant(secret, grant, "drafts", 60) is not None
    assert read_grant(secret, grant, "gd-gov", 60) is None
    # readers get plain links
    assert PARAM not in page(app.test_client(), "/collections/gd-gov")


def test_a_curator_limited_to_some_collections_sees_only_those(
        app: Flask, client: FlaskClient) -> None:
    add_captures(app, "drafts", [("http://example.cn/", OLD, "text/html")])
    add_captures(app, "gd-gov", [(HOME, OLD, "text/html")])
    with app.extensions["diancang"].catalog.session() as s:
        from sqlalchemy import select

        from catalog.models import Collection, Crawl
        drafts_crawl = s.scalars(select(Crawl.id).join(Collection).where(
            Collection.slug == "drafts")).one()
    admin = app.test_client()
    token = log_in(admin, "root")
    assert admin.post("/admin/users/lin", data={"csrf_token": token, "action": "collections",
                                                "collections": "gd-gov"}).status_code == 302
    assert 'value="gd-gov"' in page(admin, "/admin/users/")
    bad = admin.post("/admin/users/lin", data={"csrf_token": token, "action": "collections",
                                               "collections": "nosuch"})
    assert bad.status_code == 422 and "collections: no collection" in bad.get_data(as_text=True)

    token = log_in(client, "lin")
    for path in ("/admin/collections/drafts", "/admin/collections/drafts/crawls",
                 f"/admin/crawls/{drafts_crawl}", f"/admin/crawls/{drafts_crawl}/report",
                 "/collections/drafts", "/collections/drafts/sites/example.cn"):
        assert client.get(path).status_code == 404, path
    assert client.post("/admin/access/", data={"csrf_token": token, "collection": "drafts",
                                               "url": "http://example.cn/"}).status_code == 404
    assert "drafts" not in page(client, "/admin/")
    assert "drafts" not in page(client, "/")
    assert page(client, "/admin/collections/gd-gov")
    site = page(client, "/collections/gd-gov/sites/www.gd.gov.cn")
    assert f"{REPLAY}/zh/gd-gov/*/{HOME}?{PARAM}=" in site
    # the administrator still sees everything
    assert client.get("/admin/collections/drafts").status_code == 404
    assert admin.get("/admin/collections/drafts").status_code == 200
