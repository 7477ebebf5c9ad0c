"""What a site owner sees of a Diancang crawl: who is asking, how often, and robots.txt."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from diancang.demo.server import FixtureServer
from tests.support import FIXTURES, run_cli

pytestmark = pytest.mark.slow   # crawls through the real CLI, in child processes


def crawl(tmp_path: Path, site: FixtureServer, seed_options: str, **env: str) -> None:
    """``diancang crawl`` of the site's one seed (indented seed options) into a new home."""
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(f"collection: polite\nseeds:\n  - url: {site.origin}/\n"
                     f"    {seed_options}\n", encoding="utf-8")
    home = tmp_path / "home"
    run_cli(home, "init")
    run_cli(home, "crawl", "polite", "--seeds", str(seeds),
            env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", **env})


def test_user_agent_delay_and_robots_as_the_site_sees_them(tmp_path: Path) -> None:
    site = FixtureServer(FIXTURES / "site").start()
    try:
        crawl(tmp_path, site, "depth: 1\n    delay: 0.3\n    concurrency: 1",
              DIANCANG_OPERATOR_CONTACT="mailto:webarchive@library.example")
        own = [hit for hit in site.hits if hit.headers.get("host") == f"127.0.0.1:{site.port}"]
    finally:
        site.stop()
    assert own[0].target == "/robots.txt", "robots.txt is fetched before anything else"
    assert not [h for h in own if h.target.startswith("/private/")], "robots.txt is obeyed"
    for hit in own:
        agent = hit.headers["user-agent"]
        assert agent.startswith("Diancang/") and "mailto:webarchive@library.example" in agent
        # as a reader's browser in China asks, so a site choosing by language serves Chinese
        assert hit.headers["accept-language"] == "zh-CN,zh;q=0.9,en;q=0.8"   # crawl.accept_language
    assert len(own) >= 8
    # a redirect's target is asked for with the Referer of the page that linked to it
    moved, landed = (next(h for h in own if h.target == path)
                     for path in ("/old", "/redirected.html"))
    assert moved.headers["referer"] == f"{site.origin}/"
    assert landed.headers.get("referer") == moved.headers["referer"]
    gaps = [b.at - a.at for a, b in itertools.pairwise(own)]
    # Scrapy randomises the delay between 0.5x and 1.5x; one connection, so never overlapping
    assert min(gaps) >= 0.3 * 0.5 - 0.02, gaps
    assert sum(gaps) / len(gaps) >= 0.3 * 0.8, gaps


def test_connections_are_kept_alive_up_to_the_seed_concurrency(tmp_path: Path) -> None:
    """A seed's concurrency is also the size of the keep-alive pool for its host: the site sees
    that many connections for the whole crawl, not a new one every few requests."""
    site = FixtureServer(generate_pages=300, latency=0.01).start()
    try:
        crawl(tmp_path, site, "depth: 20\n    delay: 0\n    concurrency: 8",
              DIANCANG_CRAWL_CONCURRENCY="16")
    finally:
        site.stop()
    assert site.requests > 300
    assert site.connections <= 8, f"{site.connections} connections for {site.requests} requests"

