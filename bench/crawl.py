"""Crawl throughput: ``diancang crawl`` against ``wget --recursive --page-requisites --warc-file``.

Both crawl the same generated site (default 2,000 pages, each response delayed 20 ms) served
on 127.0.0.1 by a separate process, in the same invocation, several runs each.  Printed per
tool: medians of pages/s, requests/s and CPU ms per request, and the ratio of requests/s.

    python bench/crawl.py [--pages 2000] [--latency 0.02] [--connections 16] [--runs 3]
                          [--browser off|auto]

CPU is the crawling process's own (user + system), measured two ways for Diancang: the whole
``diancang crawl`` process (start-up, catalogue and indexing included) and the crawl phase
alone (from the crawl's stats).  Targets (issue 2), on the crawl phase: requests/s >= 10x
wget's; CPU < 2 ms per request with WARC writing.  The whole process adds start-up (about a
second) and the catalogue's text pass over every page (trafilatura, jieba: issue 4), which on
a real crawl runs as each 1 GB WARC closes, beside the crawl; here the crawl's only WARC closes
at its end, so the whole pass waits for it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_site(pages: int, *options: str) -> tuple[subprocess.Popen[str], str]:
    """The generated fixture site in its own process (``options``: the server's flags);
    returns the process and its origin.  bench/recrawl.py serves its sites with it too."""
    proc = subprocess.Popen([sys.executable, "-m", "diancang.demo.server", "--generate",
                             str(pages), *options],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("serving "):
        proc.kill()
        raise SystemExit(f"fixture server did not start: {line!r}")
    return proc, line.split()[1].rstrip("/")


def run_diancang(origin: str, work: Path, connections: int,
                 browser: str = "off") -> dict[str, float]:
    home = work / "home"
    seeds = work / "seeds.yaml"
    seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                     f"defaults: {{depth: 20, delay: 0, concurrency: {connections}, "
                     f"max_pages: 100000, browser: {browser}}}\n", encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_CONCURRENCY=str(connections),
               DIANCANG_CRAWL_ALLOW_PRIVATE="1")
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "init"],
                   check=True, capture_output=True, env=env)
    cpu0, t0 = child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "crawl", "bench",
                    "--seeds", str(seeds)], check=True, capture_output=True, env=env)
    wall, cpu = time.perf_counter() - t0, child_cpu() - cpu0
    stats = json.loads(next((home / "crawls").glob("*/stats.json")).read_text())
    requests = stats["pages"]          # every response captured, robots.txt included
    html = sum(line.count('"mime": "text/html"') for cdxj in
               (home / "collections" / "bench" / "indexes").glob("*.cdxj")
               for line in cdxj.read_text(encoding="utf-8").splitlines())
    return {"pages": html, "requests": requests, "wall": wall,
            "crawl_seconds": stats["elapsed"],
            "req_per_s": requests / stats["elapsed"],
            "req_per_s_process": requests / wall,
            "pages_per_s": html / stats["elapsed"],
            "pages_per_s_process": html / wall,
            "cpu_ms_per_req": 1000 * stats["cpu_seconds"] / requests,
            "cpu_ms_per_req_process": 1000 * cpu / requests,
            "warc_bytes": sum(p.stat().st_size for p in
                              (home / "collections" / "bench" / "archive").iterdir())}


def run_wget(origin: str, work: Path) -> dict[str, float]:
    out = work / "wget"
    out.mkdir()
    cpu0, t0 = child_cpu(), time.perf_counter()
    subprocess.run(["wget", "--recursive", "--level=inf", "--page-requisites", "--no-verbose",
                    "--warc-file", str(out / "wget"), "--no-warc-keep-log",
                    "--directory-prefix", str(out / "files"), f"{origin}/"],
                   capture_output=True, text=True, check=False)  # 404s make wget exit 8
    wall, cpu = time.perf_counter() - t0, child_cpu() - cpu0
    files = [p for p in (out / "files").rglob("*") if p.is_file()]
    requests = len(files)
    html = sum(1 for p in files if p.suffix == ".html" or p.name == "index.html")
    return {"pages": html, "requests": requests, "wall": wall,
            "req_per_s": requests / wall, "pages_per_s": html / wall,
            "cpu_ms_per_req": 1000 * cpu / requests,
            "warc_bytes": sum(p.stat().st_size for p in out.glob("*.warc.gz"))}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-wget", action="store_true", help="skip the wget baseline")
    parser.add_argument("--browser", choices=("off", "auto"), default="off",
                        help="the seeds' browser option (auto: Scrapy reads every page and "
                        "decides; the generated pages need no browser)")
    args = parser.parse_args()
    if not args.no_wget and shutil.which("wget") is None:
        raise SystemExit("wget is not installed (apt-get install -y wget), or use --no-wget")
    site, origin = start_site(args.pages, "--latency", str(args.latency))
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
                ours.append(run_diancang(origin, Path(tmp), args.connections, args.browser))
            if not args.no_wget:
                with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
                    theirs.append(run_wget(origin, Path(tmp)))
            print(f"run {run + 1}: diancang {ours[-1]['requests']:.0f} requests, "
                  f"{ours[-1]['req_per_s']:.0f} req/s, {ours[-1]['cpu_ms_per_req']:.2f} ms CPU/req"
                  + (f"; wget {theirs[-1]['requests']:.0f} requests, "
                     f"{theirs[-1]['req_per_s']:.1f} req/s" if theirs else ""), flush=True)
    finally:
        site.terminate()
        site.wait()
    print(f"\nsite: {args.pages} pages, {args.latency * 1000:.0f} ms latency per response, "
          f"{args.connections} connections; medians of {args.runs} runs")
    print(f"{'':28}{'requests':>9}{'req/s':>9}{'pages/s':>9}{'CPU ms/req':>12}{'WARC MB':>9}")
    rows = [("diancang (crawl phase)", ours, "req_per_s", "pages_per_s", "cpu_ms_per_req"),
            ("diancang (whole process)", ours, "req_per_s_process", "pages_per_s_process",
             "cpu_ms_per_req_process")]
    if theirs:
        rows.append(("wget", theirs, "req_per_s", "pages_per_s", "cpu_ms_per_req"))
    for name, runs, rate, page_rate, cpu in rows:
        print(f"{name:28}{median(runs, 'requests'):>9.0f}{median(runs, rate):>9.1f}"
              f"{median(runs, page_rate):>9.1f}{median(runs, cpu):>12.2f}"
              f"{median(runs, 'warc_bytes') / 1e6:>9.2f}")
    if theirs:
        print(f"\nratio of requests/s, diancang / wget: crawl phase "
              f"{median(ours, 'req_per_s') / median(theirs, 'req_per_s'):.1f}x (target >= 10x); "
              f"whole process "
              f"{median(ours, 'req_per_s_process') / median(theirs, 'req_per_s'):.1f}x"
              f" (start-up, and the text cataloguing of every page when the crawl's only WARC "
              f"closes, included)")
    print(f"diancang CPU per request, crawl phase: {median(ours, 'cpu_ms_per_req'):.2f} ms "
          f"(target < 2 ms)")


if __name__ == "__main__":
    main()
