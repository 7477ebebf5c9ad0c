"""The full-text index on each backend, written and queried from the same words.

SQLite: the FTS5 table ``capture_fts(title, words, subwords)``, rowid = captures.id, ranked
by ``bm25`` with the title weighted up.  PostgreSQL: ``capture_search(capture_id, tsv)``, a
``tsvector`` built here as a literal (title words weight A, body B, subwords D), so
PostgreSQL's own parser never re-splits the words; ranked by ``ts_rank``.  Rows go when
their capture goes (a trigger on SQLite, ON DELETE CASCADE on PostgreSQL).

A query is a list of terms, each a list of words (``search.words.query_terms``): every term
must match; a one-word term matches the word anywhere (title, body or subwords); a longer
term is a phrase in the title or body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

TITLE_WEIGHT = 4.0


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def store(conn: Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Index ``(capture id, title words, body words, subwords)``, words separated by spaces."""
    if not rows:
        return
    if is_sqlite(conn):
        conn.execute(text("INSERT INTO capture_fts (rowid, title, words, subwords) "
                          "VALUES (:id, :title, :words, :sub)"),
                     [{"id": i, "title": t, "words": w, "sub": s} for i, t, w, s in rows])
        return
    conn.execute(text("INSERT INTO capture_search (capture_id, tsv) "
                      "VALUES (:id, CAST(:tsv AS tsvector))"),
                 [{"id": i, "tsv": tsvector_literal(t, w, s)} for i, t, w, s in rows])


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: str, body: str, sub: str) -> str:
    """``'word':1A,7A 'other':2B ...``: positions as in the text, weights by part."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for words, weight in ((title, "A"), (body, "B"), (sub, "D")):
        for word in words.split():
            pos = min(pos + 1, 16383)
            positions.setdefault(word, []).append(f"{pos}{weight}")
        pos = min(pos + 1, 16383)           # a gap: no phrase runs from one part into the next
    return " ".join(f"{_quote(w)}:{','.join(p[:256])}" for w, p in positions.items())


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match(conn: Connection, terms: list[list[str]]) -> tuple[str, str, dict[str, Any]]:
    """(FROM/JOIN clause, rank expression ordered best first, parameters) for the terms."""
    if is_sqlite(conn):
        parts = []
        for term in terms:
            if len(term) == 1:
                parts.append(_fts5_string(term[0]))
            else:
                parts.append("{title words} : " + _fts5_string(" ".join(term)))
        return ("JOIN capture_fts ON capture_fts.rowid = c.id AND capture_fts MATCH :q",
                f"bm25(capture_fts, {TITLE_WEIGHT}, 1.0, 0.5)", {"q": " AND ".join(parts)})
    parts = []
    for term in terms:
        if len(term) == 1:
            parts.append(_quote(term[0]))
        else:
            parts.append("(" + " <-> ".join(f"{_quote(w)}:AB" for w in term) + ")")
    return ("JOIN capture_search s ON s.capture_id = c.id AND s.tsv @@ CAST(:q AS tsquery)",
            "-ts_rank(s.tsv, CAST(:q AS tsquery))", {"q": " & ".join(parts)})
