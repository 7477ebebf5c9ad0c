"""Distributed crawling: pages/s of ``diancang crawl --workers N`` for 1, 2 and 4 workers.

The site is latency-bound and has many hosts: ``--hosts`` generated sites on the loopback
addresses 127.0.0.2, 127.0.0.3, ... (each its own host to the crawler), every response
delayed ``--latency`` seconds, served by one separate process.  Each host allows one
connection (the seed's ``concurrency: 1``, no delay) and each worker ``--connections`` at
once (``crawl.concurrency``): a worker's rate is bounded by waiting, not by CPU, so more
workers (each leasing hosts of its own from the Redis frontier) fetch more.

    python bench/scale.py [--hosts 16] [--pages 20] [--latency 0.1] [--connections 2]
                          [--runs 2] [--workers 1,2,4] [--redis URL]

Per worker count: medians over the runs of responses/s and HTML pages/s between the first and
the last capture (WARC-Date of the response records, in all the workers' files), of the same
within the window in which every worker was capturing (start-up skew left out), and the CPU
ms per response of all processes (coordinator, workers, indexing); and each rate's ratio to
one worker's.  Target (issue 17): 2 workers >= 1.7x one worker.  The Redis server is
``--redis`` (default ``$DIANCANG_TEST_REDIS_URL`` or redis://127.0.0.1:6379/0), under a key
prefix of its own, removed afterwards; the catalogue is each run's own SQLite file.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

SERVE = """
import sys, time
from diancang.demo.server import FixtureServer
hosts, pages, latency = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sites = [FixtureServer(host=f"127.0.0.{i}", generate_pages=pages, latency=latency).start()
         for i in range(2, 2 + hosts)]
print(" ".join(s.origin for s in sites), flush=True)
sys.stdin.read()
"""


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def capture_times(archive: Path) -> dict[str, list[tuple[float, bool]]]:
    """Per worker (from its files' names): (capture time, is HTML) of each response."""
    from warcio.archiveiterator import ArchiveIterator

    out: dict[str, list[tuple[float, bool]]] = {}
    for path in sorted(archive.glob("*.warc.gz")):
        worker = path.name.split("-")[1]
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                when = datetime.fromisoformat(
                    record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                mime = record.http_headers.get_header("Content-Type") or ""
                out.setdefault(worker, []).append((when.timestamp(), "html" in mime))
    return out


def one_run(origins: list[str], workers: int, args: argparse.Namespace,
            work: Path) -> dict[str, float]:
    home = work / "home"
    seeds = work / "seeds.yaml"
    seeds.write_text("collection: scale\n"
                     "defaults: {depth: 20, delay: 0, concurrency: 1, browser: off}\n"
                     "seeds:\n" + "".join(f"  - url: {o}/\n" for o in origins),
                     encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1",
               DIANCANG_CRAWL_CONCURRENCY=str(args.connections),
               DIANCANG_FRONTIER_URL=args.redis, DIANCANG_FRONTIER_PREFIX=args.prefix,
               DIANCANG_INDEX_WORKERS="1")
    cli = [sys.executable, "-m", "diancang.cli", "--home", str(home)]
    subprocess.run([*cli, "init"], check=True, capture_output=True, env=env)
    subprocess.run([*cli, "seeds", "import", str(seeds)], check=True, capture_output=True,
                   env=env)
    cpu0, t0 = child_cpu(), time.perf_counter()
    subprocess.run([*cli, "crawl", "scale", "--workers", str(workers)], check=True,
                   capture_output=True, env=env)
    wall, cpu = time.perf_counter() - t0, child_cpu() - cpu0
    times = capture_times(home / "collections" / "scale" / "archive")
    every = sorted(t for own in times.values() for t in own)
    span = every[-1][0] - every[0][0]
    start = max(min(t for t, _ in own) for own in times.values())
    end = min(max(t for t, _ in own) for own in times.values())
    inside = [t for t in every if start <= t[0] <= end]
    steady = len(inside) / (end - start) if end - start > 1 and len(times) == workers \
        else float("nan")
    return {"responses": len(every), "pages": sum(html for _, html in every),
            "responses_per_s": len(every) / span,
            "pages_per_s": sum(html for _, html in every) / span,
            "steady_per_s": steady, "workers_capturing": len(times),
            "wall": wall, "cpu_ms_per_response": 1000 * cpu / len(every)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--pages", type=int, default=20, help="pages per host")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--connections", type=int, default=2, help="per worker")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--redis", default=os.environ.get("DIANCANG_TEST_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    args.prefix = f"bench_scale_{uuid.uuid4().hex[:8]}"
    counts = [int(n) for n in args.workers.split(",")]
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(args.hosts), str(args.pages),
                               str(args.latency)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    origins = server.stdout.readline().split()
    results: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    try:
        for run in range(args.runs):
            for n in counts:          # interleaved, so load drifts touch every count alike
                with tempfile.TemporaryDirectory(prefix="diancang-scale-") as tmp:
                    result = one_run(origins, n, args, Path(tmp))
                results[n].append(result)
                print(f"run {run + 1}, {n} workers: {result['responses']} responses, "
                      f"{result['responses_per_s']:.1f}/s, steady {result['steady_per_s']:.1f}"
                      f"/s, {result['workers_capturing']} workers capturing, "
                      f"{result['cpu_ms_per_response']:.1f} CPU ms/response "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
        from crawler.redis_frontier import connect

        client = connect(args.redis)
        keys = list(client.scan_iter(match=f"{args.prefix}:*"))
        if keys:
            client.delete(*keys)

    def median(n: int, key: str) -> float:
        return statistics.median(r[key] for r in results[n])

    base = counts[0]
    print(f"\n{args.hosts} hosts x {args.pages} pages, {args.latency * 1000:.0f} ms latency, "
          f"1 connection per host, {args.connections} per worker; medians of {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'workers':>7} {'responses/s':>12} {'pages/s':>8} {'steady/s':>9} "
          f"{'CPU ms/resp':>12} {'x resp/s':>9} {'x pages/s':>10} {'x steady':>9}")
    for n in counts:
        print(f"{n:>7} {median(n, 'responses_per_s'):>12.1f} {median(n, 'pages_per_s'):>8.1f} "
              f"{median(n, 'steady_per_s'):>9.1f} {median(n, 'cpu_ms_per_response'):>12.1f} "
              f"{median(n, 'responses_per_s') / median(base, 'responses_per_s'):>9.2f} "
              f"{median(n, 'pages_per_s') / median(base, 'pages_per_s'):>10.2f} "
              f"{median(n, 'steady_per_s') / median(base, 'steady_per_s'):>9.2f}")


if __name__ == "__main__":
    main()
