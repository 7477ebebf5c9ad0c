"""Replay latency and throughput: what a reader's browser feels.

Crawls the generated site (bench/crawl.py's, default 50 pages) into collection ``bench`` with
the real ``diancang crawl``, makes it public, then measures on 127.0.0.1, against one plain
pywb process (pywb's FrontEndApp on gevent's WSGIServer, as ``wayback`` runs it) and the real
``diancang serve`` (one worker, and ``--workers N``, default one per core):

- p50 latency of a replayed page (``/bench/<ts>mp_/<url>``) and of a CDX query
  (``/bench/cdx?url=...``), on a fresh connection per request and on one kept-alive
  connection (what every browser uses), alternating request by request: keep-alive must be
  no slower; and the server's CPU time per request over those (sequential) requests, the
  figure the machine's load does not change much;
- requests/s of 1 and of 8 client threads, each on its own kept-alive connection, replaying
  pages, against the plain pywb process and against ``diancang serve --workers N``.

Each figure is the median of ``--runs`` runs; ratios are taken within one invocation.

    python bench/replay.py [--pages 50] [--requests 100] [--seconds 3] [--runs 3] [--workers N]
                           [--keep DIR | --home DIR/home]

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
    return home, replay_paths(home)


def replay_paths(home: Path) -> list[str]:
    """The replay paths of the HTML pages of collection ``bench`` in ``home``."""
    paths = []
    for index in (home / "collections" / "bench" / "indexes").glob("*.cdxj"):
        for line in index.read_text(encoding="utf-8").splitlines():
            stamp = line.split(" ")[1]
            url = re.search(r'"url": "([^"]+)"', line)
            if url and '"mime": "text/html"' in line and '"status": "200"' in line:
                paths.append(f"/bench/{stamp}mp_/{url.group(1)}")
    if not paths:
        raise SystemExit("the crawl archived no page")
    return sorted(paths)


PLAIN_PYWB = """
from gevent.monkey import patch_all; patch_all()
import os, sys
os.chdir(sys.argv[1])
from pywb.apps.frontendapp import FrontEndApp
from pywb.utils.geventserver import GeventServer, RequestURIWSGIHandler
app = FrontEndApp(config_file="config.yaml")
server = GeventServer(app, port=0, hostname="127.0.0.1", handler_class=RequestURIWSGIHandler)
print(f"http://127.0.0.1:{server.port}/", flush=True)
server.join()
"""


@contextmanager
def serving(home: Path, workers: int) -> Iterator[Server]:
    """``diancang serve --workers N``, or with ``workers`` 0 one plain pywb process as
    ``wayback`` runs it (pywb's FrontEndApp on gevent's WSGIServer, no gate, no gunicorn)."""
    if workers:
        cmd = [sys.executable, "-m", "diancang.cli", "--home", str(home), "serve",
               "--port", "0", "--workers", str(workers)]
    else:
        cmd = [sys.executable, "-c", PLAIN_PYWB, str(home)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        match = re.search(r"http://([\d.]+):(\d+)/", proc.stdout.readline())
        if not match:
            raise SystemExit("the replay server did not start")
        # whatever else it prints (plain pywb: a line per index lookup) is drained, or the
        # pipe would fill and block the server
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        server = Server(match.group(1), int(match.group(2)), proc.pid)
        for _ in range(max(1, workers) * 3):   # every worker up (each builds pywb once)
            get(http.client.HTTPConnection(server.host, server.port, timeout=30),
                "/bench/cdx?url=x")
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


class Server:
    def __init__(self, host: str, port: int, pid: int):
        self.host, self.port, self.pid = host, port, pid

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's process and its workers (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        children: dict[int, list[int]] = {}
        times: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            times[int(entry)] = int(fields[11]) + int(fields[12])
        total, stack = 0, [self.pid]
        while stack:
            pid = stack.pop()
            total += times.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total / tick


def get(conn: http.client.HTTPConnection, path: str) -> None:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status}")


def p50_ms(server: Server, paths: list[str], requests: int) -> tuple[float, float, float]:
    """p50 in ms on a fresh connection per request and on one kept-alive connection, the two
    alternating request by request, so that the machine's load weighs on both alike; and the
    server's CPU ms per request over both (the requests are sequential: its own work only)."""
    fresh, kept = [], []
    alive = server.connect()
    cpu = server.cpu_seconds()
    for n in range(requests):
        path = paths[n % len(paths)]
        conn = server.connect()
        start = time.perf_counter()
        get(conn, path)
        fresh.append(time.perf_counter() - start)
        conn.close()
        start = time.perf_counter()
        get(alive, path)
        kept.append(time.perf_counter() - start)
    cpu = server.cpu_seconds() - cpu
    alive.close()
    return (statistics.median(fresh) * 1000, statistics.median(kept) * 1000,
            cpu / (2 * requests) * 1000)


