"""A crawl's frontier on local disk: every request it has seen, in one SQLite file.

One row per request fingerprint: the request (Scrapy's ``request_to_dict``, pickled as its
disk queues pickle it), its host and priority, and its state, pending, inflight or done.
The database runs in WAL mode with ``synchronous=NORMAL``: a committed batch survives
SIGKILL; after a power cut the last batches may roll back (never half of one), as the tail of
a WARC file not yet closed (fsynced) may be lost, and the resumed crawl fetches them again.
Changes are written in batched transactions, in the order they were made; the scheduler
(``crawler.frontier_scheduler``) decides when a batch is committed.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PENDING, INFLIGHT, DONE = 0, 1, 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    fp       TEXT PRIMARY KEY,
    url      TEXT NOT NULL,
    host     TEXT NOT NULL,
    priority INTEGER NOT NULL,
    state    INTEGER NOT NULL,
    request  BLOB NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Row:
    fp: str
    url: str
    state: int
    request: dict[str, Any]


class Frontier:
    """The rows of one crawl's frontier; ``add``/``set_state`` are buffered until ``commit``."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._adds: list[tuple[str, str, str, int, int, bytes]] = []
        self._states: list[tuple[int, str]] = []
        self._order: list[bool] = []    # True: the next add, False: the next state change

    def rows(self) -> Iterator[Row]:
        for fp, url, state, blob in self._db.execute(
                "SELECT fp, url, state, request FROM requests ORDER BY rowid"):
            yield Row(fp, url, state, pickle.loads(blob))

    def add(self, fp: str, url: str, host: str, priority: int,
            request: dict[str, Any], state: int = PENDING) -> None:
        """Record a request (replacing an earlier one of its fingerprint, e.g. a retry)."""
        self._adds.append((fp, url, host, priority, state,
                           pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)))
        self._order.append(True)

    def set_state(self, fps: Iterable[str], state: int) -> None:
        for fp in fps:
            self._states.append((state, fp))
            self._order.append(False)

    def commit(self) -> None:
        """Write the buffered changes in one transaction, in the order they were made."""
        if not self._order:
            return
        adds, states = iter(self._adds), iter(self._states)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for is_add in self._order:
                if is_add:
                    db.execute("INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?)",
                               next(adds))
                else:
                    db.execute("UPDATE requests SET state = ? WHERE fp = ?", next(states))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._adds.clear()
        self._states.clear()
        self._order.clear()

    def counts(self) -> dict[int, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM requests GROUP BY state"))

    def close(self) -> None:
        self.commit()
        self._db.close()
