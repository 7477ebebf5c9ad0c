"""From seed list to WARC to replay, through the real command line.

Serves the fixture site (tests/fixtures/site) on 127.0.0.1, runs ``diancang crawl``, reads
every WARC back with warcio (and ``warcio check``), rebuilds the index, starts the real replay
server and fetches replayed pages, images and the TimeMap over HTTP.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from catalog.db import Catalog
from catalog.models import Capture
from diancang.demo.server import FixtureServer
from seeds.limits import human_bytes
from tests.support import FIXTURES, fetch, replay_server, run_cli, warcio_check

pytestmark = pytest.mark.slow   # a crawl and pywb through the real CLI, in child processes

SITE = FIXTURES / "site"
SMALL_WARC = "8000"   # bytes: forces rotation on the fixture site


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(SITE).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    seeds = home.parent / "seeds.yaml"
    seeds.write_text((SITE / "seeds.yaml").read_text(encoding="utf-8")
                     .replace("{{ORIGIN}}", site.origin), encoding="utf-8")
    run_cli(home, "init")
    env = {"DIANCANG_WARC_MAX_SIZE": SMALL_WARC, "DIANCANG_CRAWL_ALLOW_PRIVATE": "1"}
    proc = run_cli(home, "crawl", "fixture", "--seeds", str(seeds), env=env)
    return {"home": home, "stdout": proc.stdout, "origin": site.origin,
            "alt": site.origin.replace("127.0.0.1", "localhost")}


def warc_files(home: Path) -> list[Path]:
    return sorted((home / "collections" / "fixture" / "archive").iterdir())


def records(path: Path) -> list:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            # the stored bytes, still chunked and compressed as they came off the wire
            out.append((rec.rec_type, dict(rec.rec_headers.headers),
                        rec.http_headers, rec.raw_stream.read()))
    return out


def responses(home: Path) -> dict[str, tuple]:
    found = {}
    for path in warc_files(home):
        for rec_type, headers, http, body in records(path):
            if rec_type == "response":
                found[headers["WARC-Target-URI"]] = (http, body, headers)
    return found


def test_crawl_summary_and_history(crawled: dict) -> None:
    assert re.search(r"crawl \d+ of fixture finished", crawled["stdout"])
    out = run_cli(crawled["home"], "crawls", "--json").stdout
    history = json.loads(out)
    assert len(history) == 1
    crawl = history[0]
    for key in ("id", "collection", "status", "started", "finished", "pages", "bytes"):
        assert key in crawl
    assert crawl["collection"] == "fixture" and crawl["status"] == "finished"
    assert crawl["pages"] >= 15 and crawl["bytes"] > 1000
    stored = sum(p.stat().st_size for p in warc_files(crawled["home"]))
    assert crawl["warc_bytes"] == stored and crawl["rate"] > 0 and crawl["elapsed"] > 0
    table = run_cli(crawled["home"], "crawls").stdout.splitlines()
    assert table[0].split()[-6:] == ["pages", "revisits", "fetched", "stored", "errors",
                                     "pages/s"]
    assert table[1].split()[1:3] == ["fixture", "finished"]


def test_warcs_are_valid_rotated_and_closed(crawled: dict) -> None:
    files = warc_files(crawled["home"])
    assert len(files) >= 2, "the small warc.max_size should have rotated files"
    name = re.compile(r"^fixture-\d{17}-\d{5}-[\w.-]+\.warc\.gz$")
    for path in files:
        assert name.match(path.name), path.name
        check = warcio_check(path)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "digest pass" in check.stdout and "digest fail" not in check.stdout
        recs = records(path)
        assert recs[0][0] == "warcinfo"
        info = recs[0][3].decode("utf-8")
        for field in ("software: Diancang/", "operator:", "http-header-user-agent: Diancang/",
                      "robots: obey", "isPartOf: fixture", "format: WARC File Format 1.1"):
            assert field in info, field
        ids = {}
        for _, headers, _, _ in recs[1:]:
            assert headers["WARC-Type"] in ("request", "response")
            ids[headers["WARC-Record-ID"]] = headers
        for headers in ids.values():
            if headers["WARC-Type"] == "request":
                partner = ids[headers["WARC-Concurrent-To"]]
                assert partner["WARC-Type"] == "response"
                assert partner["WARC-Target-URI"] == headers["WARC-Target-URI"]
            else:
                assert headers["WARC-IP-Address"] == "127.0.0.1"
                assert headers["WARC-Payload-Digest"].startswith("sha1:")
                assert headers["WARC-Block-Digest"].startswith("sha1:")


def test_scope_requisites_robots_and_redirects(crawled: dict) -> None:
    got = responses(crawled["home"])
    o, alt = crawled["origin"], crawled["alt"]
    for path in ("/", "/gbk.html", "/gbk-header.html", "/css/main.css", "/css/more.css",
                 "/img/a.png", "/img/bg.png", "/img/more.png", "/js/app.js", "/robots.txt",
                 "/old", "/redirected.html", "/chunked.html", "/news/gzip.html",
                 "/missing.html", "/deep/1.html"):
        assert o + path in got, f"{path} was not captured"
    assert alt + "/img/offhost.png" in got, "an off-host requisite must be captured"
    assert alt + "/outside.html" not in got, "an off-host link must not be followed"
    assert o + "/private/secret.html" not in got, "robots.txt disallows /private/"
    assert o + "/excluded/calendar.html" not in got, "excluded by the seed's exclude pattern"
    assert o + "/deep/3.html" in got and o + "/deep/4.html" not in got, "the seed's depth is 3"
    assert got[o + "/old"][0].get_statuscode() == "301"
    assert got[o + "/missing.html"][0].get_statuscode() == "404"
    # gzip stays gzip in the WARC: the raw response, before decompression
    gz_http, gz_body, _ = got[o + "/news/gzip.html"]
    assert gz_http.get_header("Content-Encoding") == "gzip"
    assert gz_body[:2] == b"\x1f\x8b"
    # the chunked response's header matches the stored bytes (warcio de-chunks on read)
    ch_http, ch_body, _ = got[o + "/chunked.html"]
    assert ch_http.get_header("Transfer-Encoding") == "chunked"
    original = (SITE / "chunked.html").read_bytes().replace(b"{{ORIGIN}}", o.encode())
    assert ch_body != original and ChunkedDataReader(io.BytesIO(ch_body)).read() == original


def test_every_capture_is_in_the_catalogue_and_rebuild_is_identical(crawled: dict) -> None:
    home = crawled["home"]
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")

    def rows() -> list[tuple]:
        with catalog.session() as s:
            return sorted(s.execute(select(Capture.url, Capture.timestamp, Capture.status,
                                           Capture.mime, Capture.digest, Capture.offset,
                                           Capture.length)).all())

    before = rows()
    assert {r[0] for r in before} == set(responses(home)), "one capture row per response"
    cdxj = list((home / "collections" / "fixture" / "indexes").glob("*.cdxj"))
    assert len(cdxj) == len(warc_files(home))
    rebuilt = run_cli(home, "index", "--rebuild")
    assert rows() == before
    # a line per WARC file as it is indexed, counting up to all of them
    files = sorted(p.name for p in warc_files(home))
    lines = [line for line in rebuilt.stderr.splitlines() if line.startswith("  [")]
    assert [line.split("] ")[1].split(":")[0] for line in lines] == files
    assert lines[-1].startswith(f"  [{len(files)}/{len(files)}] ")
    total = human_bytes(sum(p.stat().st_size for p in warc_files(home)))
    assert f"{total} of {total} at " in lines[-1]


@pytest.fixture(scope="module")
def replay(crawled: dict) -> Iterator[str]:
    run_cli(crawled["home"], "collections", "set", "fixture", "--public")
    with replay_server(crawled["home"]) as base:
        yield base



def test_replay_pages_images_and_gbk(crawled: dict, replay: str) -> None:
    o = crawled["origin"]
    status, _, body = fetch(f"{replay}fixture/2/{o}/")
    assert status == 200 and b"replay_iframe" in body, "the framed page with pywb's banner"
    status, headers, body = fetch(f"{replay}fixture/2mp_/{o}/")
    assert status == 200 and "测试首页" in body.decode("utf-8")
    assert "default-src" in headers.get("Content-Security-Policy", ""), "replay sends a CSP"
    assert '/fixture/2' in body.decode("utf-8") and f'"{o}/gbk.html"' not in body.decode(),\
        "links are rewritten into the archive"
    status, _, body = fetch(f"{replay}fixture/2id_/{o}/img/a.png")
    assert status == 200 and body == (SITE / "img" / "a.png").read_bytes()
    status, _, body = fetch(f"{replay}fixture/2id_/{crawled['alt']}/img/offhost.png")
    assert status == 200 and body[:8] == b"\x89PNG\r\n\x1a\n"
    # GBK page: byte-identical in id_ mode, and its Chinese title right in rewritten mode
    original = (SITE / "gbk.html").read_bytes().replace(b"{{ORIGIN}}", o.encode())
    status, _, body = fetch(f"{replay}fixture/2id_/{o}/gbk.html")
    assert status == 200 and body == original
    status, headers, body = fetch(f"{replay}fixture/2mp_/{o}/gbk.html")
    charset = re.search(r"charset=([\w-]+)", headers.get("Content-Type", "")) or None
    text = body.decode(charset.group(1) if charset else "gbk")
    assert "<title>政府信息公开目录</title>" in text


def test_calendar_and_timemap(crawled: dict, replay: str) -> None:
    o = crawled["origin"]
    status, _, _ = fetch(f"{replay}fixture/*/{o}/")
    assert status == 200
    status, headers, body = fetch(f"{replay}fixture/timemap/link/{o}/gbk.html")
    assert status == 200 and "link-format" in headers.get("Content-Type", "")
    timemap = body.decode("utf-8")
    mementos = re.findall(r'<([^>]+)>; rel="(?:first |last |first last )?memento"', timemap)
    assert len(mementos) == 1 and mementos[0].endswith(f"/{o}/gbk.html")


def test_unknown_collection_and_bad_seed_file_errors(crawled: dict, tmp_path: Path) -> None:
    home = crawled["home"]
    proc = run_cli(home, "crawl", "nosuch", check=False)
    assert proc.returncode == 2 and "no collection 'nosuch'" in proc.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("collection: fixture\nseeds:\n  - url: ftp://x\n    scope: site\n",
                   encoding="utf-8")
    proc = run_cli(home, "seeds", "validate", str(bad), check=False)
    assert proc.returncode == 2
    assert f"{bad}:3: " in proc.stderr and f"{bad}:4: " in proc.stderr
    proc = run_cli(home, "seeds", "import", str(bad), check=False)
    assert proc.returncode == 2 and "nothing was written" in proc.stderr
    # the catalogue still has only the fixture collection's one crawl
    assert len(json.loads(run_cli(home, "crawls", "--json").stdout)) == 1


def test_ctrl_c_stops_cleanly_with_every_warc_closed(tmp_path: Path) -> None:
    slow = FixtureServer(generate_pages=400, latency=0.2).start()
    try:
        seeds = tmp_path / "seeds.yaml"
        seeds.write_text(f"collection: slow\nseeds:\n  - url: {slow.origin}/\n"
                         f"defaults: {{depth: 50, delay: 0, concurrency: 4}}\n", encoding="utf-8")
        home = tmp_path / "home"
        run_cli(home, "init")
        proc = subprocess.Popen(
            [sys.executable, "-m", "diancang.cli", "--home", str(home), "crawl", "slow",
             "--seeds", str(seeds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1"))
        archive = home / "collections" / "slow" / "archive"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            opened = list(archive.glob("*.open")) if archive.exists() else []
            if opened and opened[0].stat().st_size > 20_000:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "stopped" in out
        assert not list(archive.glob("*.open"))
        for path in archive.glob("*.warc.gz"):
            check = warcio_check(path)
            assert check.returncode == 0, check.stdout
        crawl = json.loads(run_cli(home, "crawls", "--json").stdout)[0]
        assert crawl["status"] == "stopped" and crawl["pages"] > 0
    finally:
        slow.stop()