def throughput(server: Server, paths: list[str], seconds: float, clients: int) -> float:
    """Requests/s of ``clients`` threads on kept-alive connections; a client whose request
    gets no answer in 30 s stops, and is counted in STALLS."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = server.connect()
        n = k
        while time.perf_counter() < stop:
            try:
                get(conn, paths[n % len(paths)])
            except (TimeoutError, ConnectionError):
                STALLS.append(paths[n % len(paths)])
                break
            n += clients
            done[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
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
    parser.add_argument("--requests", type=int, default=100, help="per latency figure")
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--home", type=Path, help="reuse the home of an earlier run (kept "
                        "with --keep) instead of crawling")
    parser.add_argument("--keep", type=Path, help="build the collection in this directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        if args.home:
            home, pages = args.home, replay_paths(args.home)
        else:
            home, pages = build_collection(args.keep or Path(tmp), args.pages)
        cdx = [f"/bench/cdx?url={quote(p.split('mp_/', 1)[1], safe='')}&limit=10"
               for p in pages]
        figures: dict[str, list[float]] = {}

        def note(key: str, value: float) -> None:
            figures.setdefault(key, []).append(value)

        for run in range(args.runs):
            for server_name, workers in (("pywb", 0), ("ours", 1)):
                with serving(home, workers) as server:
                    for name, paths in (("page", pages), ("cdx", cdx)):
                        fresh, kept, cpu = p50_ms(server, paths, args.requests)
                        note(f"{server_name} {name} fresh", fresh)
                        note(f"{server_name} {name} keep-alive", kept)
                        note(f"{server_name} {name} cpu", cpu)
                    if server_name == "pywb":
                        for clients in (1, CLIENTS):
                            note(f"pywb {clients}", throughput(server, pages, args.seconds,
                                                               clients))
            with serving(home, args.workers) as server:
                for clients in (1, CLIENTS):
                    note(f"ours {clients}", throughput(server, pages, args.seconds, clients))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr, flush=True)
    med = {key: statistics.median(values) for key, values in figures.items()}
    print(f"replay of {len(pages)} archived pages, medians of {args.runs} runs, "
          f"{args.requests} requests per latency figure; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, target in (("page", 8.0), ("cdx", 3.0)):
        for server_name, label in (("ours", "diancang serve, 1 worker"),
                                   ("pywb", "plain pywb process")):
            fresh = med[f"{server_name} {name} fresh"]
            keep = med[f"{server_name} {name} keep-alive"]
            cpu = med[f"{server_name} {name} cpu"]
            aim = f"; target <= 1.00 and <= {target:g} ms" if server_name == "ours" else ""
            print(f"{name:4} p50 {label:25}: fresh {fresh:6.2f} ms, keep-alive {keep:6.2f} ms "
                  f"(keep-alive/fresh {keep / fresh:.2f}{aim}); server CPU {cpu:5.2f} ms "
                  f"a request")
        ratio = med[f"ours {name} cpu"] / med[f"pywb {name} cpu"]
        print(f"{name:4} server CPU a request, diancang/plain pywb: {ratio:.2f}")
    for clients in (1, CLIENTS):
        one, ours = med[f"pywb {clients}"], med[f"ours {clients}"]
        aim = "; target >= 2x" if clients == CLIENTS else ""
        print(f"throughput, {clients} kept-alive client{'s' if clients > 1 else ''}: "
              f"plain pywb process {one:.0f} req/s, diancang serve with {args.workers} "
              f"workers {ours:.0f} req/s ({ours / one:.2f}x{aim})")
    if STALLS:
        print(f"{len(STALLS)} throughput requests got no answer within 30 s (a stalled "
              f"worker)")


if __name__ == "__main__":
    main()
