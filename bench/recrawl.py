"""Storage of a recrawl: how much an unchanged site costs the second time.

Serves a generated site (default 2,000 pages; ``python -m diancang.fixture_server
--generate N``) on 127.0.0.1 in a separate process, crawls it twice into one collection with
the real ``diancang crawl``, and prints the second crawl's WARC bytes as a percentage of the
first's: unchanged 200 responses are written as revisit records (payload omitted), so what
remains is the per-fetch record overhead (revisit headers, request records, warcinfo).

    python bench/recrawl.py [--pages 2000] [--page-bytes 0] [--runs 3]

``--page-bytes N`` gives every page N more bytes of article text (real portal pages weigh
30-100 kB); the default is the bench/crawl.py site as it is.  Target (issue 5): < 5%.
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


def start_site(pages: int, page_bytes: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "diancang.fixture_server", "--generate",
                             str(pages), "--page-bytes", str(page_bytes)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("serving "):
        proc.kill()
        raise SystemExit(f"fixture server did not start: {line!r}")
    return proc, line.split()[1].rstrip("/")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-bytes", type=int, default=0,
                        help="extra article text per page, in bytes")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site, origin = start_site(args.pages, args.page_bytes)
    runs: list[dict[str, float]] = []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="diancang-recrawl-") as tmp:
                runs.append(run_once(origin, Path(tmp)))
            r = runs[-1]
            print(f"run {run + 1}: first crawl {r['first']:.0f} WARC bytes, second "
                  f"{r['second']:.0f} ({r['revisits']:.0f} revisits of {r['requests']:.0f} "
                  f"fetches): {r['ratio']:.2f}%", flush=True)
    finally:
        site.terminate()
        site.wait()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"\nsite: {args.pages} pages, +{args.page_bytes} bytes of text per page; "
          f"medians of {args.runs} runs")
    print(f"first crawl:  {med('first') / 1e6:.3f} MB WARC, {med('per_request_first'):.0f} "
          f"bytes per fetch")
    print(f"second crawl: {med('second') / 1e6:.3f} MB WARC, {med('per_request_second'):.0f} "
          f"bytes per fetch, {med('revisits'):.0f} revisit records")
    print(f"second crawl's WARC bytes / first's: {med('ratio'):.2f}% (target < 5%)")


if __name__ == "__main__":
    main()
