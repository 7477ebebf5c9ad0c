"""Opening the catalogue: an engine for any SQLAlchemy URL, migrated to the newest schema.

SQLite (the default) runs in WAL mode with foreign keys on, so the crawl process and a
reader (``diancang crawls``, replay) never block each other for long.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from errors import Unavailable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


# The full-text tables differ by backend and are made by raw DDL in migration 0002 (FTS5 and
# its shadow tables on SQLite, a tsvector table on PostgreSQL); the models do not describe them.
SEARCH_TABLES = ("capture_fts", "capture_search")

SCHEDULER_JOBS_TABLE = "apscheduler_jobs"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic's filter: everything but the backend-specific full-text tables and the table
    APScheduler's job store creates and owns."""
    return not (type_ == "table" and name is not None
                and (name.startswith(SEARCH_TABLES) or name == SCHEDULER_JOBS_TABLE))


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration, or to ``revision`` (creating it on an empty
    database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


# a migration's own lines naming it and its parent, as alembic's template writes them
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.M)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration's revision, read from the version files' ``revision`` and
    ``down_revision`` lines without importing alembic (a quarter of a second of CPU, in every
    command that opens the catalogue); None unless they plainly name one head, and then
    alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        lines = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in lines:
            continue            # not a migration (__init__.py)
        try:
            revision = ast.literal_eval(lines["revision"])
            down = ast.literal_eval(lines.get("down_revision", "None"))
        except (ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        downs = down if isinstance(down, tuple | list) else (down,)
        if not all(d is None or isinstance(d, str) for d in downs):
            return None
        parents.update(d for d in downs if d is not None)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def up_to_date(engine: Engine) -> bool:
    """Whether the database's schema stands at the newest migration: its ``alembic_version``
    row is the head (a missing table or row: not)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            current = {row[0] for row in conn.execute(text("SELECT version_num FROM "
                                                           "alembic_version"))}
    except DBAPIError:
        return False
    return current == {head}


class CatalogUnavailable(Unavailable):
    """The catalogue's database cannot be opened: a URL SQLAlchemy does not know, a driver
    not installed, a server not answering, a file that cannot be created."""

    def __init__(self, url: str, exc: BaseException):
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            shown = url
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        super().__init__(f"cannot open the catalogue database {shown}: {reason}")


class Catalog:
    """An open catalogue: the engine and a session factory."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        try:
            self.engine = make_engine(url)
            if migrate and not up_to_date(self.engine):
                upgrade(self.engine)
        except (ArgumentError, DBAPIError, ImportError) as exc:
            raise CatalogUnavailable(url, exc) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error: all or nothing."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
