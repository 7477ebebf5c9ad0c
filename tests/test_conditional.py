"""Conditional recrawls, end to end: a site that sends ETag and Last-Modified and answers 304.

The second crawl asks with If-None-Match; what did not change comes back 304 and is written as
a server-not-modified revisit referring to the first crawl's capture; the pages behind a 304
(reached only through the 304 home page) are still crawled, from the stored original's links;
the real pywb server replays each 304 as its original at the 304's date, links included; and
``crawl.conditional = false`` fetches everything whole again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests import changing_site
from tests.support import fetch, replay_server, run_cli, warcio_check
from warc_store.cdxj import index_warc_pywb

pytestmark = pytest.mark.slow   # crawls and pywb through the real CLI, in child processes

NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with changing_site.recrawled(tmp_path_factory, validators=True) as data:
        yield data


def new_files(home: Path, before: set[str]) -> list[Path]:
    archive = home / "collections" / "rc" / "archive"
    return [p for p in sorted(archive.iterdir()) if p.name not in before]


def records(paths: list[Path]) -> dict[str, dict[str, tuple]]:
    """URL -> {record type: (WARC headers, HTTP headers)} of the files."""
    found: dict[str, dict[str, tuple]] = {}
    for path in paths:
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                url = rec.rec_headers.get_header("WARC-Target-URI")
                if url:
                    found.setdefault(url, {})[rec.rec_type] = (rec.rec_headers,
                                                               rec.http_headers)
    return found


def test_unchanged_urls_are_asked_conditionally_and_stored_as_304_revisits(
        recrawled: dict) -> None:
    o, home = recrawled["origin"], recrawled["home"]
    second = new_files(home, recrawled["first"])
    for path in second:
        check = warcio_check(path)
        assert check.returncode == 0 and "fail" not in check.stdout, check.stdout
    found = records(second)
    kinds = {url[len(o):]: ("revisit" if "revisit" in r else "response")
             for url, r in found.items()}
    # /a.html and /img/p.png are linked only from the home page, which answered 304: they
    # were found in the home page's stored original
    assert kinds == {"/": "revisit", "/a.html": "revisit", "/doc.pdf": "revisit",
                     "/img/p.png": "revisit", "/b.html": "response", "/gone.html": "response",
                     "/new.html": "response", "/robots.txt": "response",
                     "/sitemap.xml": "response"}
    first = records([p for p in (home / "collections" / "rc" / "archive").iterdir()
                     if p.name in recrawled["first"]])
    for path in changing_site.UNCHANGED:
        warc, http = found[o + path]["revisit"]
        assert warc.get_header("WARC-Profile") == NOT_MODIFIED
        assert warc.get_header("WARC-Refers-To-Target-URI") == o + path
        original, original_http = first[o + path]["response"]
        assert warc.get_header("WARC-Refers-To-Date")[:19] == \
            original.get_header("WARC-Date")[:19]
        assert warc.get_header("Content-Length") == "0" and not http
        assert warc.get_header("WARC-Payload-Digest") is None   # the profile forbids one
        request, _ = found[o + path]["request"]
        sent = found[o + path]["request"][1]
        assert sent.get_header("If-None-Match") == original_http.get_header("ETag"), path
        assert sent.get_header("If-Modified-Since") is None      # ignored beside an ETag
        assert request.get_header("WARC-Concurrent-To") == warc.get_header("WARC-Record-ID")
    assert found[o + "/b.html"]["response"][1].get_statuscode() == "200"   # changed: whole
    assert recrawled["server"].not_modified == len(changing_site.UNCHANGED)
    assert "4 unchanged (revisit records)" in recrawled["stdout"]


def test_the_cdxj_of_304_revisits_is_pywbs(recrawled: dict, tmp_path: Path) -> None:
    home = recrawled["home"]
    for path in new_files(home, recrawled["first"]):
        ours = (home / "collections" / "rc" / "indexes" / (path.name + ".cdxj")).read_text()
        index_warc_pywb(path, tmp_path / "pywb.cdxj")
        assert ours == (tmp_path / "pywb.cdxj").read_text()
        assert ours.count('"mime": "warc/revisit"') == len(changing_site.UNCHANGED)


def test_pywb_replays_a_304_as_its_original_at_the_304s_date(recrawled: dict) -> None:
    home, o, root = recrawled["home"], recrawled["origin"], recrawled["root"]
    found = records(new_files(home, recrawled["first"]))
    run_cli(home, "collections", "set", "rc", "--public")
    with replay_server(home) as replay:
        for path in changing_site.UNCHANGED:
            warc, _ = found[o + path]["revisit"]
            stamp = "".join(c for c in warc.get_header("WARC-Date") if c.isdigit())[:14]
            status, headers, body = fetch(f"{replay}rc/{stamp}id_/{o}{path}")
            assert status == 200, (path, body[:200])
            assert body == changing_site.body(root, path), path
            assert time.strftime("%d %b %Y %H:%M:%S", time.strptime(stamp, "%Y%m%d%H%M%S")) \
                in headers["Memento-Datetime"], (path, headers["Memento-Datetime"])
        warc, _ = found[o + "/"]["revisit"]
        stamp = "".join(c for c in warc.get_header("WARC-Date") if c.isdigit())[:14]
        status, _, body = fetch(f"{replay}rc/{stamp}mp_/{o}/")
        page = body.decode("utf-8")
        assert status == 200 and "首页" in page
        assert f"/rc/{stamp}mp_/{o}/a.html" in page, "links rewritten at the 304's date"
        status, _, body = fetch(f"{replay}rc/{stamp}mp_/{o}/a.html")   # and they replay
        assert status == 200 and "不变的页面" in body.decode("utf-8")


def test_turned_off_every_url_is_fetched_whole(recrawled: dict) -> None:
    home, server = recrawled["home"], recrawled["server"]
    before = {p.name for p in (home / "collections" / "rc" / "archive").iterdir()}
    asked = len(server.hits)
    time.sleep(1.1)
    run_cli(home, "crawl", "rc", env={**changing_site.ALLOW_PRIVATE,
                                      "DIANCANG_CRAWL_CONDITIONAL": "false"})
    assert not any("if-none-match" in hit.headers or "if-modified-since" in hit.headers
                   for hit in server.hits[asked:])
    found = records(new_files(home, before))
    profiles = {url: r["revisit"][0].get_header("WARC-Profile")
                for url, r in found.items() if "revisit" in r}
    assert profiles and all(p.endswith("/identical-payload-digest") for p in profiles.values())
    stats = json.loads(run_cli(home, "crawls", "--json").stdout)
    assert stats[-1]["status"] == "finished" and stats[-1]["revisits"] == len(profiles)
