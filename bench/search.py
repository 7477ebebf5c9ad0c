"""Search latency over a synthetic catalogue of 100,000+ captures (SQLite by default),
hits grouped by URL (about three captures each) as ``diancang search`` shows them.

Captures are synthesised straight into the catalogue (no crawl): each page's text is a run of
jieba dictionary words drawn by their corpus frequency (so common words are common), with a
title, a host among 200, a capture date in 2020-2024 and, for a third of the pages, gov
metadata (agency among 50, a 文号).  The full-text rows hold exactly what the indexer stores
for such a text (``search.words``: the words, their subwords).  Then ``search.query.search``
(what ``diancang search`` calls: match, count, rank, 20 hits with snippets) runs a fixed,
seeded mix of queries: one word of frequency rank 100-5,000, two words, a 文号, and one
word with a site, date-range or agency filter.  Printed: p50, p95 and max latency per kind
and overall, in wall-clock and CPU time (SQLite runs in this process: its CPU time is
the query's cost whatever else the machine is doing).

    python bench/search.py [--captures 100000] [--queries 400] [--url sqlite:///...]

Target (issue 4): p95 < 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from catalog.db import Catalog
from catalog.models import Capture, Collection, WarcFile
from search import fulltext
from search.query import search
from search.words import initialise, subwords

WORDS_PER_PAGE = 160
BATCH = 2000


def vocabulary() -> tuple[list[str], list[float]]:
    import jieba

    initialise()
    freq = jieba.dt.FREQ
    words = sorted((w for w, f in freq.items() if f and 2 <= len(w) <= 4
                    and all("\u4e00" <= c <= "\u9fff" for c in w)),
                   key=lambda w: -freq[w])[:40_000]
    return words, list(itertools.accumulate(float(freq[w]) for w in words))


def synthesise(catalog: Catalog, count: int, rng: random.Random,
               words: list[str], cum_weights: list[float]) -> None:
    now = datetime.now(UTC)
    agencies = [f"示范市第{i}局" for i in range(50)]
    hosts = [f"www.site{i}.gov.cn" for i in range(200)]
    nav = ["首页", "新闻", "动态", "通知", "公告", "政务", "公开", "办事", "服务", "互动", "交流"]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with catalog.session() as s:
        coll = Collection(slug="bench", title="bench", kind="site", schedule="once",
                          created=now, updated=now)
        s.add(coll)
        s.flush()
        warc = WarcFile(collection_id=coll.id, filename="bench.warc.gz", size=0, sha256="0",
                        records=0, closed=now)
        s.add(warc)
        s.flush()
        coll_id, warc_id = coll.id, warc.id
    made = 0
    while made < count:
        rows: list[dict[str, Any]] = []
        texts: list[tuple[str, str, str, str]] = []
        for i in range(made, min(count, made + BATCH)):
            body = rng.choices(words, cum_weights=cum_weights, k=WORDS_PER_PAGE)
            title = body[:6]
            gov = rng.random() < 0.33
            page = i % max(1, count // 3)                          # ~3 captures a URL
            host = hosts[page % len(hosts)]
            when = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
            doc_no = f"示府〔{when.year}〕{i % 500 + 1}号" if gov else None
            url = f"http://{host}/p/{page}.html"
            rows.append({
                "collection_id": coll_id, "warc_file_id": warc_id, "url": url,
                "surt": url, "timestamp": when.strftime("%Y%m%d%H%M%S"), "status": 200,
                "mime": "text/html", "digest": None, "offset": i, "length": 1,
                "record_type": "response", "host": host, "title": "".join(title),
                "text": "".join(w + ("，" if j % 9 == 8 else "") for j, w in enumerate(body)),
                "agency": rng.choice(agencies) if gov else None, "doc_no": doc_no,
            })
            extra = (["示府", str(when.year), str(i % 500 + 1), "号"] if gov else [])
            texts.append((" ".join(title), " ".join(body + extra), " ".join(nav),
                          " ".join(subwords(title + body + nav))))
        with catalog.session() as s:
            ids = s.scalars(insert(Capture).returning(Capture.id, sort_by_parameter_order=True),
                            rows).all()
            fulltext.store(s.connection(), [(i, *t) for i, t in zip(ids, texts, strict=True)])
        made += len(rows)


def queries(rng: random.Random, words: list[str], n: int) -> list[tuple[str, str, dict[str,
                                                                                     Any]]]:
    mid = words[100:5000]
    kinds: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            kinds.append(("one word", rng.choice(mid), {}))
        elif kind == 1:
            kinds.append(("two words", f"{rng.choice(mid)} {rng.choice(mid)}", {}))
        elif kind == 2:
            kinds.append(("文号", f"示府〔{rng.randrange(2020, 2025)}〕{rng.randrange(1, 501)}号",
                          {}))
        elif kind == 3:
            kinds.append(("word + site", rng.choice(mid),
                          {"site": f"site{rng.randrange(200)}.gov.cn"}))
        elif kind == 4:
            year = rng.randrange(2020, 2025)
            kinds.append(("word + dates", rng.choice(mid),
                          {"date_from": f"{year}-03-01", "date_to": f"{year}-05-31"}))
        else:
            kinds.append(("word + agency", rng.choice(mid),
                          {"agency": f"示范市第{rng.randrange(50)}局"}))
    return kinds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captures", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--url", help="catalogue URL (default: a new SQLite file; one that "
                        "holds captures already is searched as it is)")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
        catalog = Catalog(args.url or f"sqlite:///{Path(tmp) / 'catalog.sqlite'}")
        words, weights = vocabulary()
        t0 = time.perf_counter()
        with catalog.session() as s:
            have = s.scalar(select(func.count()).select_from(Capture))
        if have:                    # --url of a catalogue synthesised by an earlier run
            args.captures = have
        else:
            synthesise(catalog, args.captures, rng, words, weights)
        print(f"synthesised {args.captures} captures ({WORDS_PER_PAGE} words each) into "
              f"{catalog.engine.dialect.name} in {time.perf_counter() - t0:.0f} s")
        mix = queries(random.Random(args.seed + 1), words, args.queries)
        with catalog.session() as s:
            for query, filters in [(q, f) for _, q, f in mix[:20]]:     # warm the cache
                search(s, query, **filters)
            times: dict[str, list[float]] = {}
            cpu: dict[str, list[float]] = {}
            totals: dict[str, list[int]] = {}
            for kind, query, filters in mix:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = search(s, query, **filters)
                times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
                cpu.setdefault(kind, []).append((time.process_time() - start_cpu) * 1000)
                totals.setdefault(kind, []).append(result.total)
        catalog.dispose()
    every = [t for ts in times.values() for t in ts]
    every_cpu = [t for ts in cpu.values() for t in ts]
    print(f"{'queries':16}{'n':>5}{'median hits':>13}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
          f"{'CPU p50':>9}{'CPU p95':>9}")
    for kind, ts in times.items():
        print(f"{kind:16}{len(ts):>5}{statistics.median(totals[kind]):>13.0f}"
              f"{pct(ts, 0.5):>9.1f}{pct(ts, 0.95):>9.1f}{max(ts):>9.1f}"
              f"{pct(cpu[kind], 0.5):>9.1f}{pct(cpu[kind], 0.95):>9.1f}")
    print(f"{'all':16}{len(every):>5}{'':>13}{pct(every, 0.5):>9.1f}{pct(every, 0.95):>9.1f}"
          f"{max(every):>9.1f}{pct(every_cpu, 0.5):>9.1f}{pct(every_cpu, 0.95):>9.1f}")
    print(f"p95 {pct(every, 0.95):.1f} ms wall, {pct(every_cpu, 0.95):.1f} ms CPU (target "
          "< 50 ms on SQLite; on a loaded machine the CPU figure is the one to read)")


if __name__ == "__main__":
    main()
