"""``scrapy crawl site`` wires the same components as ``diancang crawl`` (the add-on)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from diancang.demo.server import FixtureServer
from tests.support import FIXTURES, warcio_check

pytestmark = pytest.mark.slow   # a plain scrapy crawl, in a child process

ROOT = Path(__file__).resolve().parent.parent.parent


def test_plain_scrapy_crawl_writes_the_same_kind_of_warcs(tmp_path: Path) -> None:
    site = FixtureServer(FIXTURES / "site").start()
    try:
        seeds = tmp_path / "seeds.yaml"
        seeds.write_text((FIXTURES / "site" / "seeds.yaml").read_text(encoding="utf-8")
                         .replace("{{ORIGIN}}", site.origin), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"seeds={seeds}",
             "-a", f"home={tmp_path / 'home'}", "-s", "DIANCANG_ALLOW_PRIVATE=1"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
            env=dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings"))
    finally:
        site.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    warcs = list((tmp_path / "home" / "collections" / "fixture" / "archive").glob("*.warc.gz"))
    assert warcs, proc.stderr[-3000:]
    for warc in warcs:
        check = warcio_check(warc)
        assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout
    assert any(h.target == "/gbk.html" for h in site.hits)
    assert not any(h.target.startswith("/private/") for h in site.hits)
