"""Browser capture: rendered pages/s and peak memory of ``diancang crawl`` with ``browser: on``.

The generated site of bench/crawl.py (each response delayed 20 ms, served by a separate
process) is crawled with every page rendered in Chromium (two pages at a time, the browser
restarted every ``crawl.browser_restart_every`` pages, a screenshot of each), every request
the browser makes answered through Scrapy; and, as the baseline in the same invocation, with
``browser: off``.  Printed: medians of rendered pages/s (crawl phase), pages/s of the
baseline and their ratio, and the peak resident memory of the crawl's whole process tree
(the crawl, Playwright's driver, every Chromium process), sampled from /proc.

    python bench/browser.py [--pages 2000] [--latency 0.02] [--runs 3]

Targets (issue 18), on 2 cores: >= 5 rendered pages/s, peak RSS <= 1.5 GB for a 2,000-page
crawl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from crawl import start_site  # bench/crawl.py: the same generated site, served alike

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        rss[int(entry.name)] = int(statm.split()[1]) * PAGE_SIZE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(origin: str, work: Path, browser: str, pages: int) -> dict[str, float]:
    home, seeds = work / "home", work / "seeds.yaml"
    seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                     f"defaults: {{depth: 20, delay: 0, concurrency: 4, max_pages: {pages * 3},"
                     f" browser: {browser}}}\n", encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1")
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "init"],
                   check=True, capture_output=True, env=env)
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "crawl", "bench", "--seeds", str(seeds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"diancang crawl exited {proc.returncode}: {err.decode()[-2000:]}")
    stats = json.loads(next((home / "crawls").glob("*/stats.json")).read_text())
    rendered = int((stats.get("browser") or {}).get("rendered", 0))
    html = sum(line.count('"mime": "text/html"') for cdxj in
               (home / "collections" / "bench" / "indexes").glob("*.cdxj")
               for line in cdxj.read_text(encoding="utf-8").splitlines())
    return {"rendered": rendered, "pages": html, "seconds": stats["elapsed"],
            "rendered_per_s": rendered / stats["elapsed"],
            "pages_per_s": html / stats["elapsed"], "peak_rss": peak[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site, origin = start_site(args.pages, "--latency", str(args.latency))
    rendered: list[dict[str, float]] = []
    static: list[dict[str, float]] = []
    try:
        for number in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
                rendered.append(run(origin, Path(tmp), "on", args.pages))
            with tempfile.TemporaryDirectory(prefix="diancang-bench-") as tmp:
                static.append(run(origin, Path(tmp), "off", args.pages))
            print(f"run {number + 1}: browser on {rendered[-1]['rendered']:.0f} rendered, "
                  f"{rendered[-1]['rendered_per_s']:.2f}/s, peak RSS "
                  f"{rendered[-1]['peak_rss'] / 2**20:.0f} MiB; browser off "
                  f"{static[-1]['pages_per_s']:.1f} pages/s", flush=True)
    finally:
        site.terminate()
        site.wait()

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"\nsite: {args.pages} pages, {args.latency * 1000:.0f} ms latency per response; "
          f"medians of {args.runs} runs on {os.cpu_count()} cores")
    print(f"browser: on   {median(rendered, 'rendered'):.0f} pages rendered, "
          f"{median(rendered, 'rendered_per_s'):.2f} rendered pages/s (target >= 5), "
          f"peak RSS {median(rendered, 'peak_rss') / 2**20:.0f} MiB (target <= 1536 MiB)")
    print(f"browser: off  {median(static, 'pages'):.0f} pages, "
          f"{median(static, 'pages_per_s'):.1f} pages/s, peak RSS "
          f"{median(static, 'peak_rss') / 2**20:.0f} MiB")
    print(f"ratio of pages/s, on / off: "
          f"{median(rendered, 'rendered_per_s') / median(static, 'pages_per_s'):.3f}")


if __name__ == "__main__":
    main()
