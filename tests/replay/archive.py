"""A public collection of archived pages, written by the test (warcio) and indexed by pywb."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from catalog.curation import create_collection
from catalog.db import Catalog
from tests.support import run_cli

TIMESTAMP = "20250101000000"


def public_collection(home: Path, slug: str, pages: dict[str, bytes]) -> None:
    """``diancang init`` in ``home``, then collection ``slug`` holding ``pages`` (URL -> HTML
    body) captured at TIMESTAMP, public in the catalogue, indexed for pywb."""
    from pywb.indexer.cdxindexer import write_multi_cdx_index

    run_cli(home, "init")
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
    with catalog.session() as session:       # a public collection: anyone may replay it
        create_collection(session, slug, slug.title(), "site").public = True
    catalog.dispose()
    root = home / "collections" / slug
    (root / "archive").mkdir(parents=True)
    (root / "indexes").mkdir()
    warc = root / "archive" / f"{slug}.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in pages.items():
            headers = StatusAndHeaders("200 OK", [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": "2025-01-01T00:00:00Z"}))
    write_multi_cdx_index(str(root / "indexes" / "index.cdxj"), [str(warc)], sort=True,
                          cdxj=True)
