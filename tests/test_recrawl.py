"""Deduplication across crawls, end to end: crawl a site, change part of it, crawl again.

The second crawl writes revisit records for what did not change (read back with warcio),
the catalogue and the CDXJ index mark them, and the real pywb server replays them from the
first crawl's bytes: pages, images and PDFs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from catalog.db import Catalog
from catalog.digests import previous_captures
from catalog.models import Capture, Collection
from tests import changing_site
from tests.support import fetch, replay_server, run_cli, warcio_check

pytestmark = pytest.mark.slow   # two crawls and pywb through the real CLI, in child processes


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with changing_site.recrawled(tmp_path_factory) as data:
        yield data


def second_warc_records(data: dict) -> dict[str, tuple[str, object, object]]:
    archive = data["home"] / "collections" / "rc" / "archive"
    found = {}
    for path in sorted(archive.iterdir()):
        if path.name in data["first"]:
            continue
        check = warcio_check(path)
        assert check.returncode == 0 and "digest fail" not in check.stdout, check.stdout
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                if rec.rec_type in ("response", "revisit"):
                    found[rec.rec_headers.get_header("WARC-Target-URI")] = (
                        rec.rec_type, rec.rec_headers, rec.http_headers)
    return found


def test_unchanged_resources_become_revisits(recrawled: dict) -> None:
    o = recrawled["origin"]
    records = second_warc_records(recrawled)
    kinds = {url[len(o):]: kind for url, (kind, _, _) in records.items()}
    assert kinds == {"/": "revisit", "/a.html": "revisit", "/doc.pdf": "revisit",
                     "/img/p.png": "revisit", "/b.html": "response", "/gone.html": "response",
                     "/new.html": "response", "/robots.txt": "response",
                     "/sitemap.xml": "response"}
    _, warc, http = records[o + "/doc.pdf"]
    assert warc.get_header("WARC-Refers-To-Target-URI") == o + "/doc.pdf"
    assert warc.get_header("WARC-Refers-To-Date") < warc.get_header("WARC-Date")
    assert warc.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert http.get_statuscode() == "200"
    assert http.get_header("Content-Type") == "application/pdf"
    assert "4 unchanged (revisit records)" in recrawled["stdout"]


def test_catalogue_and_cdxj_mark_revisits(recrawled: dict) -> None:
    home, o = recrawled["home"], recrawled["origin"]
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
    with catalog.session() as s:
        revisits = set(s.scalars(select(Capture.url).where(Capture.record_type == "revisit")))
    catalog.dispose()
    assert revisits == {o + p for p in changing_site.UNCHANGED}
    lines = [json.loads(line.split(" ", 2)[2]) for cdxj in
             (home / "collections" / "rc" / "indexes").glob("*.cdxj")
             for line in cdxj.read_text(encoding="utf-8").splitlines()]
    assert {entry["url"] for entry in lines if entry["mime"] == "warc/revisit"} == revisits
    stats = json.loads(run_cli(home, "crawls", "--json").stdout)
    assert [c["status"] for c in stats] == ["finished", "finished"]
    assert stats[1]["revisits"] == len(revisits)
    assert all(c["warc_bytes"] > 0 for c in stats)



def test_pywb_replays_revisits_from_the_original_bytes(recrawled: dict) -> None:
    home, o, root = recrawled["home"], recrawled["origin"], recrawled["root"]
    records = second_warc_records(recrawled)
    run_cli(home, "collections", "set", "rc", "--public")
    with replay_server(home) as replay:
        for path in changing_site.UNCHANGED:
            _, warc, _ = records[o + path]
            when = warc.get_header("WARC-Date")
            stamp = "".join(c for c in when if c.isdigit())[:14]
            status, headers, body = fetch(f"{replay}rc/{stamp}id_/{o}{path}")
            assert status == 200, (path, body[:200])
            assert body == changing_site.body(root, path), path
            # the capture served is the revisit itself (its date), the payload the original's
            assert headers.get("Memento-Datetime"), headers
            assert time.strftime("%d %b %Y %H:%M:%S", time.strptime(stamp, "%Y%m%d%H%M%S")) \
                in headers["Memento-Datetime"], (path, headers["Memento-Datetime"])
        _, warc, _ = records[o + "/"]
        stamp = "".join(c for c in warc.get_header("WARC-Date") if c.isdigit())[:14]
        status, _, body = fetch(f"{replay}rc/{stamp}mp_/{o}/")
        assert status == 200 and "首页" in body.decode("utf-8")
        assert f"/rc/{stamp}" in body.decode("utf-8"), "links rewritten into the archive"


def test_the_digest_map_comes_out_the_same_from_a_rebuild(recrawled: dict) -> None:
    """The map the next crawl will load, kept file by file as the two crawls were indexed, is
    the one ``index --rebuild`` makes from the WARCs (the WARCs are the truth)."""
    home, o = recrawled["home"], recrawled["origin"]
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")

    def the_map() -> dict[str, tuple[str, str]]:
        with catalog.session() as s:
            coll_id = s.scalars(select(Collection.id).where(Collection.slug == "rc")).one()
            return {url: (o.digest, o.date) for url, o in previous_captures(s, coll_id).items()}

    kept = the_map()
    assert {o + p for p in changing_site.UNCHANGED} <= kept.keys()
    assert o + "/gone.html" not in kept, "a page that answered 404 is no original"
    run_cli(home, "index", "rc", "--rebuild")
    assert the_map() == kept
    catalog.dispose()
