"""A crawl whose WARC writes fail (a full disk) stops as failed, through the real CLI: exit 1,
status ``failed`` with the error as its stop reason, an ERROR in its log, and every WARC file
closed at its last whole record (read back by warcio and by ``diancang verify``).

The disk is a real one that fills: a 256 kB tmpfs mounted on the collection's ``archive/``
(CI runs as root; elsewhere the test is skipped)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from diancang.demo.server import FixtureServer
from tests.support import run_cli, warcio_check
from warc_store.fixity import check_file


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "archive"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.slow
def test_a_full_disk_fails_the_crawl_and_keeps_every_whole_record(tmp_path: Path,
                                                                  small_disk: Path) -> None:
    site = FixtureServer(generate_pages=200, image_bytes=4000).start()
    try:
        home = tmp_path / "home"
        run_cli(home, "init")
        seeds = tmp_path / "seeds.yaml"
        seeds.write_text(f"collection: full\nseeds:\n  - url: {site.origin}/\n"
                         "defaults: {depth: 20, delay: 0, concurrency: 4}\n", encoding="utf-8")
        run_cli(home, "seeds", "import", str(seeds))
        archive = home / "collections" / "full" / "archive"
        archive.rmdir()
        archive.symlink_to(small_disk)
        proc = run_cli(home, "crawl", "full", check=False,
                       env={"DIANCANG_CRAWL_ALLOW_PRIVATE": "1"})
    finally:
        site.stop()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (crawl,) = json.loads(run_cli(home, "crawls", "--json").stdout)
    assert crawl["status"] == "failed"
    assert crawl["stop_reason"] == "write error: No space left on device (ENOSPC)"
    assert "failed (write error: No space left on device (ENOSPC))" in proc.stdout
    log = (home / "crawls" / str(crawl["id"]) / "crawl.log").read_text(encoding="utf-8")
    assert "ERROR: write error: No space left on device (ENOSPC) while writing" in log
    files = sorted(small_disk.iterdir())
    assert files and not [p for p in files if p.name.endswith(".open")], files
    for warc in files:
        assert check_file(warc, None).ok
        assert warcio_check(warc).returncode == 0
    verified = run_cli(home, "verify", "full")
    assert "all hold" in verified.stdout
    assert crawl["pages"] > 0
