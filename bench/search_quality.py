"""Search quality on known-item queries over realistic Chinese pages, on SQLite and PostgreSQL.

A site of generated pages (``diancang.fixture_text``: portal chrome, news lists, gov tables,
articles composed from a varied sentence bank, a third in GBK) is written as WARC files and
indexed by the real indexer.  Then, from the words the catalogue holds for each page, a
labelled set of known-item queries is drawn (seeded): two or three words standing together in
one page only, each of which also occurs apart in at least three other pages, typed with
spaces between the words (``民国文献 研讨会``).  Printed per backend: P@1 (the page first),
recall@10 (the page in the top 10), the same typed without spaces, whether both backends
order the top 10 alike, and the word-boundary check (图书 never matches 试图书写); and, as
the baseline in the same run, P@1 of plain bm25 ranking (what search did before) on SQLite.

    python bench/search_quality.py [--pages 600] [--queries 240] [--postgres URL]

Targets (issue 15): P@1 >= 0.95 and recall@10 = 1.0 on both backends; 图书 not in 试图书写.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from catalog.collections import import_seed_list
from catalog.db import Catalog
from catalog.models import Capture
from diancang.fixture_text import page
from diancang.settings import Settings
from indexer.collection import index_collection
from search.query import search
from search.words import words
from seeds.model import Seed, SeedList
from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter

SEED_DEFAULTS = Settings.defaults().seed_defaults   # the archive's declared crawl.*

ORIGIN = "http://www.example.gov.cn"
_SENTENCE_END = re.compile(r"[。，；！？：、\n]")
BOUNDARY = {  # page -> text: 图书 must find the first, never the second
    "/library.html": "<title>市图书馆开放时间调整</title><p>新到图书三千册，欢迎读者借阅。</p>",
    "/writing.html": "<title>写作课程</title><p>他试图书写一部家族历史，课程每周二举行。</p>",
}


def write_site(archive: Path, pages: int) -> None:
    writer = WarcWriter(archive, prefix="quality", hostname="bench", max_size=50_000_000)
    when = datetime(2024, 3, 1, tzinfo=UTC)
    bodies = [(f"{ORIGIN}/p/{i}.html", p.body(), p.encoding)
              for i, p in ((i, page(i, pages)) for i in range(pages))]
    bodies += [(ORIGIN + path, f'<html><head><meta charset="utf-8">{html}</html>'.encode(),
                "utf-8") for path, html in BOUNDARY.items()]
    for n, (url, body, encoding) in enumerate(bodies):
        content_type = "text/html" if encoding == "gbk" else "text/html; charset=utf-8"
        writer.write_exchange(HttpExchange(
            url=url, method="GET", request_headers=[("Accept", "*/*")], request_body=b"",
            status=200, reason="OK", protocol="HTTP/1.1",
            response_headers=[("Content-Type", content_type)], body=body,
            ip_address="127.0.0.1", date=when + timedelta(seconds=n)))
    writer.close()


def index(url: str, coll_dir: Path) -> Catalog:
    catalog = Catalog(url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("quality", "检索质量", "site", "once",
                                     (Seed(ORIGIN + "/", **SEED_DEFAULTS),)))
    index_collection(catalog, "quality", coll_dir / "archive", coll_dir / "indexes", workers=2,
                     lease=60.0, pdf_max_bytes=1_000_000, max_decoded_bytes=10_000_000)
    return catalog


def labelled_queries(catalog: Catalog, count: int, seed: int) -> list[tuple[list[str], str]]:
    """(words, URL of the one page where they stand together in a sentence).  Unique means
    in the words as indexed: the title's, and the text's run together across paragraphs."""
    with catalog.session() as s:
        rows = s.execute(select(Capture.url, Capture.title, Capture.text)
                         .where(Capture.url.like("%/p/%"))).all()
    grams: dict[tuple[str, ...], set[str]] = defaultdict(set)
    pages_of: dict[str, set[str]] = defaultdict(set)
    sentences: dict[str, list[list[str]]] = {}
    for url, title, body in rows:
        for seq in (words(title or ""), words(body or "")):
            for w in seq:
                pages_of[w].add(url)
            for n in (2, 3):
                for i in range(len(seq) - n + 1):
                    grams[tuple(seq[i:i + n])].add(url)
        sentences[url] = [seq for seq in map(words, _SENTENCE_END.split(body or ""))
                          if len(seq) > 3]
    rng = random.Random(seed)
    urls = sorted(sentences)
    out: list[tuple[list[str], str]] = []
    while len(out) < count:
        url = rng.choice(urls)
        for _ in range(200):
            seq = rng.choice(sentences[url])
            n = rng.choice((2, 3))
            i = rng.randrange(len(seq) - n)
            window = seq[i:i + n]
            if (all(len(w) >= 2 and not w.isascii() for w in window)
                    and grams[tuple(window)] == {url}
                    and all(len(pages_of[w] - {url}) >= 3 for w in window)):
                out.append((window, url))
                break
    return out


def evaluate(catalog: Catalog, queries: list[tuple[list[str], str]], joiner: str,
             ) -> tuple[float, float, list[list[str]]]:
    first = found = 0
    orders = []
    with catalog.session() as s:
        for window, url in queries:
            hits = [h.url for h in search(s, joiner.join(window), limit=10).hits]
            first += bool(hits) and hits[0] == url
            found += url in hits
            orders.append(hits)
    return first / len(queries), found / len(queries), orders


def bm25_baseline(catalog: Catalog, queries: list[tuple[list[str], str]]) -> float:
    """P@1 of the ranking before phrases counted: SQLite's bm25 over the same words (title
    weighted up), every word required, the best capture's URL first."""
    first = 0
    with catalog.session() as s:
        for window, url in queries:
            match = " AND ".join('"' + w + '"' for w in window)
            top = s.execute(text(
                "SELECT c.url FROM captures c JOIN capture_fts ON capture_fts.rowid = c.id "
                "AND capture_fts MATCH :q ORDER BY bm25(capture_fts, 4.0, 1.0, 1.0, 0.5) "
                "LIMIT 1"), {"q": match}).scalar()
            first += top == url
    return first / len(queries)


