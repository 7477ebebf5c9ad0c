"""Shared fixtures: catalogue URLs for both backends, the changing site crawled twice.
Helpers the tests call live in tests/support.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import POSTGRES_ENV, postgres_schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The catalogue URL on each backend: SQLite file, and the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it to the local server)")
    yield from postgres_schema_url(base)


@pytest.fixture(scope="session")
def crawled_twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The changing site crawled twice through the CLI into collection "rp", with an excluded
    page and a dead seed (tests/changing_site.py): what the report tests of the CLI and of the
    web app read.  Shared, since each crawl pair costs seconds."""
    from diancang.fixture_server import FixtureServer
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
