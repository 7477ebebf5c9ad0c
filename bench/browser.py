"""Browser capture: rendered pages/s and peak memory of ``diancang crawl`` with ``browser: on``.

The generated site of bench/crawl.py (each response delayed 20 ms, served by a separate
process) is crawled with every page rendered in Chromium (two pages at a time, the browser
restarted every ``crawl.browser_restart_every`` pages, a screenshot of each), every request
the browser makes answered through Scrapy; and, as the baseline in the same invocation, with
``browser: off``.  Printed: medians of rendered pages/s (crawl phase), pages/s of the
baseline and their ratio, the peak resident memory of the crawl's whole process tree
(the crawl, Playwright's driver, every Chromium process; RSS summed, and PSS), and that
tree's CPU-seconds per rendered page with the pages/s they allow on 2 otherwise idle cores
(on a loaded machine the wall-clock rate measures the other processes too), from /proc.

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

from crawl import child_cpu, start_site  # bench/crawl.py: the same generated site, served alike

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _pss(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def sample_tree(root: int, cpu: dict[int, float]) -> tuple[int, int]:
    """Resident bytes of ``root`` and all its descendants, from /proc: the sum of their RSS
    (pages shared by Chromium's processes counted in each) and of their PSS (shared pages
    divided among their sharers: what the tree holds); ``cpu`` gets each one's CPU-seconds
    so far (the CPU of a browser's processes is not all reaped into the crawl's rusage)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rpartition(")")[2].split()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(statm.split()[1]) * PAGE_SIZE
        times[int(entry.name)] = (int(stat[11]) + int(stat[12])) / TICKS
    total = shared = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        shared += _pss(str(pid))
        if pid in times:
            cpu[pid] = times[pid]
        todo += children.get(pid, [])
    return total, shared


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
    peak = [0, 0]
    tree_cpu: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            rss, pss = sample_tree(proc.pid, tree_cpu)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    before = child_cpu()
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    # the crawl and all it started (Playwright, Chromium): reaped, or last seen in /proc
    cpu = max(child_cpu() - before, sum(tree_cpu.values()))
    if proc.returncode != 0:
        raise SystemExit(f"diancang crawl exited {proc.returncode}: {err.decode()[-2000:]}")
    stats = json.loads(next((home / "crawls").glob("*/stats.json")).read_text())
    rendered = int((stats.get("browser") or {}).get("rendered", 0))
    html = sum(line.count('"mime": "text/html"') for cdxj in
               (home / "collections" / "bench" / "indexes").glob("*.cdxj")
               for line in cdxj.read_text(encoding="utf-8").splitlines())
    return {"rendered": rendered, "pages": html, "seconds": stats["elapsed"],
            "rendered_per_s": rendered / stats["elapsed"],
            "pages_per_s": html / stats["elapsed"], "peak_rss": peak[0], "peak_pss": peak[1],
            "cpu": cpu,
            "cpu_per_page": cpu / max(rendered or html, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
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
                  f"{rendered[-1]['peak_rss'] / 2**20:.0f} MiB (PSS "
                  f"{rendered[-1]['peak_pss'] / 2**20:.0f} MiB), "
                  f"{rendered[-1]['cpu_per_page']:.3f} CPU-s/page; browser off "
                  f"{static[-1]['pages_per_s']:.1f} pages/s; load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
    finally:
        site.terminate()
        site.wait()

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    cpu_on = median(rendered, "cpu_per_page")
    print(f"\nsite: {args.pages} pages, {args.latency * 1000:.0f} ms latency per response; "
          f"medians of {args.runs} runs on {os.cpu_count()} cores; load average "
          f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after (1 min)")
    print(f"browser: on   {median(rendered, 'rendered'):.0f} pages rendered, "
          f"{median(rendered, 'rendered_per_s'):.2f} rendered pages/s (target >= 5), "
          f"peak RSS {median(rendered, 'peak_rss') / 2**20:.0f} MiB (target <= 1536 MiB; "
          f"PSS {median(rendered, 'peak_pss') / 2**20:.0f} MiB)")
    print(f"              {cpu_on:.3f} CPU-seconds per rendered page (crawl, Playwright, "
          f"Chromium): {2 / cpu_on:.2f} pages/s on 2 otherwise idle cores")
    print(f"browser: off  {median(static, 'pages'):.0f} pages, "
          f"{median(static, 'pages_per_s'):.1f} pages/s, peak RSS "
          f"{median(static, 'peak_rss') / 2**20:.0f} MiB, "
          f"{median(static, 'cpu_per_page'):.4f} CPU-seconds per page")
    print(f"ratio of pages/s, on / off: "
          f"{median(rendered, 'rendered_per_s') / median(static, 'pages_per_s'):.3f}; "
          f"of CPU-seconds per page, on / off: {cpu_on / median(static, 'cpu_per_page'):.1f}")


if __name__ == "__main__":
    main()
