"""Indexing speed: our CDXJ step against ``cdxj-indexer``, and the full catalogue pass.

Writes a site of realistic Chinese pages (default 2,000; ``diancang.fixture_text``: about
10 kB of varied article text each, portal navigation and news lists, a third GBK) into WARC
files with our writer, as a crawl stores them (``--crawl`` crawls the older generated site
with ``diancang crawl`` instead), then on the same WARC files, several runs each, in this one
process:

- the CDXJ step: records/s of ours (``warc_store.cdxj``: the fast reader and pywb-identical
  lines, sorted, written) against ``cdxj-indexer`` (``-s -p``: sorted, POST-appended, the
  same options we give pywb) and against pywb's own indexer, with the ratio to cdxj-indexer;
- the full catalogue pass as a crawl runs it, in-process (every file new to a catalogue that
  holds none of its rows: CDXJ, visible text with lxml, gov metadata, jieba-rs words,
  capture rows and the full-text index on SQLite), on ``--workers`` processes: HTML pages/s
  wall-clock, and the CPU milliseconds per page of this process and of its workers (on a
  loaded machine, pages per CPU-second is the figure to read), with the load average.

    python bench/index.py [--pages 2000] [--runs 5] [--workers 2] [--crawl]

Targets: CDXJ records/s >= 2x cdxj-indexer's (issue 4); >= 400 HTML pages/s on 2 cores
(issue 16).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# after the packages: bench/search.py must not shadow the "search" package
sys.path.append(str(Path(__file__).resolve().parent))

from crawl import start_site


def write_pages(home: Path, pages: int) -> Path:
    """The realistic site's pages as a crawl stores them: request/response pairs, rotating
    WARC files of 20 MB, a stylesheet fetched beside every tenth page."""
    from datetime import UTC, datetime, timedelta

    from diancang.fixture_text import page
    from warc_store.records import HttpExchange
    from warc_store.writer import WarcWriter

    coll_dir = home / "collections" / "bench"
    writer = WarcWriter(coll_dir / "archive", prefix="bench", hostname="bench",
                        max_size=20_000_000)
    when = datetime(2024, 3, 1, tzinfo=UTC)
    for i in range(pages):
        made = page(i, pages)
        content_type = "text/html" if made.encoding == "gbk" else "text/html; charset=utf-8"
        fetched = [(f"http://www.example.gov.cn/p/{i}.html", made.body(), content_type)]
        if i % 10 == 0:
            fetched.append((f"http://www.example.gov.cn/s/{i}.css", b"body{margin:0}" * 40,
                            "text/css"))
        for url, body, kind in fetched:
            writer.write_exchange(HttpExchange(
                url=url, method="GET", request_headers=[("Accept", "*/*")], request_body=b"",
                status=200, reason="OK", protocol="HTTP/1.1",
                response_headers=[("Content-Type", kind)], body=body,
                ip_address="127.0.0.1", date=when + timedelta(seconds=i)))
    writer.close()
    return coll_dir


def catalogue_for(home: Path) -> str:
    from catalog.collections import import_seed_list
    from catalog.db import Catalog
    from diancang.settings import Settings
    from seeds.model import Seed, SeedList

    url = f"sqlite:///{home / 'catalog.sqlite'}"
    catalog = Catalog(url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("bench", "bench", "site", "once",
                                     (Seed("http://www.example.gov.cn/",
                                           **Settings.defaults().seed_defaults),)))
    catalog.dispose()
    return url


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


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    pages: int
    cpu_main: float            # this process: reading, CDXJ, rows, full-text index
    cpu_workers: float         # the text workers: decoding, visible text, metadata, words

    @property
    def cpu(self) -> float:
        return self.cpu_main + self.cpu_workers


def time_catalogue(coll_dir: Path, db_url: str, runs: int, workers: int) -> list[Run]:
    """Each run indexes every file as a crawl's pass does (new files, into a catalogue that
    holds none of their rows: a copy of the empty one made beforehand, outside the timing);
    its workers end with it, so their CPU time is counted."""
    from catalog.db import Catalog
    from diancang.settings import Settings
    from indexer.collection import index_collection

    pdf_max_bytes = Settings.defaults()["index.pdf_max_bytes"]
    max_decoded_bytes = Settings.defaults()["index.max_decoded_bytes"]
    empty = Path(db_url.removeprefix("sqlite:///"))
    results = []
    for n in range(runs):
        db_file = empty.with_name(f"run-{n}.sqlite")
        shutil.copyfile(empty, db_file)
        shutil.rmtree(coll_dir / "indexes", ignore_errors=True)
        catalog = Catalog(f"sqlite:///{db_file}")
        start, (main0, kids0) = time.perf_counter(), _cpu()
        result = index_collection(catalog, "bench", coll_dir / "archive", coll_dir / "indexes",
                                  workers=workers, pdf_max_bytes=pdf_max_bytes,
                                  lease=60.0, max_decoded_bytes=max_decoded_bytes)
        seconds = time.perf_counter() - start
        main1, kids1 = _cpu()
        catalog.dispose()
        results.append(Run(seconds, result.pages, main1 - main0, kids1 - kids0))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--crawl", action="store_true",
                        help="crawl the generated site of bench/crawl.py instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
        home = Path(tmp) / "home"
        if args.crawl:
            site, origin = start_site(args.pages)
            try:
                coll_dir = crawl(origin, home)
            finally:
                site.terminate()
                site.wait()
        else:
            home.mkdir()
            coll_dir = write_pages(home, args.pages)
        db_url = catalogue_for(Path(tmp))      # an empty catalogue: each run copies it
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

        load = os.getloadavg()
        runs = time_catalogue(coll_dir, db_url, max(3, args.runs // 2), args.workers)
        pages = runs[-1].pages
        med = statistics.median
        rate = med(r.pages / r.seconds for r in runs)
        cpu_ms = med(1000 * r.cpu / r.pages for r in runs)
        print(f"\nfull catalogue pass (a crawl's: new files into the catalogue; SQLite, "
              f"{args.workers} text workers, {os.cpu_count()} CPUs): {pages} HTML pages with "
              f"text, {'crawled' if args.crawl else 'realistic Chinese, ~10 kB of text each'}")
        print("  per run (each starts its workers and loads the dictionaries): " + ", ".join(
            f"{r.seconds:.2f} s = {r.pages / r.seconds:.0f} pages/s ({r.cpu:.1f} CPU s)"
            for r in runs))
        print(f"  median of {len(runs)} runs: {rate:.0f} HTML pages/s wall-clock "
              f"(target >= 400 on 2 cores); CPU {cpu_ms:.2f} ms per page = "
              f"{med(1000 * r.cpu_main / r.pages for r in runs):.2f} in this process "
              f"(read, CDXJ, rows, full-text index) + "
              f"{med(1000 * r.cpu_workers / r.pages for r in runs):.2f} in the workers "
              f"(text, metadata, words)")
        print(f"  {1000 / cpu_ms:.0f} pages per CPU-second: x{args.workers} cores = "
              f"{args.workers * 1000 / cpu_ms:.0f} pages/s on an idle machine "
              f"(load average {load[0]:.2f} before the runs, "
              f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
