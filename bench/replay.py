"""Replay latency and throughput: what a reader's browser feels.

Crawls the generated site (bench/crawl.py's, default 50 pages) into collection ``bench`` with
the real ``diancang crawl``, makes it public, then starts the real ``diancang serve`` with one
worker and with ``--workers N`` (default: one per core) and measures, on 127.0.0.1:

- p50 latency of a replayed page (``/bench/<ts>mp_/<url>``) and of a CDX query
  (``/bench/cdx?url=...``), on a fresh connection per request and on one kept-alive
  connection (what every browser uses), alternating request by request: keep-alive must be
  no slower;
- requests/s of 8 client threads, each on its own kept-alive connection, replaying pages,
  against one worker and against N: the ratio is what several workers buy.

Each figure is the median of ``--runs`` runs; ratios are taken within one invocation.

    python bench/replay.py [--pages 50] [--requests 200] [--seconds 5] [--runs 3] [--workers N]

Targets (issue 16): keep-alive p50 <= fresh p50, <= 8 ms for a page and <= 3 ms for a CDX
query; with 8 kept-alive clients, >= 2x the requests/s of one pywb process.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawl import start_site

CLIENTS = 8
STALLS: list[str] = []        # requests of the throughput clients that got no answer


def cli(home: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                          check=True, capture_output=True, text=True, env=env).stdout


def build_collection(work: Path, pages: int) -> tuple[Path, list[str]]:
    """A crawled, public collection; returns the home and replay paths of its pages."""
    from catalog.collections import get_collection
    from catalog.db import Catalog

    site, origin = start_site(pages)
    home = work / "home"
    env = dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1")
    try:
        seeds = work / "seeds.yaml"
        seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                         f"defaults: {{depth: 20, delay: 0, concurrency: 8, "
                         f"max_pages: {pages}}}\n", encoding="utf-8")
        cli(home, "init", env=env)
        cli(home, "crawl", "bench", "--seeds", str(seeds), env=env)
    finally:
        site.terminate()
        site.wait()
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
    with catalog.session() as session:       # anonymous readers may replay it
        coll = get_collection(session, "bench")
        assert coll is not None
        coll.public = True
    catalog.dispose()
    paths = []
    for index in (home / "collections" / "bench" / "indexes").glob("*.cdxj"):
        for line in index.read_text(encoding="utf-8").splitlines():
            stamp = line.split(" ")[1]
            url = re.search(r'"url": "([^"]+)"', line)
            if url and '"mime": "text/html"' in line and '"status": "200"' in line:
                paths.append(f"/bench/{stamp}mp_/{url.group(1)}")
    if not paths:
        raise SystemExit("the crawl archived no page")
    return home, sorted(paths)


@contextmanager
def serving(home: Path, workers: int) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "serve", "--port", "0", "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        match = re.search(r"http://([\d.]+):(\d+)/", proc.stdout.readline())
        if not match:
            raise SystemExit("diancang serve did not start")
        host, port = match.group(1), int(match.group(2))
        for _ in range(workers * 3):           # every worker up (each builds pywb once)
            get(http.client.HTTPConnection(host, port, timeout=30), "/bench/cdx?url=x")
        yield host, port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def get(conn: http.client.HTTPConnection, path: str) -> None:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status}")


def p50_ms(server: tuple[str, int], paths: list[str], requests: int) -> tuple[float, float]:
    """p50 in ms on a fresh connection per request and on one kept-alive connection, the two
    alternating request by request, so that the machine's load weighs on both alike."""
    fresh, kept = [], []
    alive = http.client.HTTPConnection(*server, timeout=30)
    for n in range(requests):
        path = paths[n % len(paths)]
        conn = http.client.HTTPConnection(*server, timeout=30)
        start = time.perf_counter()
        get(conn, path)
        fresh.append(time.perf_counter() - start)
        conn.close()
        start = time.perf_counter()
        get(alive, path)
        kept.append(time.perf_counter() - start)
    alive.close()
    return statistics.median(fresh) * 1000, statistics.median(kept) * 1000


def throughput(server: tuple[str, int], paths: list[str], seconds: float) -> float:
    """Requests/s of CLIENTS threads on kept-alive connections; a client whose request gets
    no answer in 30 s stops, and is counted in STALLS."""
    done = [0] * CLIENTS
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(*server, timeout=30)
        n = k
        while time.perf_counter() < stop:
            try:
                get(conn, paths[n % len(paths)])
            except TimeoutError:
                STALLS.append(paths[n % len(paths)])
                break
            n += CLIENTS
            done[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - start)


def main() -> None:
    from diancang.serving import default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200, help="per latency figure")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput figure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        home, pages = build_collection(Path(tmp), args.pages)
        cdx = [f"/bench/cdx?url={quote(p.split('mp_/', 1)[1], safe='')}&limit=10"
               for p in pages]
        figures: dict[str, list[float]] = {}
        for run in range(args.runs):
            with serving(home, 1) as server:
                for name, paths in (("page", pages), ("cdx", cdx)):
                    fresh, kept = p50_ms(server, paths, args.requests)
                    figures.setdefault(f"{name} fresh", []).append(fresh)
                    figures.setdefault(f"{name} keep-alive", []).append(kept)
                figures.setdefault("req/s 1 worker", []).append(
                    throughput(server, pages, args.seconds))
            with serving(home, args.workers) as server:
                figures.setdefault(f"req/s {args.workers} workers", []).append(
                    throughput(server, pages, args.seconds))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr, flush=True)
    med = {key: statistics.median(values) for key, values in figures.items()}
    print(f"replay of {len(pages)} archived pages, medians of {args.runs} runs, "
          f"{args.requests} requests per latency figure, {CLIENTS} client threads; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, target in (("page", 8.0), ("cdx", 3.0)):
        fresh, keep = med[f"{name} fresh"], med[f"{name} keep-alive"]
        print(f"{name:5} p50: fresh {fresh:6.2f} ms, keep-alive {keep:6.2f} ms "
              f"(keep-alive/fresh {keep / fresh:.2f}; target <= 1.00 and <= {target:g} ms)")
    one, many = med["req/s 1 worker"], med[f"req/s {args.workers} workers"]
    print(f"throughput, {CLIENTS} kept-alive clients: 1 worker {one:.0f} req/s, "
          f"{args.workers} workers {many:.0f} req/s ({many / one:.2f}x; target >= 2x)")
    if STALLS:
        print(f"{len(STALLS)} throughput requests got no answer within 30 s (a stalled "
              f"worker)")


if __name__ == "__main__":
    main()
