"""Replay latency with 10,000 access rules against none, in the same run.

One archive home holds two public collections with the same captures (a generated WARC of
``--hosts`` x ``--pages`` HTML pages on ``www.site<N>.gov.cn``, indexed by ``diancang
index``): ``plain`` has no access rules, ``ruled`` has ``--rules`` takedowns (by default
10,000) on the same hosts, next to the replayed URLs in SURT order but covering none of them,
so every lookup searches the full ``.aclj`` file.  One real ``diancang serve`` replays both;
requests for random captures (``/<coll>/<ts>mp_/<url>``, and the CDX API) alternate between
the collections, so both see the same machine.  Printed per run: p50 and p95 per collection and
the p50s' ratio; then the medians of the runs' p50s, their ratio, and the median ratio.

    python bench/replay_access.py [--rules 10000] [--requests 300] [--runs 5]

Target (issue 14): p50 with 10,000 rules within 10% of p50 with none.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

STAMP = datetime(2024, 5, 1, 8, tzinfo=UTC)


def cli(home: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                          check=True, capture_output=True, text=True).stdout


def urls(hosts: int, pages: int) -> list[str]:
    return [f"http://www.site{h}.gov.cn/p{p}.html" for h in range(hosts) for p in range(pages)]


def write_warc(path: Path, targets: list[str]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in targets:
            body = f"<html><head><title>{url}</title></head><body><p>{url}</p></body></html>"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=BytesIO(body.encode()), http_headers=http,
                warc_headers_dict={"WARC-Date": STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")}))


def build(home: Path, hosts: int, pages: int, rules: int) -> None:
    from catalog.db import Catalog
    from catalog.models import AccessRule, Collection
    from diancang.home import Home
    from replay.acl import regenerate

    cli(home, "init")
    targets = urls(hosts, pages)
    for slug in ("plain", "ruled"):
        seeds = home / f"{slug}.yaml"
        seeds.write_text(f"collection: {slug}\npublic: true\nseeds: [http://www.site0.gov.cn/]\n",
                         encoding="utf-8")
        cli(home, "seeds", "import", str(seeds))
        write_warc(home / "collections" / slug / "archive" / f"{slug}.warc.gz", targets)
    cli(home, "index")
    catalog = Catalog(Home(home).settings.database_url)
    now = datetime.now(UTC)
    with catalog.session() as session:
        ruled = session.query(Collection).filter_by(slug="ruled").one()
        per_host = max(1, rules // hosts)
        session.add_all(
            AccessRule(collection_id=ruled.id, kind="exclude", who="bench", created_at=now,
                       url=f"http://www.site{h}.gov.cn/x{k}/",
                       surt=f"cn,gov,site{h})/x{k}", reason="bench")
            for h in range(hosts) for k in range(per_host))
    regenerate(catalog, home / "collections")
    catalog.dispose()


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        resp.read()
        assert resp.status == 200, url
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300, help="per collection per run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="diancang-bench-replay-") as tmp:
        home = Path(tmp)
        build(home, args.hosts, args.pages, args.rules)
        aclj = home / "collections" / "ruled" / "acl" / "diancang.aclj"
        print(f"{len(aclj.read_text().splitlines())} rules in {aclj.name} of 'ruled', "
              f"none in 'plain'; {args.hosts * args.pages} pages in each")
        proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                                 "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            match = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline())
            assert match
            # pywb prints a line for each directory it looks in; a full pipe would stall it
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            base = match.group(0)
            stamp = STAMP.strftime("%Y%m%d%H%M%S")
            targets = urls(args.hosts, args.pages)
            rng = random.Random(14)
            for slug in ("plain", "ruled"):       # warm both up
                get(f"{base}{slug}/{stamp}mp_/{targets[0]}")
            medians: dict[str, list[float]] = {"plain": [], "ruled": []}
            ratios: list[float] = []
            for run in range(1, args.runs + 1):
                times: dict[str, list[float]] = {"plain": [], "ruled": []}
                for i in range(args.requests):
                    url = rng.choice(targets)
                    path = (f"{stamp}mp_/{url}" if i % 4 else f"cdx?url={url}")
                    for slug in (("plain", "ruled") if i % 2 else ("ruled", "plain")):
                        times[slug].append(get(f"{base}{slug}/{path}"))
                line = []
                for slug, values in times.items():
                    medians[slug].append(statistics.median(values))
                    line.append(f"{slug}: p50 {statistics.median(values) * 1000:6.2f} ms, "
                                f"p95 {percentile(values, 0.95) * 1000:6.2f} ms")
                ratios.append(medians["ruled"][-1] / medians["plain"][-1])
                print(f"run {run}: " + ";  ".join(line) + f";  ratio {ratios[-1]:.3f}",
                      flush=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    plain, ruled = (statistics.median(medians[s]) for s in ("plain", "ruled"))
    print(f"median p50: none {plain * 1000:.2f} ms, {args.rules} rules {ruled * 1000:.2f} ms; "
          f"ratio {ruled / plain:.3f}; median of the runs' ratios {statistics.median(ratios):.3f}"
          f" (target <= 1.10)")


if __name__ == "__main__":
    main()
