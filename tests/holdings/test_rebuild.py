"""A home whose catalogue file is gone comes back from its WARC files alone: ``diancang
index --rebuild`` recreates the collection (title, kind, seeds with their rules) and its crawls
from the warcinfo records our crawler writes, and the captures from the records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diancang.demo.server import FixtureServer
from tests.holdings.variants import write_warc
from tests.support import FIXTURES, run_cli

SITE = FIXTURES / "site"
pytestmark = pytest.mark.slow


def _state(home: Path) -> dict[str, object]:
    crawls = json.loads(run_cli(home, "crawls", "--json").stdout)
    return {"collections": json.loads(run_cli(home, "collections", "--json").stdout),
            "seeds": run_cli(home, "seeds", "export", "fixture").stdout,
            "crawls": [(c["id"], c["collection"]) for c in crawls],
            "index": sorted(line for f in home.rglob("*.cdxj")
                            for line in f.read_text(encoding="utf-8").splitlines())}


def test_lost_catalogue_is_rebuilt_from_warcs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seeds = tmp_path / "seeds.yaml"
    site = FixtureServer(SITE).start()
    try:
        seeds.write_text((SITE / "seeds.yaml").read_text(encoding="utf-8")
                         .replace("{{ORIGIN}}", site.origin), encoding="utf-8")
        run_cli(home, "init")
        run_cli(home, "crawl", "fixture", "--seeds", str(seeds), "--max-pages", "12",
                env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_WARC_MAX_SIZE": "20000"})
    finally:
        site.stop()
    run_cli(home, "import", "other", str(write_warc(tmp_path / "example.warc.gz", "heritrix")))
    run_cli(home, "index", "--rebuild")        # both collections indexed the same way
    before = _state(home)
    assert len(before["crawls"]) == 1 and len(before["index"]) > 10

    for lost in home.glob("catalog.sqlite*"):
        lost.unlink()
    proc = run_cli(home, "index", "--rebuild")
    assert "recovered collection fixture (" in proc.stdout
    assert "recovered collection other (other) from 1 WARC files: 0 seeds, 0 crawls" \
        in proc.stdout
    assert "not in the WARC files, so not recovered: users, schedules" in proc.stdout
    after = _state(home)
    assert after["index"] == before["index"]
    assert after["crawls"] == before["crawls"]
    assert after["seeds"] == before["seeds"]
    assert after["collections"] == before["collections"]
