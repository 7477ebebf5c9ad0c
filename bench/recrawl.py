"""Storage of a recrawl: how much an unchanged site costs the second time.

Serves a generated site (default 2,000 pages; ``python -m diancang.demo.server
--generate N``) on 127.0.0.1 in a separate process, crawls it twice into one collection with
the real ``diancang crawl``, and prints the second crawl's WARC bytes as a percentage of the
first's: unchanged 200 responses are written as revisit records (payload omitted), so what
remains is the per-fetch record overhead (revisit headers, request records, warcinfo), about
the same whatever the page weighs.  So the ratio depends on what a fetch weighs, and the
bench measures two sites in one invocation:

- ``portal``: pages as a government portal's article pages weigh: 20 kB of article text
  (random words of a portal's vocabulary, so it compresses better than real prose) and one
  30 kB photo of their own per page (HTTP Archive's medians are about 30 kB per request);
- ``bare``: the bench/crawl.py site as it is, 1-2 kB pages sharing one tiny image: the worst
  case, which shows the fixed cost of an unchanged fetch.

    python bench/recrawl.py [--pages 2000] [--runs 3] [--sites portal,bare]

Target (issue 5): < 5% on the portal site.
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

from crawl import start_site  # bench/crawl.py: the same generated site, served alike

SITES = {"portal": (20_000, 30_000), "bare": (0, 0)}   # (article bytes, photo bytes) per page


def crawl(home: Path, seeds: Path | None, env: dict[str, str]) -> dict[str, object]:
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
    second_crawl = crawl(home, None, env)
    second = {name: size for name, size in warc_sizes(archive).items() if name not in first}
    stats = json.loads((home / "crawls" / str(second_crawl["id"]) / "stats.json").read_text())
    first_bytes, second_bytes = sum(first.values()), sum(second.values())
    return {"requests": float(stats["pages"]), "revisits": float(stats.get("revisits", 0)),
            "first_pages": float(first_crawl["pages"]),  # type: ignore[arg-type]
            "first": first_bytes, "second": second_bytes,
            "ratio": 100.0 * second_bytes / first_bytes,
            "per_request_first": first_bytes / float(first_crawl["pages"]),  # type: ignore[arg-type]
            "per_request_second": second_bytes / stats["pages"]}


def measure(name: str, pages: int, runs: int) -> dict[str, float]:
    page_bytes, image_bytes = SITES[name]
    site, origin = start_site(pages, "--page-bytes", str(page_bytes),
                              "--image-bytes", str(image_bytes))
    results: list[dict[str, float]] = []
    try:
        for run in range(runs):
            with tempfile.TemporaryDirectory(prefix="diancang-recrawl-") as tmp:
                results.append(run_once(origin, Path(tmp)))
            r = results[-1]
            print(f"{name} run {run + 1}: first crawl {r['first']:.0f} WARC bytes, second "
                  f"{r['second']:.0f} ({r['revisits']:.0f} revisits of {r['requests']:.0f} "
                  f"fetches): {r['ratio']:.2f}%", flush=True)
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
    medians = {name: measure(name, args.pages, args.runs) for name in names}

    print(f"\n{args.pages} pages per site; medians of {args.runs} runs")
    print(f"{'site':<8} {'first MB':>9} {'B/fetch':>8} {'second MB':>10} {'B/fetch':>8} "
          f"{'revisits':>9} {'second/first':>13}")
    for name, m in medians.items():
        print(f"{name:<8} {m['first'] / 1e6:>9.3f} {m['per_request_first']:>8.0f} "
              f"{m['second'] / 1e6:>10.3f} {m['per_request_second']:>8.0f} "
              f"{m['revisits']:>9.0f} {m['ratio']:>12.2f}%")
    if "portal" in medians:
        print(f"second crawl's WARC bytes / first's on the portal site: "
              f"{medians['portal']['ratio']:.2f}% (target < 5%)")


if __name__ == "__main__":
    main()
