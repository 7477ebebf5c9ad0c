"""The real scheduler daemon checks fixity on its interval, as a child ``diancang verify``:
each file's outcome lands in the catalogue, and a file that stopped holding is an ERROR."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.db import Catalog
from catalog.models import WarcFile
from tests.diancang.test_verify_command import hold
from tests.scheduler.test_daemon import daemon, stop, wait_for
from tests.support import run_cli


def outcome(url: str) -> str | None:
    catalog = Catalog(url, migrate=False)
    try:
        with catalog.session() as session:
            return session.query(WarcFile).one().verify_outcome
    finally:
        catalog.dispose()


@pytest.mark.slow
def test_the_daemon_verifies_on_its_interval(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "init")
    url = f"sqlite:///{home / 'catalog.sqlite'}"
    [path] = hold(home, url, "c1", 1)
    proc = daemon(home, DIANCANG_FIXITY_INTERVAL=str(3 / 86400))     # every 3 seconds
    try:
        wait_for(lambda: outcome(url) == "ok")
        path.write_bytes(path.read_bytes()[:-1])       # the file loses its last byte
        wait_for(lambda: outcome(url) == "failed")
        log = home / "scheduler" / "verify-c1.log"
        wait_for(lambda: "do not hold" in log.read_text())     # the child is finishing
    finally:
        err = stop(proc)
    assert "started fixity check of c1" in err
    assert "ERROR scheduler.daemon: fixity check of c1: some files do not hold" in err
    assert "truncated" in log.read_text()
