"""Indexing speed: our CDXJ step against ``cdxj-indexer``, and the full catalogue pass.

Crawls a generated site (default 2,000 pages) with ``diancang crawl`` once, then on the same
WARC files, several runs each, in this one process:

- the CDXJ step: records/s of ours (``warc_store.cdxj``: the fast reader and pywb-identical
  lines, sorted, written) against ``cdxj-indexer`` (``-s -p``: sorted, POST-appended, the
  same options we give pywb) and against pywb's own indexer, with the ratio to cdxj-indexer;
- the full catalogue pass, ``index --rebuild`` in-process (CDXJ, text extraction with
  trafilatura, gov metadata, jieba words, capture rows and the full-text index on SQLite),
  on ``--workers`` processes: HTML pages/s.

    python bench/index.py [--pages 2000] [--runs 5] [--workers 2]

Targets (issue 4): CDXJ records/s >= 2x cdxj-indexer's; >= 200 HTML pages/s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import start_site


def crawl(origin: str, home: Path) -> Path:
    seeds = home.parent / "seeds.yaml"
    seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                     "defaults: {depth: 20, delay: 0, concurrency: 16, max_pages: 100000}\n",
                     encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_CONCURRENCY="16",
               DIANCANG_CRAWL_ALLOW_PRIVATE="1")   # the bench site is on 127.0.0.1
    for args in (["init"], ["crawl", "bench", "--seeds", str(seeds)]):
        subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                       check=True, capture_output=True, env=env)
    return home / "collections" / "bench"


def time_cdxj(warcs: list[Path], out: Path, runs: int) -> dict[str, list[float]]:
    from cdxj_indexer.main import main as cdxj_indexer_main

    from warc_store.cdxj import index_warc, index_warc_pywb

    def ours(warc: Path, cdxj: Path) -> None:
        index_warc(warc, cdxj)

    def theirs(warc: Path, cdxj: Path) -> None:
        cdxj_indexer_main([str(warc), "-o", str(cdxj), "-s", "-p"])

    def pywb(warc: Path, cdxj: Path) -> None:
        index_warc_pywb(warc, cdxj)

    rates: dict[str, list[float]] = {"diancang": [], "cdxj-indexer": [], "pywb": []}
    for _ in range(runs):
        for name, fn in (("diancang", ours), ("cdxj-indexer", theirs), ("pywb", pywb)):
            lines = 0
            start = time.perf_counter()
            for warc in warcs:
                target = out / f"{name}-{warc.name}.cdxj"
                fn(warc, target)
            elapsed = time.perf_counter() - start
            for warc in warcs:
                with (out / f"{name}-{warc.name}.cdxj").open("rb") as fh:
                    lines += sum(1 for _ in fh)
            rates[name].append(lines / elapsed)
            rates[name + ":lines"] = [float(lines)]
    for warc in warcs:
        ours_text = (out / f"diancang-{warc.name}.cdxj").read_bytes()
        if ours_text != (out / f"pywb-{warc.name}.cdxj").read_bytes():
            raise SystemExit(f"{warc.name}: our CDXJ differs from pywb's")
    return rates


def time_catalogue(coll_dir: Path, db_url: str, runs: int, workers: int) -> list[tuple[float,
                                                                                        int]]:
    from catalog.db import Catalog
    from diancang.settings import Settings
    from indexer.index import index_collection

    pdf_max_bytes = Settings.defaults()["index.pdf_max_bytes"]
    catalog = Catalog(db_url)
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        result = index_collection(catalog, "bench", coll_dir / "archive", coll_dir / "indexes",
                                  rebuild=True, workers=workers, pdf_max_bytes=pdf_max_bytes)
        results.append((time.perf_counter() - start, result.pages))
    catalog.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    site, origin = start_site(args.pages)
    with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
        home = Path(tmp) / "home"
        try:
            coll_dir = crawl(origin, home)
        finally:
            site.terminate()
            site.wait()
        warcs = sorted((coll_dir / "archive").glob("*.warc.gz"))
        size = sum(w.stat().st_size for w in warcs)
        out = Path(tmp) / "cdxj"
        out.mkdir()
        rates = time_cdxj(warcs, out, args.runs)
        print(f"crawl: {len(warcs)} WARC files, {size / 1e6:.1f} MB, "
              f"{rates['diancang:lines'][0]:.0f} CDXJ lines; medians of {args.runs} runs")
        print(f"{'CDXJ step':28}{'records/s':>12}")
        for name in ("diancang", "cdxj-indexer", "pywb"):
            print(f"{name:28}{statistics.median(rates[name]):>12.0f}")
        ratio = statistics.median(rates["diancang"]) / statistics.median(rates["cdxj-indexer"])
        print(f"ratio diancang / cdxj-indexer: {ratio:.1f}x (target >= 2x); "
              f"our lines equal pywb's on every file")

        runs = time_catalogue(coll_dir, f"sqlite:///{home / 'catalog.sqlite'}",
                              max(3, args.runs // 2), args.workers)
        pages = runs[-1][1]
        rate = statistics.median(p / t for t, p in runs)
        print(f"\nfull catalogue pass (index --rebuild, SQLite, {args.workers} text workers, "
              f"{os.cpu_count()} CPUs): {pages} HTML pages with text")
        print("  per run (the first loads jieba's dictionary, about 1.5 s): " + ", ".join(
            f"{t:.2f} s = {p / t:.0f} pages/s" for t, p in runs))
        print(f"  median {statistics.median(t for t, _ in runs):.2f} s of {len(runs)} runs: "
              f"{rate:.0f} HTML pages/s (target >= 200)")


if __name__ == "__main__":
    main()
