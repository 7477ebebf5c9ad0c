"""Fixity checking speed: ``diancang verify`` against ``warcio check`` on the same WARC files.

Writes a collection of WARC files with our own writer (``--pages`` exchanges: an HTML page of
about 20 kB of text, a 30 kB photo of random bytes, a small stylesheet, each with its request
record, as a crawl of a portal stores them), records their fixity rows in a fresh archive home,
then times, several runs each, in the same invocation:

- ``diancang verify --deep bench`` in-process (``diancang.verify_command.verify_collection``
  with ``deep=True``: every file's SHA-256 against the catalogue, every gzip member inflated
  and its CRC checked, every record's block and payload digests, files read in parallel, one
  per core, and the outcome written back to the catalogue);
- ``diancang verify bench``, the routine check (``deep=False``) of files a deep check proved
  whole: each file's SHA-256 against the catalogue's, which is the proven one (see
  ``diancang/verify_command.py``), files in parallel, outcomes written back;
- ``warcio check`` on the same files, in-process too (``warcio.checker.Checker``, what the
  ``warcio check`` command runs): gzip members, record digests;

and prints MB/s of each (medians), the ratios against ``warcio check`` and the CPU seconds.
All are timed without interpreter start-up and imports (a fixed cost, larger for
``diancang``, which opens and migrates its catalogue); ``--cli`` times the commands as child
processes instead, start-up included.

    python bench/verify.py [--pages 3000] [--runs 3] [--site portal|bare] [--cli]

Target (issue 13): ``diancang verify`` >= 3x ``warcio check``'s MB/s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diancang.home import Home
from warc_store.records import HttpExchange
from warc_store.writer import ClosedWarc, WarcWriter

WORDS = ["政府", "信息", "公开", "通知", "关于", "印发", "办法", "实施", "年度", "报告", "工作",
         "会议", "市民", "服务", "the", "of", "archive", "library", "notice", "policy", "data"]


def exchange(url: str, mime: str, body: bytes, when: datetime) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("User-Agent", "bench")],
                        request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
                        response_headers=[("Content-Type", mime),
                                          ("Content-Length", str(len(body)))],
                        body=body, ip_address="127.0.0.1", date=when)


def write_collection(archive: Path, pages: int, bare: bool = False) -> list[ClosedWarc]:
    rng = random.Random(13)
    closed: list[ClosedWarc] = []
    writer = WarcWriter(archive, prefix="bench", max_size=10_000_000, hostname="bench",
                        warcinfo={"isPartOf": "bench"}, on_close=closed.append)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    css = b"body { font-family: serif; color: #222 }\n" * 40
    texts = [" ".join(rng.choice(WORDS) for _ in range(2500)) for _ in range(50)]
    for i in range(pages):
        if bare:        # the crawl.py site: 1-2 kB a fetch, many small records
            writer.write_exchange(exchange(f"http://portal.test/p/{i}.html",
                                           "text/html; charset=utf-8",
                                           texts[i % 50][:1000 + i % 900].encode(), when))
            continue
        text = texts[i % 50][i % 97:] + f" {i} " + texts[(i * 7) % 50][:i % 89]
        html = f"<html><head><title>page {i}</title></head><body><p>{text}</p></body></html>"
        writer.write_exchange(exchange(f"http://portal.test/p/{i}.html", "text/html; charset=utf-8",
                                       html.encode(), when))
        writer.write_exchange(exchange(f"http://portal.test/img/{i}.jpg", "image/jpeg",
                                       rng.randbytes(30_000), when))
        if i % 10 == 0:
            writer.write_exchange(exchange(f"http://portal.test/s/{i}.css", "text/css", css, when))
    writer.close()
    return closed


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... exited {proc.returncode}:\n"
                         f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


CPU: dict[str, list[float]] = {"deep": [], "routine": [], "theirs": []}


def timed_call(call: Callable[[], object], who: str) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    call()
    CPU[who].append(time.process_time() - cpu)      # every thread of this process
    return time.perf_counter() - start


def warcio_check(paths: list[str]) -> None:
    from warcio.checker import Checker

    class Args:
        inputs = paths
        verbose = False

    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = Checker(Args()).process_all()
    if status != 0:
        raise SystemExit(f"warcio check failed:\n{out.getvalue()[-2000:]}")


def our_verify(home: Home, deep: bool) -> None:
    from diancang.verify_command import verify_collection

    verdicts = verify_collection(home, "bench", os.cpu_count() or 1, deep)
    bad = [v for v in verdicts if v.outcome != "ok"]
    if bad:
        raise SystemExit(f"diancang verify failed: {bad[0].detail()}")
    if any(v.deep != deep for v in verdicts):
        raise SystemExit(f"diancang verify (deep={deep}) read some file otherwise")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", choices=("portal", "bare"), default="portal",
                        help="portal: 20 kB of text and a 30 kB photo a page; bare: 1-2 kB a "
                             "page (many small records)")
    parser.add_argument("--cli", action="store_true",
                        help="time both commands as child processes (start-up included)")
    args = parser.parse_args()

    from catalog.crawls import record_warc_file
    from catalog.models import Collection

    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    try:
        home_dir = work / "home"
        subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home_dir), "init"],
                       check=True, capture_output=True)
        home = Home(home_dir)
        archive = home.ensure_collection("bench").archive
        files = write_collection(archive, args.pages, bare=args.site == "bare")
        with home.catalog.session() as session:
            coll = Collection(slug="bench", title="bench", created=datetime.now(UTC),
                              updated=datetime.now(UTC))
            session.add(coll)
            session.flush()
            for closed in files:
                record_warc_file(session, collection_id=coll.id, crawl_id=None, closed=closed)
        total = sum(c.size for c in files)
        paths = [str(c.path) for c in files]
        warcio = shutil.which("warcio") or str(Path(sys.executable).with_name("warcio"))
        base = [sys.executable, "-m", "diancang.cli", "--home", str(home_dir), "verify"]
        theirs_cmd = [warcio, "check", *paths]
        times: dict[str, list[float]] = {"deep": [], "routine": [], "theirs": []}
        for _ in range(args.runs):      # deep first: it proves the files the routine check trusts
            if args.cli:
                times["deep"].append(timed([*base, "--deep", "bench"]))
                times["routine"].append(timed([*base, "bench"]))
                times["theirs"].append(timed(theirs_cmd))
            else:
                times["deep"].append(timed_call(lambda: our_verify(home, True), "deep"))
                times["routine"].append(timed_call(lambda: our_verify(home, False), "routine"))
                times["theirs"].append(timed_call(lambda: warcio_check(paths), "theirs"))
        mb = total / 1e6
        wall = {who: statistics.median(runs) for who, runs in times.items()}
        how = ("each a child process, start-up included" if args.cli else
               f"in-process, {os.cpu_count()} CPU(s)")
        print(f"{args.site}: {len(files)} WARC files, {mb:.1f} MB, {args.pages} pages; medians of "
              f"{args.runs} runs ({how})")
        names = {"routine": "diancang verify", "deep": "diancang verify --deep",
                 "theirs": "warcio check"}
        for who in ("routine", "deep", "theirs"):
            ratio = "" if who == "theirs" else f"  {wall['theirs'] / wall[who]:5.1f}x warcio check"
            print(f"  {names[who]:23s} {wall[who]:6.2f} s  {mb / wall[who]:7.1f} MB/s{ratio}")
        print("  target: >= 3x warcio check's MB/s")
        if not args.cli:
            cpu = {who: statistics.median(runs) for who, runs in CPU.items()}
            less = (cpu["theirs"] / cpu["routine"], cpu["theirs"] / cpu["deep"])
            print(f"  CPU seconds (all threads): verify {cpu['routine']:.2f}, verify --deep "
                  f"{cpu['deep']:.2f}, warcio check {cpu['theirs']:.2f} ({less[0]:.1f}x and "
                  f"{less[1]:.1f}x less CPU per MB); the load average was "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
