"""Replay is Diancang's, in Chinese by default and in English when the reader chooses it:
the calendar, the framed banner and the error pages of the real ``diancang serve``, over HTTP,
with Diancang's name and a link back to the collection in the web app."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.replay.archive import TIMESTAMP, public_collection
from tests.support import fetch, replay_server

pytestmark = pytest.mark.slow

WEB = "https://archive.example.org"
PAGE = "http://www.example.gov.cn/"


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("lang-home")
    public_collection(home, "gd", {PAGE: "<html><body>政府网站</body></html>".encode()})
    settings = home / "diancang.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "\n[web]\n", f'\n[web]\npublic_url = "{WEB}"\n'), encoding="utf-8")
    with replay_server(home) as base:
        yield base.rstrip("/")


def page(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def test_the_calendar_is_chinese_by_default_with_a_way_back(replay: str) -> None:
    status, _, html = page(f"{replay}/gd/*/{PAGE}")
    assert status == 200
    assert '<html lang="zh">' in html
    assert "典藏 网页档案" in html
    assert f'href="{WEB}/lang/zh?next=%2Fcollections%2Fgd">返回集合页面</a>' in html
    assert f'jan_long: "{quote("一月")}"' in html                 # pywb's calendar, in zh
    assert f'href="/en/gd/*/{PAGE}"' in html                       # the switch to English


def test_the_calendar_in_english_when_chosen_and_the_choice_is_remembered(
        replay: str) -> None:
    status, headers, html = page(f"{replay}/en/gd/*/{PAGE}")
    assert status == 200 and '<html lang="en">' in html
    assert "Diancang web archive" in html and 'jan_long: "January"' in html
    assert f'href="{WEB}/lang/en?next=%2Fcollections%2Fgd">Back to the collection</a>' in html
    assert headers["Set-Cookie"].startswith("lang=en;")
    _, _, later = page(f"{replay}/gd/*/{PAGE}", cookie="lang=en")   # no prefix: remembered
    assert '<html lang="en">' in later and "Back to the collection" in later
    _, _, back = page(f"{replay}/gd/*/{PAGE}", cookie="lang=zh")
    assert '<html lang="zh">' in back


def test_the_banner_is_diancang_s_and_links_to_the_web_app(replay: str) -> None:
    status, _, html = page(f"{replay}/gd/{TIMESTAMP}/{PAGE}")
    assert status == 200
    assert 'logoUrl: "diancang-logo.svg"' in html and f'logoHomeUrl: "{WEB}/"' in html
    assert '"zh",\n    i18nStrings' in html                      # VueUI.main(config, "zh", ...)
    assert f'"Previous capture":"{quote("上一个存档")}"' in html
    status, _, logo = fetch(f"{replay}/static/diancang-logo.svg")
    assert status == 200 and b"Diancang" in logo


def test_pages_not_captured_and_unknown_collections_in_both_languages(replay: str) -> None:
    status, _, html = page(f"{replay}/gd/{TIMESTAMP}mp_/http://never.example/")
    assert status == 404 and "<title>未存档</title>" in html
    assert "本集合没有 http://never.example/ 的存档。" in html
    status, _, html = page(f"{replay}/gd/{TIMESTAMP}mp_/http://never.example/",
                           cookie="lang=en")
    assert status == 404 and "This collection holds no capture of http://never.example/." in html
    status, _, html = page(f"{replay}/nowhere/{TIMESTAMP}/{PAGE}")
    assert status == 404 and "这里没有这个集合。" in html and "nowhere" not in html.split(
        "<section>")[1].split("</section>")[0]
    status, _, html = page(f"{replay}/en/nowhere/{TIMESTAMP}/{PAGE}")
    assert status == 404 and "There is no such collection here." in html
