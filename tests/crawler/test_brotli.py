"""A site that answers in ``br``: the crawl follows the links of a brotli-compressed page
(which pywb's ``brotlipy``, found under ``import brotli``, cannot decode for Scrapy), the WARC
keeps the body as it came, still compressed, and the indexer reads the page's text."""

from __future__ import annotations

import json
from pathlib import Path

import brotlicffi
import pytest
from warcio.archiveiterator import ArchiveIterator

from diancang.demo.server import FixtureServer
from tests.support import run_cli

PAGE = ('<!doctype html><html><head><meta charset="utf-8"><title>压缩的首页</title></head>'
        '<body><p>brotli 编码的页面</p><a href="/a.html">a</a> <a href="/b.html">b</a>'
        '</body></html>').encode()


@pytest.mark.slow
def test_links_of_a_br_page_are_followed(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_bytes(brotlicffi.compress(PAGE))
    for name in ("a", "b"):
        (root / f"{name}.html").write_text(f"<html><title>{name}</title></html>",
                                           encoding="utf-8")
    (root / "_site.json").write_text(json.dumps(
        {"headers": {"/": {"Content-Encoding": "br"}}}), encoding="utf-8")
    server = FixtureServer(root).start()
    try:
        home = tmp_path / "home"
        run_cli(home, "init")
        seeds = tmp_path / "seeds.yaml"
        seeds.write_text(f"collection: br\nseeds:\n  - url: {server.origin}/\n"
                         "defaults: {depth: 2, delay: 0}\n", encoding="utf-8")
        run_cli(home, "crawl", "br", "--seeds", str(seeds),
                env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"})
    finally:
        server.stop()
    stored = {}
    for warc in (home / "collections" / "br" / "archive").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    stored[url] = (record.http_headers.get_header("Content-Encoding"),
                                   record.raw_stream.read())
    origin = server.origin
    assert {f"{origin}/a.html", f"{origin}/b.html"} <= stored.keys()
    assert stored[f"{origin}/"] == ("br", brotlicffi.compress(PAGE))
    found = json.loads(run_cli(home, "search", "压缩的首页", "--json").stdout)
    assert [hit["url"] for hit in found] == [f"{origin}/"]
