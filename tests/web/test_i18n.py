"""Chinese and English from catalogues kept as data: the same keys in both, every key the
templates and views use present, Chinese when the browser asks for it, a link to switch."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.support import add_captures, log_in
from web.i18n import LANGUAGES, catalogue

WEB = Path(__file__).parents[2] / "web"
USED = re.compile(r"""(?:\b_|translate)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']\s*[,)]""")
PREFIXED = re.compile(r"""_\(\s*["']([a-z_]+\.[a-z0-9_]*)["']\s*~""")


def test_catalogues_have_the_same_keys_and_every_used_key() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en)
    sources = [*WEB.glob("templates/**/*.html"), *WEB.glob("*.py")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used = set(USED.findall(text))
    assert len(used) > 80
    assert used - set(zh) == set()
    for prefix in set(PREFIXED.findall(text)):            # _("kind." ~ coll.kind) and the like
        assert any(key.startswith(prefix) for key in zh), prefix
    for lang in LANGUAGES:
        fields = {key: set(re.findall(r"{(\w+)}", value))
                  for key, value in catalogue(lang).items()}
        assert fields == {key: set(re.findall(r"{(\w+)}", value))
                          for key, value in zh.items()}, lang


def test_language_follows_the_browser_then_the_visitor_s_choice(client: FlaskClient) -> None:
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in zh.get_data(as_text=True)
    assert "事件专题" in zh.get_data(as_text=True)
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in en and "Collections" in en
    nothing = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in nothing                # no preference: Chinese
    switch = client.get("/lang/en?next=/collections/gd-gov",
                        headers={"Accept-Language": "zh-CN"})
    assert switch.status_code == 302 and switch.headers["Location"] == "/collections/gd-gov"
    chosen = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in chosen                     # the choice beats the browser
    assert client.get("/lang/zh?next=https://evil.example/").headers["Location"] == "/"


def test_every_page_renders_in_both_languages(app: Flask, client: FlaskClient) -> None:
    add_captures(app, "gd-gov", [("http://www.gd.gov.cn/", "20240101000000", "text/html")])
    log_in(client, "root")
    gd = client.get("/admin/collections/gd-gov").get_data(as_text=True)
    seed_id = re.search(r"/admin/collections/gd-gov/seeds/(\d+)", gd)
    assert seed_id
    paths = ["/", "/collections/gd-gov", "/admin/", "/admin/collections/new",
             "/admin/collections/gd-gov", f"/admin/collections/gd-gov/seeds/{seed_id.group(1)}",
             "/admin/collections/gd-gov/seeds/new", "/admin/import",
             "/admin/collections/gd-gov/crawls", "/admin/users/", "/search?q=广东",
             "/collections/gd-gov/sites/www.gd.gov.cn", "/no-such-page"]
    crawl = re.search(r'href="/admin/crawls/(\d+)/report"', gd)
    assert crawl
    paths += [f"/admin/crawls/{crawl.group(1)}/report", f"/admin/crawls/{crawl.group(1)}/failed"]
    for lang in LANGUAGES:
        client.get(f"/lang/{lang}")
        for path in paths:
            response = client.get(path)
            assert response.status_code == (404 if path == "/no-such-page" else 200), path
            assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in response.get_data(
                as_text=True)
