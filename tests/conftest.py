"""Shared fixtures: catalogue URLs for both backends, the fixture site, the CLI."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_ENV = "DIANCANG_TEST_POSTGRES_URL"


def _postgres_schema_url(base: str) -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(base)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {base} is not reachable: {exc.orig}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The catalogue URL on each backend: SQLite file, and the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it to the local server)")
    yield from _postgres_schema_url(base)


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    """``warcio check`` (the independent reader's own command) on one WARC file."""
    script = Path(sys.executable).with_name("warcio")
    command = str(script) if script.exists() else (shutil.which("warcio") or "warcio")
    return subprocess.run([command, "check", "-v", str(path)], capture_output=True, text=True,
                          check=False)


def assert_warcio_check(path: Path, records: int) -> None:
    """``warcio check`` passes, with every one of ``records`` digests checked and passing."""
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest fail" not in proc.stdout
    assert "not checked" not in proc.stdout
    assert proc.stdout.count("digest pass") == records, proc.stdout


def run_cli(home: Path, *args: str, env: dict[str, str] | None = None,
            check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``diancang`` command line in a child process."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                          capture_output=True, text=True, env=full_env, timeout=timeout,
                          check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"diancang {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


@contextmanager
def replay_server(home: Path) -> Iterator[str]:
    """The real ``diancang serve`` (pywb) on an ephemeral port; yields its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"serve printed {line!r}"
        yield match.group(0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def crawled_twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The changing site crawled twice through the CLI into collection "rp", with an excluded
    page and a dead seed (tests/changing_site.py): what the report tests of the CLI and of the
    web app read.  Shared, since each crawl pair costs seconds."""
    from diancang.demo.server import FixtureServer
    from tests import changing_site

    root = tmp_path_factory.mktemp("site")
    changing_site.build(root)
    server = FixtureServer(root).start()
    dead = f"http://127.0.0.1:{changing_site.closed_port()}/"
    try:
        home = tmp_path_factory.mktemp("home")
        changing_site.crawl_twice(home, root,
                                  changing_site.seeds_with_failures("rp", server.origin, dead),
                                  env={"DIANCANG_CRAWL_RETRIES": "0"})
        yield {"home": home, "root": root, "o": server.origin, "dead": dead}
    finally:
        server.stop()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: (status, headers, body), error statuses included (replay tests)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
