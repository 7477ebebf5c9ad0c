"""Helpers the tests share: the real CLI and replay server in child processes, the
independent WARC reader, PostgreSQL schemas, and a logged-in web client.

Test modules import these from here; ``conftest.py`` files hold only fixtures (which may use
this module), and no test module imports another.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import traceback
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from diancang.settings import Settings
from seeds.model import Seed

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from catalog.db import Catalog
    from crawler.job import CrawlJob
    from seeds.model import SeedList

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_ENV = "DIANCANG_TEST_POSTGRES_URL"


# ---- processes: the command line and pywb replay --------------------------------------------

# The archive's declared seed defaults (crawl.scope, crawl.depth, ...), as a home without a
# settings file has them: what the composition root passes to the seed-list parser.
SEED_DEFAULTS = Settings.defaults().seed_defaults


def make_seed(url: str, **rules: Any) -> Seed:
    """A seed of ``url`` with the declared defaults but for ``rules``."""
    return Seed(url=url, **{**SEED_DEFAULTS, **rules})


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


def make_home(tmp_path: Path, origin: str, limits: str = "") -> Path:
    """An archive home whose collection "slow" has one seed, ``origin``/, crawled deep, one
    request at a time, without delay."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    home = tmp_path / "home"
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(f"collection: slow\nseeds:\n  - url: {origin}/\n"
                     f"defaults: {{depth: 50, delay: 0, concurrency: 1}}\n{limits}",
                     encoding="utf-8")
    run_cli(home, "init")
    run_cli(home, "seeds", "import", str(seeds))
    return home


def crawls(home: Path) -> list[dict[str, Any]]:
    """``diancang crawls --json``: the crawl history."""
    return list(json.loads(run_cli(home, "crawls", "--json").stdout))


@contextlib.contextmanager
def replay_server(home: Path) -> Iterator[str]:
    """The real ``diancang serve`` (pywb) on an ephemeral port; yields its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"serve printed {line!r}"
        # pywb prints a line for each directory it looks in; a full pipe would stall it
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield match.group(0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: (status, headers, body), error statuses included (replay tests)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# ---- the independent WARC reader -------------------------------------------------------------

def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    """``warcio check -v`` (the independent reader's own command) on one WARC file, run
    through warcio's command-line entry point in this process: the same code as the
    ``warcio`` script, without a child process, so writer tests stay fast."""
    from warcio.cli import main as warcio_main

    args = ["check", "-v", str(path)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            warcio_main(args)
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:  # noqa: BLE001 - as the script would: a traceback and exit 1
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(["warcio", *args], code, out.getvalue(), err.getvalue())


def assert_warcio_check(path: Path, records: int) -> None:
    """``warcio check`` passes, with every one of ``records`` digests checked and passing."""
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest fail" not in proc.stdout
    assert "not checked" not in proc.stdout
    assert proc.stdout.count("digest pass") == records, proc.stdout


# ---- the catalogue ---------------------------------------------------------------------------

def capture_snapshot(catalog: Catalog) -> list[tuple[Any, ...]]:
    """Every capture column but the id, with its file's name and its full-text words."""
    from sqlalchemy import text

    from catalog.models import Capture

    columns = [c for c in Capture.__table__.columns if c.name not in ("id", "warc_file_id")]
    sqlite = catalog.engine.dialect.name == "sqlite"
    words = ("SELECT title || '|' || words || '|' || subwords FROM capture_fts "
             "WHERE rowid = captures.id" if sqlite else
             "SELECT tsv::text FROM capture_search WHERE capture_id = captures.id")
    with catalog.engine.connect() as conn:
        rows = conn.execute(text(
            f"SELECT w.filename, {', '.join('captures.' + c.name for c in columns)}, ({words}) "
            "FROM captures JOIN warc_files w ON w.id = captures.warc_file_id "
            "ORDER BY w.filename, captures.\"offset\"")).all()
    return [tuple(r) for r in rows]


# ---- PostgreSQL ------------------------------------------------------------------------------

def postgres_schema_url(base: str) -> Iterator[str]:
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


# ---- SQLite catalogues --------------------------------------------------------------------

def migrated_sqlite_template(path: Path) -> Path:
    """A SQLite catalogue at ``path``, brought to the newest schema by the real migrations."""
    from catalog.db import Catalog

    path.parent.mkdir(parents=True, exist_ok=True)
    Catalog(f"sqlite:///{path}").dispose()
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (SQLite's backup API: whole, whatever its WAL)."""
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


# ---- password hashing --------------------------------------------------------------------

@contextlib.contextmanager
def memoised_password_hashing() -> Iterator[None]:
    """The catalogue's werkzeug hashing, remembered for the tests: checking is a pure function
    of (hash, password), so each pair is checked once; each password is hashed (salted, scrypt)
    once and its hash reused."""
    import functools

    import catalog.users

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog.users, "check_password_hash",
                      functools.lru_cache(maxsize=None)(catalog.users.check_password_hash))
        patch.setattr(catalog.users, "generate_password_hash",
                      functools.lru_cache(maxsize=None)(catalog.users.generate_password_hash))
        yield


# ---- Redis -----------------------------------------------------------------------------------

REDIS_ENV = "DIANCANG_TEST_REDIS_URL"


def redis_prefix(url: str) -> Iterator[str]:
    """A key prefix of its own on the real Redis server (the frontier's keys of one test),
    its keys deleted afterwards; never FLUSHALL, other tests share the server."""
    from crawler.redis_frontier import connect

    client = connect(url)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to answer means: no server here
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    prefix = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)


