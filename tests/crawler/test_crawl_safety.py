"""Staying out of trouble, through the real CLI against a misbehaving site: bodies cut at a size
and a time and marked ``WARC-Truncated``, robots.txt answering 503, private addresses refused,
redirects to other schemes not followed, cookies kept to their host."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.unruly_site import BIG, UnrulySite
from tests.support import run_cli, warcio_check

pytestmark = pytest.mark.slow   # crawls through the real CLI, in child processes

CAP = 1_000_000          # crawl.max_response_size in these crawls
DEADLINE = 1.5           # crawl.timeout in these crawls
PRIVATE_OK = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"}


def limits_env(**extra: str) -> dict[str, str]:
    return {**PRIVATE_OK, "DIANCANG_CRAWL_MAX_RESPONSE_SIZE": str(CAP),
            "DIANCANG_CRAWL_TIMEOUT": str(DEADLINE), "DIANCANG_CRAWL_RETRIES": "0", **extra}


def crawl(tmp_path: Path, name: str, seeds: list[str], env: dict[str, str],
          depth: int = 1) -> tuple[subprocess.CompletedProcess[str], dict, Path]:
    home = tmp_path / name
    run_cli(home, "init")
    listing = "".join(f"  - url: {url}\n" for url in seeds)
    seed_file = tmp_path / f"{name}.yaml"
    seed_file.write_text(f"collection: {name}\ndefaults: {{depth: {depth}, delay: 0, "
                         f"concurrency: 4, scope: host}}\nseeds:\n{listing}", encoding="utf-8")
    proc = run_cli(home, "crawl", name, "--seeds", str(seed_file), env=env, timeout=120)
    (summary,) = json.loads(run_cli(home, "crawls", "--json").stdout)
    stats = json.loads((home / "crawls" / str(summary["id"]) / "stats.json").read_text())
    return proc, stats, home


def responses(home: Path, name: str) -> dict[str, dict[str, str]]:
    """URL -> WARC headers (plus body length) of every response record; each file checked."""
    found: dict[str, dict[str, str]] = {}
    for warc in sorted((home / "collections" / name / "archive").glob("*.warc.gz")):
        check = warcio_check(warc)
        assert check.returncode == 0 and "digest fail" not in check.stdout, check.stdout
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    headers = dict(record.rec_headers.headers)
                    headers["_status"] = record.http_headers.get_statuscode()
                    headers["_length"] = str(len(record.content_stream().read()))
                    found[record.rec_headers.get_header("WARC-Target-URI")] = headers
    return found


@pytest.fixture()
def unruly() -> Iterator[UnrulySite]:
    site = UnrulySite().start()
    yield site
    site.stop()


def test_long_slow_and_broken_bodies_are_kept_cut_and_marked(
        unruly: UnrulySite, tmp_path: Path) -> None:
    _, summary, home = crawl(tmp_path, "unruly", [unruly.origin + "/"], limits_env())
    got = responses(home, "unruly")
    origin = unruly.origin
    big = got[origin + "/big-length.bin"]
    assert big["WARC-Truncated"] == "length" and int(big["_length"]) == CAP
    assert big["_status"] == "200"
    chunked = got[origin + "/big-chunked.html"]
    assert chunked["WARC-Truncated"] == "length" and int(chunked["_length"]) == CAP
    slow = got[origin + "/slow.html"]
    assert slow["WARC-Truncated"] == "time"
    assert 0 < int(slow["_length"]) < BIG
    cut = got[origin + "/cut-short.html"]
    assert cut["WARC-Truncated"] == "disconnect" and int(cut["_length"]) == 4000
    assert "WARC-Truncated" not in got[origin + "/"]
    stats = summary
    assert stats["truncated"] == {"length": 2, "time": 1, "disconnect": 1}, stats
    # robots.txt disallows /private/: refused and counted, never asked for
    assert not unruly.paths("/private/secret.html")
    assert stats["refused"]["robots-disallowed"] == 1


def test_redirects_to_other_schemes_are_kept_but_not_followed(
        unruly: UnrulySite, tmp_path: Path) -> None:
    _, _, home = crawl(tmp_path, "redirects", [unruly.origin + "/"], limits_env())
    got = responses(home, "redirects")
    assert got[unruly.origin + "/to-file"]["_status"] == "302"
    assert got[unruly.origin + "/to-data"]["_status"] == "302"
    assert not [url for url in got if not url.startswith("http")]


def test_a_cookie_never_follows_a_redirect_to_another_host(
        unruly: UnrulySite, tmp_path: Path) -> None:
    crawl(tmp_path, "cookies", [unruly.origin + "/"], limits_env())
    (check,) = unruly.paths("/cookie-check.html")
    assert check[0].startswith("localhost:")
    assert "Cookie" not in check[2] and "Authorization" not in check[2]


def test_an_unreachable_robots_txt_disallows_then_is_asked_again(tmp_path: Path) -> None:
    down, flaky = UnrulySite(robots="503").start(), UnrulySite(robots="503-then-ok").start()
    try:
        env = limits_env(DIANCANG_CRAWL_ROBOTS_RETRY_AFTER="0.3",
                         DIANCANG_CRAWL_ROBOTS_ATTEMPTS="3")
        _, summary, home = crawl(tmp_path, "robots", [down.origin + "/elsewhere.html",
                                                      flaky.origin + "/elsewhere.html"],
                                 env, depth=0)
    finally:
        down.stop()
        flaky.stop()
    # the host whose robots.txt never answers: asked three times, nothing else fetched
    assert [hit[1] for hit in down.hits] == ["/robots.txt"] * 3
    # the one that answers on the third try: its pages are fetched once the rules are known
    assert [hit[1] for hit in flaky.hits][:3] == ["/robots.txt"] * 3
    assert sorted(hit[1] for hit in flaky.hits[3:]) == ["/elsewhere.html", "/sitemap.xml"]
    # the seed page and the sitemap.xml of the host that never answered
    assert summary["refused"]["robots-unreachable"] == 2
    got = responses(home, "robots")
    assert flaky.origin + "/elsewhere.html" in got
    assert down.origin + "/elsewhere.html" not in got


def test_private_addresses_are_refused_unless_allowed(
        unruly: UnrulySite, tmp_path: Path) -> None:
    env = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "0"}
    proc, summary, home = crawl(tmp_path, "private", [unruly.origin + "/",
                                                      unruly.alt_origin + "/"], env)
    assert unruly.hits == []                     # not even robots.txt was asked for
    # both seed pages and both sitemap.xml, on either host name of the loopback address
    assert summary["refused"]["private-address"] == 4
    assert "private-address 4" in proc.stdout
    assert responses(home, "private") == {}


def test_memory_stays_bounded_while_big_bodies_stream(tmp_path: Path) -> None:
    """Sixteen 40 MB bodies at once, each cut at 1 MB: the crawl's peak memory stays far below
    what the whole bodies (640 MB) would take."""
    site = UnrulySite(big=40_000_000).start()
    try:
        home = tmp_path / "mem"
        run_cli(home, "init")
        seed_file = tmp_path / "mem.yaml"
        seed_file.write_text(
            f"collection: mem\ndefaults: {{depth: 1, delay: 0, concurrency: 16}}\n"
            f"seeds:\n  - url: {site.origin}/many-big.html\n", encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-m", "diancang.cli", "--home", str(home), "crawl", "mem",
             "--seeds", str(seed_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(os.environ, **limits_env(DIANCANG_CRAWL_CONCURRENCY="16")))
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out = child.stdout.read().decode() if child.stdout else ""
    finally:
        site.stop()
    assert child.returncode == 0, out
    got = responses(home, "mem")
    big = [h for url, h in got.items() if "/big-length.bin?" in url]
    assert len(big) == 16 and all(h["WARC-Truncated"] == "length" for h in big)
    peak_mb = usage.ru_maxrss / 1024            # kilobytes on Linux
    print(f"peak RSS of the crawl: {peak_mb:.0f} MB (16 x 40 MB bodies, cut at 1 MB)")
    assert peak_mb < 400, peak_mb
