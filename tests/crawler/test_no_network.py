"""No network but the crawled sites: a crawl of a site on 127.0.0.1 connects to nothing else
and looks up no other name (the public suffix list Scrapy's cookie handling needs is the one
tldextract ships, never downloaded).  Every connect and getaddrinfo of the crawl process (and
any process it starts) is recorded by an audit hook (network_guard/sitecustomize.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from diancang.demo.server import FixtureServer
from tests.support import run_cli

GUARD = Path(__file__).with_name("network_guard")

pytestmark = pytest.mark.slow


def cookie_site(root: Path) -> Path:
    """Two pages and a stylesheet; every answer sets a cookie, so Scrapy's cookie handling asks
    whether its domain is a public suffix."""
    root.mkdir()
    (root / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="/s.css"></head>'
        '<body><a href="/next.html">next</a></body></html>', encoding="utf-8")
    (root / "next.html").write_text("<html><body>next</body></html>", encoding="utf-8")
    (root / "s.css").write_text("body { color: black }", encoding="utf-8")
    cookie = {"Set-Cookie": "sid=1; Path=/"}
    (root / "_site.json").write_text(json.dumps({"headers": {
        "/": cookie, "/index.html": cookie, "/next.html": cookie}}), encoding="utf-8")
    return root


def test_a_crawl_of_a_loopback_site_reaches_nothing_else(tmp_path: Path) -> None:
    site = FixtureServer(cookie_site(tmp_path / "site")).start()
    log = tmp_path / "network.log"
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(f"collection: guarded\nseeds:\n  - url: {site.origin}/\n    delay: 0\n",
                     encoding="utf-8")
    home = tmp_path / "home"
    env = {
        "PYTHONPATH": os.pathsep.join([str(GUARD), os.environ.get("PYTHONPATH", "")]),
        "DIANCANG_TEST_NETWORK_LOG": str(log),
        "DIANCANG_CRAWL_ALLOW_PRIVATE": "1",
        # an empty cache: a suffix list not shipped would have to be downloaded now
        "TLDEXTRACT_CACHE": str(tmp_path / "tldextract-cache"),
    }
    try:
        run_cli(home, "init", env=env)
        run_cli(home, "crawl", "guarded", "--seeds", str(seeds), env=env)
    finally:
        site.stop()
    assert any(h.target == "/next.html" for h in site.hits), "the crawl went through"
    lines = log.read_text(encoding="utf-8").splitlines()
    connects = [line.split() for line in lines if line.startswith("connect ")]
    assert ["connect", "127.0.0.1", str(site.port)] in connects, lines
    elsewhere = [line for line in lines
                 if not line.startswith(("connect 127.0.0.1 ", "getaddrinfo '127.0.0.1' "))]
    assert elsewhere == []
