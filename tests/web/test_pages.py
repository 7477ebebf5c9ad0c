"""Researcher pages over real capture rows: collections grouped with their extent, sites with
their counts and dates, a site's timeline and its ways into pywb; non-public collections hidden
from anonymous visitors."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support import REPLAY, add_captures, log_in

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
CAPTURES = [
    ("http://www.gd.gov.cn/", "20240105083000", "text/html"),
    ("http://www.gd.gov.cn/", "20240212083000", "text/html"),
    ("http://www.gd.gov.cn/", "20240301083000", "text/html"),
    ("http://www.gd.gov.cn/xxgk/zcwj/1.html", "20240212083100", "text/html"),
    ("http://www.gd.gov.cn/img/logo.png", "20240105083001", "image/png"),
    ("https://www.gz.gov.cn/", "20240301090000", "text/html"),
]


def test_home_groups_events_and_websites_with_dates_and_sizes(app: Flask,
                                                              client: FlaskClient) -> None:
    add_captures(app, "gd-gov", CAPTURES)
    add_captures(app, "drafts", [("http://example.cn/", "20240101000000", "text/html")])
    page = client.get("/", headers=ZH).get_data(as_text=True)
    events, websites = page.split('id="websites"')
    assert "事件专题" in events and "抗击疫情专题" in events and "广东省政府网站" not in events
    assert "广东省政府网站" in websites
    assert "2024-01-05 – 2024-03-01" in websites and "2.5 MB" in websites
    assert "内部草稿" not in page                       # not public: hidden from researchers
    assert client.get("/collections/drafts").status_code == 404
    log_in(client, "lin")
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert "内部草稿" in page and "未公开" in page
    assert client.get("/collections/drafts").status_code == 200


def test_a_collection_lists_its_sites_and_a_site_its_timeline(app: Flask,
                                                              client: FlaskClient) -> None:
    add_captures(app, "gd-gov", CAPTURES)
    page = client.get("/collections/gd-gov", headers=ZH).get_data(as_text=True)
    rows = re.findall(r'<tr>\s*<td><a href="/collections/gd-gov/sites/([^"]+)">.*?</tr>', page,
                      re.DOTALL)
    assert rows == ["www.gd.gov.cn", "www.gz.gov.cn"]
    gd_row = page[page.index("sites/www.gd.gov.cn"):page.index("sites/www.gz.gov.cn")]
    numbers = re.findall(r'class="num">(\d+)<', gd_row)
    assert numbers == ["5", "3"]                          # captures, distinct URLs
    assert "2024-01-05" in gd_row and "2024-03-01" in gd_row
    assert f'href="{REPLAY}/gd-gov/*/http://www.gd.gov.cn/"' in gd_row

    site = client.get("/collections/gd-gov/sites/www.gd.gov.cn", headers=ZH)
    html = site.get_data(as_text=True)
    assert site.status_code == 200 and "<svg" in html
    bars = re.findall(r'<rect class="bar"[^>]*><title>([^<]+)</title>', html)
    assert len(bars) == 57                                # a bar a day, 2024-01-05 to 03-01
    assert [b for b in bars if not b.endswith(": 0 次采集")] == [
        "2024-01-05: 2 次采集", "2024-02-12: 2 次采集", "2024-03-01: 1 次采集"]
    assert f"{REPLAY}/gd-gov/20240301083000/http://www.gd.gov.cn/" in html   # latest replay
    assert f"{REPLAY}/gd-gov/*/http://www.gd.gov.cn/xxgk/zcwj/1.html" in html
    assert "logo.png" not in html                         # pages only, not images
    assert client.get("/collections/gd-gov/sites/nowhere.example").status_code == 404


def test_timeline_bins_by_day_month_or_year() -> None:
    from web.timeline import bins

    assert bins([("20240101", 2), ("20240103", 1)]) == (
        "day", [("2024-01-01", 2), ("2024-01-02", 0), ("2024-01-03", 1)])
    unit, series = bins([("20231130", 1), ("20240201", 4)])
    assert unit == "month" and series == [("2023-11", 1), ("2023-12", 0), ("2024-01", 0),
                                          ("2024-02", 4)]
    unit, series = bins([("20150101", 1), ("20240101", 3)])
    assert unit == "year" and len(series) == 10 and series[-1] == ("2024", 3)
    assert bins([]) == ("day", [])
