"""Storage and bandwidth of a recrawl: how much an unchanged site costs the second time.

Serves a generated site (default 2,000 pages; ``python -m diancang.demo.server
--generate N --validators``: ETag and Last-Modified on every answer, 304 to a conditional
request whose validator holds, as nginx serves static files) on 127.0.0.1 in a separate
process, crawls it three times into one collection with the real ``diancang crawl``: the
first crawl, an unchanged recrawl with conditional requests (``crawl.conditional``, the
default: unchanged URLs answer 304 and are stored as server-not-modified revisits), and one
without (``DIANCANG_CRAWL_CONDITIONAL=false``: unchanged 200s stored as identical-payload
revisits).  It prints each recrawl's WARC bytes as a percentage of the first crawl's, and the
body bytes the site served each time (the crawl's ``bytes``: what conditional requests save
the site).  What a revisit costs is the per-fetch record overhead (revisit and request
records), about the same whatever the page weighs, so the ratio depends on what a fetch
weighs, and the bench measures two sites in one invocation:

- ``portal``: pages as a government portal's article pages weigh: 20 kB of article text
  (random words of a portal's vocabulary, so it compresses better than real prose) and one
  30 kB photo of their own per page (HTTP Archive's medians are about 30 kB per request);
- ``bare``: the bench/crawl.py site as it is, 1-2 kB pages sharing one tiny image: the worst
  case, which shows the fixed cost of an unchanged fetch.

    python bench/recrawl.py [--pages 2000] [--runs 3] [--sites portal,bare]

Targets: < 5% on the portal site (issue 5), < 3% (issue 16).  The load average is printed
at the start and the end: the figures are bytes, which the machine's load does not change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from crawl import start_site  # bench/crawl.py: the same generated site, served alike

SITES = {"portal": (20_000, 30_000), "bare": (0, 0)}   # (article bytes, photo bytes) per page


def crawl(home: Path, seeds: Path | None, env: dict[str, str]) -> dict[str, Any]:
    args = ["crawl", "bench"] + (["--seeds", str(seeds)] if seeds else [])
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                   check=True, capture_output=True, env=env)
    out = subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "crawls",
                          "--json"], check=True, capture_output=True, text=True, env=env)
    return dict(json.loads(out.stdout)[-1])


def warc_sizes(archive: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in archive.glob("*.warc.gz")}


def run_once(origin: str, work: Path) -> dict[str, float]:
    home = work / "home"
    seeds = work / "seeds.yaml"
    seeds.write_text(f"collection: bench\nseeds:\n  - url: {origin}/\n"
                     f"defaults: {{depth: 20, delay: 0, concurrency: 16, "
                     f"max_pages: 100000}}\n", encoding="utf-8")
    env = dict(os.environ, DIANCANG_CRAWL_CONCURRENCY="16", DIANCANG_CRAWL_ALLOW_PRIVATE="1")
    subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), "init"],
                   check=True, capture_output=True, env=env)
    archive = home / "collections" / "bench" / "archive"
    first_crawl = crawl(home, seeds, env)
    first = warc_sizes(archive)
    first_bytes = sum(first.values())
    out: dict[str, float] = {"first": first_bytes, "first_served": first_crawl["bytes"],
                             "first_pages": float(first_crawl["pages"]),
                             "per_request_first": first_bytes / float(first_crawl["pages"])}
    held = dict(first)
    for way, conditional in (("cond", "true"), ("plain", "false")):
        recrawl = crawl(home, None, {**env, "DIANCANG_CRAWL_CONDITIONAL": conditional})
        sizes = warc_sizes(archive)
        stored = sum(size for name, size in sizes.items() if name not in held)
        held = sizes
        stats = json.loads((home / "crawls" / str(recrawl["id"]) / "stats.json").read_text())
        out |= {f"{way}_requests": float(stats["pages"]),
                f"{way}_revisits": float(stats.get("revisits", 0)),
                f"{way}_not_modified": float(stats.get("status", {}).get("304", 0)),
                f"{way}": stored, f"{way}_ratio": 100.0 * stored / first_bytes,
                f"{way}_per_request": stored / stats["pages"],
                f"{way}_served": float(recrawl["bytes"])}
    return out


def measure(name: str, pages: int, runs: int) -> dict[str, float]:
    page_bytes, image_bytes = SITES[name]
    site, origin = start_site(pages, "--page-bytes", str(page_bytes),
                              "--image-bytes", str(image_bytes), "--validators")
    results: list[dict[str, float]] = []
    try:
        for run in range(runs):
            with tempfile.TemporaryDirectory(prefix="diancang-recrawl-") as tmp:
                results.append(run_once(origin, Path(tmp)))
            r = results[-1]
            print(f"{name} run {run + 1}: first crawl {r['first']:.0f} WARC bytes; recrawl "
                  f"with conditional requests {r['cond']:.0f} ({r['cond_not_modified']:.0f} "
                  f"304s of {r['cond_requests']:.0f} fetches): {r['cond_ratio']:.2f}%; "
                  f"without {r['plain']:.0f} ({r['plain_revisits']:.0f} revisits of "
                  f"{r['plain_requests']:.0f}): {r['plain_ratio']:.2f}%", flush=True)
    finally:
        site.terminate()
        site.wait()
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sites", default="portal,bare",
                        help=f"comma-separated, of: {', '.join(SITES)}")
    args = parser.parse_args()
    names = [n for n in args.sites.split(",") if n]
    unknown = [n for n in names if n not in SITES]
    if unknown:
        parser.error(f"unknown site {unknown[0]!r}; choose from {', '.join(SITES)}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    medians = {name: measure(name, args.pages, args.runs) for name in names}

    print(f"\n{args.pages} pages per site; medians of {args.runs} runs; WARC bytes stored and "
          f"body bytes the site served, per crawl")
    print(f"{'site':<8} {'crawl':<22} {'stored MB':>10} {'B/fetch':>8} {'of first':>9} "
          f"{'served MB':>10} {'of first':>9}")
    for name, m in medians.items():
        print(f"{name:<8} {'first':<22} {m['first'] / 1e6:>10.3f} "
              f"{m['per_request_first']:>8.0f} {'':>9} {m['first_served'] / 1e6:>10.3f}")
        for way, label in (("cond", "recrawl, conditional"), ("plain", "recrawl, plain")):
            print(f"{'':<8} {label:<22} {m[way] / 1e6:>10.3f} {m[way + '_per_request']:>8.0f} "
                  f"{m[way + '_ratio']:>8.2f}% {m[way + '_served'] / 1e6:>10.3f} "
                  f"{100 * m[way + '_served'] / m['first_served']:>8.2f}%")
    if "portal" in medians:
        m = medians["portal"]
        print(f"unchanged recrawl's WARC bytes / first crawl's on the portal site: "
              f"{m['cond_ratio']:.2f}% with conditional requests, {m['plain_ratio']:.2f}% "
              f"without (target < 3%)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