# ---- the web app ------------------------------------------------------------------------------

REPLAY = "http://localhost:18080"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a page's form carries it."""
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in the form of {path}"
    return match.group(1)


def log_in(client: FlaskClient, name: str) -> str:
    """Log ``name`` in (password ``PASSWORD``); the CSRF token of its admin pages."""
    token = token_of(client)
    response = client.post("/login", data={"name": name, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return token_of(client, "/admin/")


def add_captures(app: Flask, slug: str, captures: list[tuple[str, str, str]]) -> None:
    """Capture rows (url, 14-digit timestamp, mime) of one finished crawl, in one WARC file
    of the collection, as the indexer writes them."""
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    from catalog.access import rule_key
    from catalog.collections import get_collection
    from catalog.models import Capture, Crawl, WarcFile

    catalog = app.extensions["diancang"].catalog
    with catalog.session() as session:
        coll = get_collection(session, slug)
        assert coll is not None
        crawl = Crawl(collection_id=coll.id, status="finished", started=datetime.now(UTC),
                      finished=datetime.now(UTC), pages=len(captures), bytes=12345, errors=0,
                      stats={"pages": len(captures)})
        session.add(crawl)
        session.flush()
        warc = WarcFile(collection_id=coll.id, crawl_id=crawl.id,
                        filename=f"{slug}-{crawl.id}.warc.gz", size=2_500_000, sha256="0" * 64,
                        records=2 * len(captures), closed=datetime.now(UTC))
        session.add(warc)
        session.flush()
        for offset, (url, stamp, mime) in enumerate(captures):
            session.add(Capture(collection_id=coll.id, crawl_id=crawl.id, warc_file_id=warc.id,
                                url=url, host=urlsplit(url).hostname, surt=rule_key(url),
                                timestamp=stamp, status=200, mime=mime,
                                digest="sha1:X", offset=offset * 1000, length=900))


def seed_list(slug: str, title: str, kind: str, *urls: str) -> SeedList:
    """A one-off seed list of these URLs, as the web tests' collections are made."""
    from seeds.model import SeedList

    return SeedList(collection=slug, title=title, kind=kind, schedule="once",
                    seeds=tuple(make_seed(u) for u in urls))


# ---- the crawler -----------------------------------------------------------------------------

def crawl_job(tmp_path: Path, **fields: Any) -> CrawlJob:
    """A crawl job of collection "gd-gov" with every parameter given (the crawler declares no
    defaults of its own), writing under ``tmp_path``; ``fields`` replace any of them."""
    from crawler.job import CrawlJob
    from diancang.crawl_job import browser_options
    from diancang.settings import Settings
    from seeds.model import Limits

    values: dict[str, Any] = {
        "collection": "gd-gov", "seeds": (make_seed("http://www.gd.gov.cn/"),),
        "archive_dir": tmp_path / "archive", "log_file": tmp_path / "crawl" / "crawl.log",
        "stats_file": tmp_path / "crawl" / "stats.json",
        "failed_file": tmp_path / "crawl" / "failed.jsonl",
        "user_agent": "Diancang/0.1 (+http://lib.example.cn/archive)",
        "operator": "深圳图书馆", "title": "广东省政府网站", "crawl_id": 7, "obey_robots": True,
        "accept_language": "zh-CN,zh;q=0.9,en;q=0.8", "concurrency": 16,
        "host_concurrency": 2, "delay": 1.0, "timeout": 180.0,
        "max_response_size": 100_000_000, "allow_private": False, "robots_retry_after": 60.0,
        "robots_attempts": 3, "retries": 2, "max_pages": None, "warc_max_size": 1_000_000_000,
        "gzip_level": 6, "progress": False, "on_warc_closed": None, "previous": {},
        "limits": Limits(), "traps": Settings.defaults().trap_limits(),
        "browser": browser_options(Settings.defaults()),
    }
    values.update(fields)
    return CrawlJob(**values)
