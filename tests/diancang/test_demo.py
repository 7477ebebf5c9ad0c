"""The README's first command: ``diancang demo`` crawls the bundled site and replays it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # the demo command in a child process


def test_demo_crawls_the_bundled_site_and_serves_replay(tmp_path: Path) -> None:
    home = tmp_path / "archive"
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home), "demo",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("open "):
                break
        out = "".join(lines)
        assert re.search(r"crawl \d+ of demo finished", out), out
        assert "robots-disallowed 1" in out, "the demo's /private/ is disallowed by robots.txt"
        calendar = re.search(r"open (http://127\.0\.0\.1:\d+/demo/\*/(http://\S+))", out)
        assert calendar, out
        replay = calendar.group(1).split("demo/*/")[0]
        origin = calendar.group(2).rstrip("/")
        with urllib.request.urlopen(calendar.group(1), timeout=30) as resp:
            assert resp.status == 200
        with urllib.request.urlopen(f"{replay}demo/2mp_/{origin}/xxgk/zcwj-001.html",
                                    timeout=30) as resp:
            page = resp.read()
        # a GBK page of the demo replays with its Chinese intact
        assert "示范市优化营商环境若干措施".encode("gbk") in page
        warcs = list((home / "collections" / "demo" / "archive").glob("*.warc.gz"))
        assert warcs and not list(home.glob("collections/demo/archive/*.open"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
