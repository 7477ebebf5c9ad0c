"""A fixture site that changes between crawls (for recrawl, scheduler and report tests).

``build`` writes version 1 into a directory served by ``FixtureServer`` (which reads files
on every request, so editing them changes the live site); ``change`` makes version 2:

    version 1                     version 2
    /            index, links     unchanged
    /a.html      page             unchanged
    /b.html      page             changed
    /gone.html   page             deleted (404, still linked)
    /doc.pdf     attachment       unchanged
    /img/p.png   image            unchanged
                                  /new.html added (linked from b.html)

Both versions also answer /robots.txt and /sitemap.xml with the same 404 page.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diancang.demo.server import FixtureServer, png
from tests.support import run_cli

ALLOW_PRIVATE = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"}

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
IMAGE = png(6, 4, (20, 120, 200))
UNCHANGED = ("/", "/a.html", "/doc.pdf", "/img/p.png")


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>")


def build(root: Path) -> None:
    (root / "img").mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(_page("首页", (
        '<img src="/img/p.png"><a href="/a.html">甲</a> <a href="/b.html">乙</a> '
        '<a href="/gone.html">丙</a> <a href="/doc.pdf">文件</a>')), encoding="utf-8")
    (root / "a.html").write_text(_page("甲", "<p>不变的页面</p>"), encoding="utf-8")
    (root / "b.html").write_text(_page("乙", "<p>第一版</p>"), encoding="utf-8")
    (root / "gone.html").write_text(_page("丙", "<p>将被删除</p>"), encoding="utf-8")
    (root / "doc.pdf").write_bytes(PDF)
    (root / "img" / "p.png").write_bytes(IMAGE)


def change(root: Path) -> None:
    (root / "b.html").write_text(_page("乙", '<p>第二版</p><a href="/new.html">新</a>'),
                                 encoding="utf-8")
    (root / "gone.html").unlink()
    (root / "new.html").write_text(_page("新", "<p>新页面</p>"), encoding="utf-8")


def body(root: Path, path: str) -> bytes:
    return (root / ("index.html" if path == "/" else path.lstrip("/"))).read_bytes()


def crawl_twice(home: Path, root: Path, seed_list: str,
                env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Through the real CLI: init ``home``, crawl the collection of ``seed_list`` (YAML text)
    with the site at version 1, change ``root`` to version 2, crawl again.  Returns the first
    crawl's WARC file names and the second crawl's standard output."""
    collection = seed_list.split("collection:", 1)[1].split()[0]
    seeds = home.parent / f"{home.name}-seeds.yaml"
    seeds.write_text(seed_list, encoding="utf-8")
    env = {**ALLOW_PRIVATE, **(env or {})}
    run_cli(home, "init")
    run_cli(home, "crawl", collection, "--seeds", str(seeds), env=env)
    first = {p.name for p in (home / "collections" / collection / "archive").iterdir()}
    time.sleep(1.1)            # captures a second apart: distinct 14-digit timestamps
    change(root)
    return first, run_cli(home, "crawl", collection, env=env).stdout


@contextlib.contextmanager
def recrawled(tmp_path_factory: pytest.TempPathFactory, *,
              validators: bool = False) -> Iterator[dict[str, Any]]:
    """The site served (``validators``: with ETag, Last-Modified and 304s) and crawled twice
    into collection "rc" (no delay, four connections): its home, root, origin, the first
    crawl's files, the second crawl's output and the server."""
    root = tmp_path_factory.mktemp("site")
    build(root)
    server = FixtureServer(root, validators=validators).start()
    try:
        home = tmp_path_factory.mktemp("home")
        first, out = crawl_twice(
            home, root, f"collection: rc\nseeds:\n  - url: {server.origin}/\n"
                        f"defaults: {{delay: 0, concurrency: 4}}\n")
        yield {"home": home, "root": root, "origin": server.origin, "first": first,
               "stdout": out, "server": server}
    finally:
        server.stop()


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens (a seed there fails every crawl)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seeds_with_failures(collection: str, origin: str, dead: str) -> str:
    """A seed list of the site that excludes /a.html (one refusal a crawl) plus a seed at
    ``dead`` (robots.txt ignored), whose request and /sitemap.xml fail with a refused
    connection: a failed seed and errored requests, every crawl (crawl with no retries)."""
    return (f"collection: {collection}\ntitle: 变化的网站\n"
            f"defaults: {{delay: 0, concurrency: 4}}\nseeds:\n"
            f"  - url: {origin}/\n    exclude: ['/a.html']\n"
            f"  - url: {dead}\n    robots: ignore\n")