def boundary_ok(catalog: Catalog) -> bool:
    with catalog.session() as s:
        hits = {h.url for h in search(s, "图书", group="none", limit=1000).hits}
    return ORIGIN + "/library.html" in hits and ORIGIN + "/writing.html" not in hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("DIANCANG_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL (default: $DIANCANG_TEST_POSTGRES_URL); the "
                             "bench works in a schema of its own and drops it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diancang-quality-") as tmp:
        coll_dir = Path(tmp) / "quality"
        write_site(coll_dir / "archive", args.pages)
        backends = [("sqlite", f"sqlite:///{Path(tmp) / 'catalog.sqlite'}")]
        schema = f"quality_{os.getpid()}"
        if args.postgres:
            backends.append(("postgresql", _schema_url(args.postgres, schema)))
        queries: list[tuple[list[str], str]] = []
        orders: dict[str, list[list[str]]] = {}
        print(f"{args.pages} pages (a third GBK), {args.queries} known-item queries of 2-3 "
              "words, each word also in >= 3 other pages")
        print(f"{'backend':12}{'typed':16}{'P@1':>7}{'recall@10':>11}")
        try:
            for name, url in backends:
                catalog = index(url, coll_dir)
                if not queries:
                    queries = labelled_queries(catalog, args.queries, args.seed)
                for typed, joiner in (("with spaces", " "), ("without spaces", "")):
                    p1, r10, order = evaluate(catalog, queries, joiner)
                    if joiner == " ":
                        orders[name] = order
                    print(f"{name:12}{typed:16}{p1:>7.3f}{r10:>11.3f}")
                if name == "sqlite":
                    print(f"{name:12}{'baseline bm25':16}{bm25_baseline(catalog, queries):>7.3f}"
                          "  (the ranking before: words anywhere, no proximity)")
                print(f"{name:12}图书 matches 图书馆, not 试图书写: {boundary_ok(catalog)}")
                catalog.dispose()
                for path in (coll_dir / "indexes").glob("*.cdxj"):
                    path.unlink()
        finally:
            if args.postgres:
                _drop_schema(args.postgres, schema)
        if len(orders) == 2:
            same = sum(a == b for a, b in zip(orders["sqlite"], orders["postgresql"],
                                              strict=True))
            print(f"top 10 in the same order on both backends: {same} of {len(queries)}")
    print("targets: P@1 >= 0.95 and recall@10 = 1.000 with spaces, on both backends")


def _schema_url(base: str, schema: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


if __name__ == "__main__":
    main()
