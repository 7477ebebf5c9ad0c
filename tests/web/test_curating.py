"""Curator pages: create and describe a collection, edit seeds one at a time, import a seed
list all or nothing with each problem beside its line, export it back."""

from __future__ import annotations

import io
import re

import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support import log_in

BAD = """\
collection: jiangsu
title: 江苏省政府网站
kind: site
seeds:
  - url: http://www.jiangsu.gov.cn/
    scope: world
  - url: not a url
  - url: http://www.nanjing.gov.cn/
    depth: deep
    colour: red
"""
GOOD = """\
collection: jiangsu
title: 江苏省政府网站
kind: event
seeds:
  - url: http://www.jiangsu.gov.cn/
    title: 江苏省人民政府
    scope: domain
  - url: http://www.nanjing.gov.cn/
    depth: 2
"""


def upload(client: FlaskClient, token: str, name: str, data: bytes) -> tuple[int, str]:
    response = client.post("/admin/import", data={"csrf_token": token,
                                                  "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def beside(html: str) -> dict[int, list[str]]:
    """Line number -> the problems shown on that line of the rendered file."""
    out = {}
    for number, cell in re.findall(r'<tr id="L(\d+)" class="bad">.*?<td class="problems">(.*?)'
                                   r"</td>", html, re.DOTALL):
        out[int(number)] = re.findall(r'<div class="problem">(.*?)</div>', cell)
    return out


def test_import_shows_every_problem_beside_its_line_and_writes_nothing(
        client: FlaskClient) -> None:
    token = log_in(client, "lin")
    status, html = upload(client, token, "江苏.yaml", BAD.encode())
    assert status == 422
    problems = beside(html)
    assert sorted(problems) == [6, 7, 9, 10]
    assert problems[6] == [("江苏.yaml:6: scope: expected one of page | prefix | host | "
                           "domain, got &#39;world&#39;")]
    assert problems[7][0].startswith("江苏.yaml:7: url: expected an absolute http")
    assert problems[9][0].startswith("江苏.yaml:9: depth: expected an integer")
    assert problems[10][0].startswith("江苏.yaml:10: colour: ")
    assert len(re.findall(r'<tr id="L\d+"', html)) == len(BAD.splitlines())
    assert client.get("/admin/collections/jiangsu").status_code == 404   # nothing written


def test_import_creates_the_collection_and_export_gives_it_back(client: FlaskClient) -> None:
    token = log_in(client, "lin")
    response = client.post("/admin/import", data={
        "csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "jiangsu.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/collections/jiangsu?imported=2/0/0")
    exported = yaml.safe_load(client.get("/admin/collections/jiangsu/seeds.yaml").data)
    assert exported["title"] == "江苏省政府网站" and exported["kind"] == "event"
    assert [(s["url"], s["scope"], s["depth"]) for s in exported["seeds"]] == [
        ("http://www.jiangsu.gov.cn/", "domain", 5), ("http://www.nanjing.gov.cn/", "host", 2)]


def test_csv_in_gb18030_imports_and_pasted_text_too(client: FlaskClient) -> None:
    token = log_in(client, "lin")
    csv = "collection,collection_title,url,title,scope\nsz,深圳,http://www.sz.gov.cn/,深圳市政府,host\n"
    status, _ = upload(client, token, "深圳.csv", csv.encode("gb18030"))
    assert status == 302
    pasted = client.post("/admin/import", data={"csrf_token": token, "format": "yaml",
                                                "text": GOOD.replace("jiangsu", "js2")})
    assert pasted.status_code == 302
    assert "深圳" in client.get("/admin/").get_data(as_text=True)
    status, html = upload(client, token, "seeds.txt", b"collection: x")
    assert status == 422 and "expected a .yaml, .yml or .csv file" in html


def test_create_describe_and_publish_a_collection(app: Flask, client: FlaskClient) -> None:
    token = log_in(client, "lin")
    bad = client.post("/admin/collections/new", data={"csrf_token": token, "slug": "Bad Slug",
                                                      "title": "x", "kind": "site"})
    assert bad.status_code == 422 and "collection: expected a slug of lowercase" in bad.get_data(
        as_text=True)
    made = client.post("/admin/collections/new", data={
        "csrf_token": token, "slug": "olympics-2008", "title": "北京奥运会", "kind": "event",
        "description": "第二十九届奥运会网站"})
    assert made.status_code == 302
    assert client.get("/collections/olympics-2008").status_code == 200    # logged in
    anonymous = app.test_client()
    assert anonymous.get("/collections/olympics-2008").status_code == 404  # not public yet
    edited = client.post("/admin/collections/olympics-2008", data={
        "csrf_token": token, "title": "北京2008年奥运会", "kind": "event",
        "description": "奥运专题", "public": "on"})
    assert edited.status_code == 302
    page = anonymous.get("/collections/olympics-2008", headers={"Accept-Language": "zh"})
    assert page.status_code == 200 and "北京2008年奥运会" in page.get_data(as_text=True)
    duplicate = client.post("/admin/collections/new", data={
        "csrf_token": token, "slug": "olympics-2008", "title": "again", "kind": "event"})
    assert duplicate.status_code == 422


def test_seeds_added_edited_and_removed_in_the_browser(client: FlaskClient) -> None:
    token = log_in(client, "lin")
    added = client.post("/admin/collections/gd-gov/seeds/new", data={
        "csrf_token": token, "url": "http://www.sz.gov.cn/", "title": "深圳市人民政府",
        "scope": "domain", "depth": "2", "exclude": "/search\nre:calendar\\?m="})
    assert added.status_code == 302
    page = client.get("/admin/collections/gd-gov").get_data(as_text=True)
    seed_id = re.search(r'/admin/collections/gd-gov/seeds/(\d+)"[^>]*>[^<]*</a>\s*<form[^>]*'
                        r'seeds/\d+/remove', page[page.index("www.sz.gov.cn"):])
    assert seed_id
    edit = f"/admin/collections/gd-gov/seeds/{seed_id.group(1)}"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="深圳市人民政府"' in form and "re:calendar\\?m=" in form
    rejected = client.post(edit, data={"csrf_token": token, "url": "http://www.sz.gov.cn/",
                                       "depth": "-3", "delay": "soon"})
    html = rejected.get_data(as_text=True)
    assert rejected.status_code == 422
    assert "depth: expected an integer &gt;= 0, got -3" in html
    assert "delay: expected a number" in html
    duplicate = client.post("/admin/collections/gd-gov/seeds/new", data={
        "csrf_token": token, "url": "http://www.gd.gov.cn/"})
    assert duplicate.status_code == 422 and "duplicate seed" in duplicate.get_data(as_text=True)
    assert client.post(edit, data={"csrf_token": token, "url": "http://www.sz.gov.cn/",
                                   "title": "深圳", "depth": "1"}).status_code == 302
    exported = yaml.safe_load(client.get("/admin/collections/gd-gov/seeds.yaml").data)
    sz = exported["seeds"][-1]
    assert (sz["title"], sz["depth"], sz["scope"]) == ("深圳", 1, "host")
    removed = client.post(f"{edit}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    exported = yaml.safe_load(client.get("/admin/collections/gd-gov/seeds.yaml").data)
    assert [s["url"] for s in exported["seeds"]] == ["http://www.gd.gov.cn/",
                                                     "http://www.gz.gov.cn/"]


def test_a_seeds_browser_mode_is_chosen_kept_on_edit_and_exported(client: FlaskClient) -> None:
    token = log_in(client, "lin")
    form = client.get("/admin/collections/gd-gov/seeds/new").get_data(as_text=True)
    assert '<select name="browser">' in form
    assert all(f'<option value="{mode}">' in form for mode in ("off", "auto", "on"))
    added = client.post("/admin/collections/gd-gov/seeds/new", data={
        "csrf_token": token, "url": "http://www.sz.gov.cn/", "browser": "off"})
    assert added.status_code == 302
    page = client.get("/admin/collections/gd-gov").get_data(as_text=True)
    seed_id = re.search(r'/admin/collections/gd-gov/seeds/(\d+)"[^>]*>[^<]*</a>\s*<form[^>]*'
                        r'seeds/\d+/remove', page[page.index("www.sz.gov.cn"):])
    assert seed_id
    edit = f"/admin/collections/gd-gov/seeds/{seed_id.group(1)}"
    assert '<option value="off" selected>' in client.get(edit).get_data(as_text=True)
    # another field edited: the form sends the mode back, and it is kept
    assert client.post(edit, data={"csrf_token": token, "url": "http://www.sz.gov.cn/",
                                   "browser": "off", "depth": "1"}).status_code == 302
    rejected = client.post(edit, data={"csrf_token": token, "url": "http://www.sz.gov.cn/",
                                       "browser": "sometimes"})
    assert rejected.status_code == 422 and "browser: " in rejected.get_data(as_text=True)
    exported = yaml.safe_load(client.get("/admin/collections/gd-gov/seeds.yaml").data)
    modes = {s["url"]: s.get("browser", exported.get("defaults", {}).get("browser", "auto"))
             for s in exported["seeds"]}
    assert modes["http://www.sz.gov.cn/"] == "off"
    assert modes["http://www.gd.gov.cn/"] == "auto"
    assert client.post(edit, data={"csrf_token": token, "url": "http://www.sz.gov.cn/",
                                   "browser": "on"}).status_code == 302
    assert '<option value="on" selected>' in client.get(edit).get_data(as_text=True)
