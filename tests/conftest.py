"""Shared fixtures: catalogue URLs for both backends, the changing site crawled twice; and
the guard that keeps ``pytest -m "not slow"`` fast.  Helpers the tests call live in
tests/support.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.support import (
    POSTGRES_ENV,
    REDIS_ENV,
    copy_sqlite,
    memoised_password_hashing,
    migrated_sqlite_template,
    postgres_schema_url,
    redis_prefix,
)

# Python's audit events for starting another program (a browser's driver included)
CHILD_PROCESS_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.posix_spawn",
                                  "os.exec", "os.spawn"))
_unmarked_test: list[str | None] = [None]     # the running test's id, if it is not slow


def _refuse_child_processes(event: str, args: tuple[object, ...]) -> None:
    test = _unmarked_test[0]
    if test is not None and event in CHILD_PROCESS_EVENTS:
        raise RuntimeError(f"{test} starts a child process ({event} {args[0]!r}): mark it "
                           "@pytest.mark.slow, so that pytest -m 'not slow' stays fast")


sys.addaudithook(_refuse_child_processes)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[
        None, object, object]:
    """A test not marked ``slow`` (its fixtures' setup included) may start no child process."""
    _unmarked_test[0] = None if item.get_closest_marker("slow") else item.nodeid
    try:
        return (yield)
    finally:
        _unmarked_test[0] = None


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite catalogue brought to the newest schema by the real migrations, once a session:
    the template each test's catalogue is copied from."""
    return migrated_sqlite_template(tmp_path_factory.mktemp("template") / "catalog.sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path,
                migrated_sqlite: Path) -> Iterator[str]:
    """The catalogue URL on each backend: SQLite file, and the real PostgreSQL server.  The
    SQLite file starts as a copy of the migrated template (running the migrations took a
    tenth of a second of every such test), unless the test is marked ``empty_catalog``."""
    if request.param == "sqlite":
        path = tmp_path / "catalog.sqlite"
        if not request.node.get_closest_marker("empty_catalog"):
            copy_sqlite(migrated_sqlite, path)
        yield f"sqlite:///{path}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it to the local server)")
    yield from postgres_schema_url(base)


@pytest.fixture(scope="session", autouse=True)
def _password_hashing_once() -> Iterator[None]:
    """werkzeug's scrypt costs a tenth of a second by design, and the tests hash and check the
    same few passwords hundreds of times: each (hash, password) is checked once, each password
    hashed once (tests/support.py)."""
    with memoised_password_hashing():
        yield


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A schema of its own on the real PostgreSQL server."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it to the local server)")
    yield from postgres_schema_url(base)


@pytest.fixture
def redis_frontier() -> Iterator[tuple[str, str]]:
    """(URL, key prefix of this test) on the real Redis server."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set (.ci/run sets it to the local server)")
    for prefix in redis_prefix(url):
        yield url, prefix


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
