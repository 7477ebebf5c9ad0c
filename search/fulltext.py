"""The full-text index on each backend, written and queried from the same words.

SQLite: the FTS5 table ``capture_fts(title, words, other, subwords)``, rowid = captures.id,
the rest of the page apart (``other``: navigation, lists).  PostgreSQL:
``capture_search(capture_id, tsv)``, a ``tsvector`` built here as a literal (title words
weight A, main text B, the rest C, subwords D), so PostgreSQL's own parser never re-splits
the words.  Both rank by the same *tiers* (``tiers``): the query's words standing together
in the title, then in the main text, then elsewhere, then apart; neither backend's own
score (bm25, ts_rank) decides, so the order is the same on both, and cheaper to compute.
Rows go when their capture goes (a trigger on SQLite, ON DELETE CASCADE on PostgreSQL).

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
    """How to find and rank a query's captures: a join on the index (``c`` is captures) and
    the *tier*, an SQL expression, smaller is better (``tiers``), the same on both backends."""
    join: str
    tier: str
    params: dict[str, Any]


# where words may stand: FTS5 columns and the tsvector weights that hold the same words
TITLE, MAIN, OTHER = ("title", "A"), ("words", "B"), ("other", "C")


def _fts5_in(place: tuple[str, str], words: list[str]) -> str:
    return "{" + place[0] + "} : " + _fts5_string(" ".join(words))


def _ts_in(place: tuple[str, str], words: list[str]) -> str:
    return "(" + " <-> ".join(f"{_quote(w)}:{place[1]}" for w in words) + ")"


def _fts5_term(term: list[str]) -> str:
    if len(term) == 1:
        return _fts5_string(term[0])
    return PHRASE_COLUMNS + " : " + _fts5_string(" ".join(term))


def _ts_term(term: list[str]) -> str:
    if len(term) == 1:
        return _quote(term[0])
    return "(" + " <-> ".join(f"{_quote(w)}:ABC" for w in term) + ")"


Tier = list[list[tuple[tuple[str, str], list[str]]]]   # any of: all of (place, words)


def tiers(terms: list[list[str]], phrases: list[list[str]]) -> list[Tier]:
    """The ranking, best first: each tier matches where any of its alternatives does, an
    alternative where all its (place, words standing together there) do.  With several
    words: the whole query as a phrase in the title, in the main text, elsewhere on the
    page; then every term in the title; then the rest.  One word: in the title, in the main
    text, then the rest."""
    in_title = [[(TITLE, term) for term in terms]]
    if phrases:
        return [[[(place, phrase)] for phrase in phrases] for place in (TITLE, MAIN, OTHER)] \
            + [in_title]
    return [in_title, [[(MAIN, term) for term in terms]]]


def match(conn: Connection, terms: list[list[str]], phrases: list[list[str]]) -> Match:
    """Every term must match (``search.words.query_terms``); the tier says how well
    (``tiers``; ``phrases``: ``search.words.phrases``)."""
    ranked = tiers(terms, phrases)
    sqlite = is_sqlite(conn)
    params: dict[str, Any] = {}
    cases = []
    for n, alternatives in enumerate(ranked):
        if sqlite:
            params[f"t{n}"] = " OR ".join(
                "(" + " AND ".join(_fts5_in(place, words) for place, words in both) + ")"
                for both in alternatives)
            cases.append(f"WHEN c.id IN (SELECT rowid FROM capture_fts WHERE capture_fts "
                         f"MATCH :t{n}) THEN {n}")
        else:
            params[f"t{n}"] = " | ".join(
                "(" + " & ".join(_ts_in(place, words) for place, words in both) + ")"
                for both in alternatives)
            cases.append(f"WHEN s.tsv @@ CAST(:t{n} AS tsquery) THEN {n}")
    tier = f"CASE {' '.join(cases)} ELSE {len(ranked)} END"
    if sqlite:
        params["q"] = " AND ".join(map(_fts5_term, terms))
        return Match("JOIN capture_fts ON capture_fts.rowid = c.id AND capture_fts MATCH :q",
                     tier, params)
    params["q"] = " & ".join(map(_ts_term, terms))
    return Match("JOIN capture_search s ON s.capture_id = c.id AND s.tsv @@ CAST(:q AS tsquery)",
                 tier, params)
