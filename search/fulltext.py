"""The full-text index on each backend, written and queried from the same words.

SQLite: the FTS5 table ``capture_fts(title, words, other, subwords)``, rowid = captures.id,
ranked by ``bm25`` with the title weighted up and the rest of the page (``other``: navigation,
lists) down.  PostgreSQL: ``capture_search(capture_id, tsv)``, a ``tsvector`` built here as a
literal (title words weight A, main text B, the rest C, subwords D), so
PostgreSQL's own parser never re-splits the words; ranked by ``ts_rank_cd`` (cover density:
words close together count more).  On both, captures where the query's words stand
together and in order (a phrase) come before those where they stand apart.  Rows go when
their capture goes (a trigger on SQLite, ON DELETE CASCADE on PostgreSQL).

A query is a list of terms, each a list of words (``search.words.query_terms``): every term
must match; a one-word term matches the word anywhere (title, body or subwords); a longer
term is a phrase in the title or body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

WEIGHTS = "4.0, 1.0, 0.3, 0.5"        # bm25: title, words, other, subwords
PHRASE_COLUMNS = "{title words other}"


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def store(conn: Connection, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
    """Index ``(capture id, title words, body words, other words, subwords)``, words
    separated by spaces."""
    if not rows:
        return
    if is_sqlite(conn):
        conn.execute(text("INSERT INTO capture_fts (rowid, title, words, other, subwords) "
                          "VALUES (:id, :title, :words, :other, :sub)"),
                     [{"id": i, "title": t, "words": w, "other": o, "sub": s}
                      for i, t, w, o, s in rows])
        return
    conn.execute(text("INSERT INTO capture_search (capture_id, tsv) "
                      "VALUES (:id, CAST(:tsv AS tsvector))"),
                 [{"id": i, "tsv": tsvector_literal(t, w, o, s)} for i, t, w, o, s in rows])


def copy(conn: Connection, pairs: Sequence[tuple[int, int]]) -> None:
    """Index each ``(capture id, other capture id)`` with the other's words (a revisit gets
    its original's)."""
    if not pairs:
        return
    params = [{"id": new, "orig": orig} for new, orig in pairs]
    if is_sqlite(conn):
        conn.execute(text("INSERT INTO capture_fts (rowid, title, words, other, subwords) "
                          "SELECT :id, title, words, other, subwords FROM capture_fts "
                          "WHERE rowid = :orig"), params)
        return
    conn.execute(text("INSERT INTO capture_search (capture_id, tsv) "
                      "SELECT :id, tsv FROM capture_search WHERE capture_id = :orig"), params)


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: str, body: str, other: str, sub: str) -> str:
    """``'word':1A,7A 'other':2B ...``: positions as in the text, weights by part."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for words, weight in ((title, "A"), (body, "B"), (other, "C"), (sub, "D")):
        for word in words.split():
            pos = min(pos + 1, 16383)
            positions.setdefault(word, []).append(f"{pos}{weight}")
        pos = min(pos + 1, 16383)           # a gap: no phrase runs from one part into the next
    return " ".join(f"{_quote(w)}:{','.join(p[:256])}" for w, p in positions.items())


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class Match:
    """How to find and rank a query's captures: a join on the index (``c`` is captures),
    the *tier* (0: the query's words stand together, in order, in the title or the text;
    1: anywhere) and the backend's score within a tier, both smaller-is-better."""
    join: str
    tier: str
    score: str
    params: dict[str, Any]


def _fts5_term(term: list[str]) -> str:
    if len(term) == 1:
        return _fts5_string(term[0])
    return PHRASE_COLUMNS + " : " + _fts5_string(" ".join(term))


def _ts_term(term: list[str]) -> str:
    if len(term) == 1:
        return _quote(term[0])
    return "(" + " <-> ".join(f"{_quote(w)}:ABC" for w in term) + ")"


def match(conn: Connection, terms: list[list[str]], phrases: list[list[str]]) -> Match:
    """Every term must match (``search.words.query_terms``); captures where one of
    ``phrases`` (``search.words.phrases``) stands in the title or text come first."""
    if is_sqlite(conn):
        tier = "1"
        params: dict[str, Any] = {"q": " AND ".join(map(_fts5_term, terms))}
        if phrases:
            params["phrase"] = " OR ".join("(" + _fts5_term(p) + ")" for p in phrases)
            tier = ("CASE WHEN c.id IN (SELECT rowid FROM capture_fts WHERE capture_fts "
                    "MATCH :phrase) THEN 0 ELSE 1 END")
        return Match("JOIN capture_fts ON capture_fts.rowid = c.id AND capture_fts MATCH :q",
                     tier, f"bm25(capture_fts, {WEIGHTS})", params)
    tier = "1"
    params = {"q": " & ".join(map(_ts_term, terms))}
    if phrases:
        params["phrase"] = " | ".join(
            "(" + " <-> ".join(f"{_quote(w)}:ABC" for w in p) + ")" for p in phrases)
        tier = "CASE WHEN s.tsv @@ CAST(:phrase AS tsquery) THEN 0 ELSE 1 END"
    return Match("JOIN capture_search s ON s.capture_id = c.id AND s.tsv @@ CAST(:q AS tsquery)",
                 tier, "-ts_rank_cd(s.tsv, CAST(:q AS tsquery))", params)
