"""Crawl throughput: ``diancang crawl`` against ``wget --recursive --page-requisites --warc-file``.

Both crawl the same generated site (default 2,000 pages of realistic Chinese text,
``diancang.fixture_text``: about 10 kB of varied article text, navigation, news lists, a third
GBK; ``--small-pages``: the older site of 2 kB pages that repeat one phrase; each response
delayed 20 ms) served on 127.0.0.1 by a separate process, in the same invocation, several runs
each.  Printed per tool: medians of pages/s, requests/s and CPU ms per request, and the ratios
of requests/s, with the load average.

    python bench/crawl.py [--pages 2000] [--latency 0.02] [--connections 16] [--runs 3]
                          [--browser off|auto] [--small-pages] [--warc-max-size BYTES]

Two figures for Diancang: the crawl phase (from the crawl's stats) and the whole
``diancang crawl`` (start-up to exit, once every capture is indexed and searchable: CDXJ,
text, capture rows, full-text index).  Their CPU is the process tree's own (user + system;
the whole one includes the text workers): on a loaded machine the CPU seconds per page are
the figures to read, and an idle machine's 2 cores would run the crawl in about
max(the crawl phase's wall-clock, CPU seconds / 2).  Targets (issue 16): the crawl phase
>= 10x wget's requests/s, the whole crawl >= 5x.  Closed WARC files are indexed as the crawl
goes on; ``--warc-max-size`` (``warc.max_size``, default 1 GB) makes a crawl of this size
close several and shows that overlap.
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
                 browser: str = "off", warc_max_size: int | None = None) -> dict[str, float]:
    home = work / "home"
    seeds = work / "seeds.yaml"
    seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                     f"defaults: {{depth: 20, delay: 0, concurrency: {connections}, "
                     f"max_pages: 100000, browser: {browser}}}\n", encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_CONCURRENCY=str(connections),
               DIANCANG_CRAWL_ALLOW_PRIVATE="1")
    if warc_max_size:
        env["DIANCANG_WARC_MAX_SIZE"] = str(warc_max_size)
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
            "cpu_s_per_page": stats["cpu_seconds"] / html,
            "cpu_s_per_page_process": cpu / html,
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
            "cpu_ms_per_req": 1000 * cpu / requests, "cpu_s_per_page": cpu / html,
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
    parser.add_argument("--small-pages", action="store_true",
                        help="the older generated site (pages of 2 kB repeating one phrase)")
    parser.add_argument("--warc-max-size", type=int, default=None, metavar="BYTES",
                        help="warc.max_size for the crawl (default: the setting's, 1 GB)")
    args = parser.parse_args()
    if not args.no_wget and shutil.which("wget") is None:
        raise SystemExit("wget is not installed (apt-get install -y wget), or use --no-wget")
    site, origin = start_site(args.pages, "--latency", str(args.latency),
                              *(() if args.small_pages else ("--realistic",)))
    load_before = os.getloadavg()[0]
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
                ours.append(run_diancang(origin, Path(tmp), args.connections, args.browser,
                                        args.warc_max_size))
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
    load_after = os.getloadavg()[0]
    print(f"\nsite: {args.pages} pages "
          f"({'2 kB, one phrase repeated' if args.small_pages else 'realistic Chinese, ~10 kB'}),"
          f" {args.latency * 1000:.0f} ms latency per response, {args.connections} connections;"
          f" medians of {args.runs} runs; load average {load_before:.2f} before, "
          f"{load_after:.2f} after, on {os.cpu_count()} CPUs")
    print(f"{'':28}{'requests':>9}{'req/s':>9}{'pages/s':>9}{'CPU ms/req':>12}"
          f"{'CPU s/page':>12}{'WARC MB':>9}")
    rows = [("diancang (crawl phase)", ours, "req_per_s", "pages_per_s", "cpu_ms_per_req",
             "cpu_s_per_page"),
            ("diancang (whole crawl)", ours, "req_per_s_process", "pages_per_s_process",
             "cpu_ms_per_req_process", "cpu_s_per_page_process")]
    if theirs:
        rows.append(("wget", theirs, "req_per_s", "pages_per_s", "cpu_ms_per_req",
                     "cpu_s_per_page"))
    for name, runs, rate, page_rate, cpu, cpu_page in rows:
        print(f"{name:28}{median(runs, 'requests'):>9.0f}{median(runs, rate):>9.1f}"
              f"{median(runs, page_rate):>9.1f}{median(runs, cpu):>12.2f}"
              f"{median(runs, cpu_page):>12.4f}{median(runs, 'warc_bytes') / 1e6:>9.2f}")
    # on an idle machine's cores the whole crawl takes at least its CPU time spread over them,
    # and at least the crawl phase's wall-clock plus start-up and the index tail: the figure
    # read on a loaded machine is the CPU-bound one
    cores = os.cpu_count() or 1
    idle = statistics.median(max(r["crawl_seconds"], r["cpu_s_per_page_process"] * r["pages"]
                                 / cores) for r in ours)
    if theirs:
        wget_rate = median(theirs, "req_per_s")
        print(f"\nratio of requests/s, diancang / wget: crawl phase "
              f"{median(ours, 'req_per_s') / wget_rate:.1f}x (target >= 10x); "
              f"whole crawl (until every capture is searchable) "
              f"{median(ours, 'req_per_s_process') / wget_rate:.1f}x (target >= 5x)")
        print(f"whole crawl on {cores} idle cores, from its CPU time (at least the crawl "
              f"phase's wall-clock): {median(ours, 'requests') / idle / wget_rate:.1f}x wget")
    print(f"diancang CPU per request, crawl phase: {median(ours, 'cpu_ms_per_req'):.2f} ms "
          f"(target < 2 ms); whole crawl {median(ours, 'cpu_s_per_page_process') * 1000:.2f} "
          f"ms per page")


if __name__ == "__main__":
    main()
