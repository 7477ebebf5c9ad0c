"""Search that finds what readers see: an ``other`` column of words; crawl_requests.urls NULL

Revision ID: 0007_search
Revises: 0006_leases

The scheduler's requests were stored with JSON ``null``, so the patch-crawl filter
(``urls IS NOT NULL``) took every scheduled crawl for a patch crawl and reports compared it
with nothing ("first crawl").  The model now writes SQL NULL; this fixes the rows already
written.

The full-text index gets the words a reader sees outside the main text (navigation, lists,
notice bars): on SQLite a column ``other`` of ``capture_fts`` (FTS5 cannot add a column, so
the table is made again and the rows copied); on PostgreSQL they are tsvector weight C, no
change of schema.  Rows indexed before have an empty ``other`` until ``index --rebuild``.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_search'
down_revision = '0006_leases'
branch_labels = None
depends_on = None


FTS_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2'"


def _remake_fts(columns: str, copied: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE capture_fts_new USING fts5({columns}, {FTS_OPTIONS})")
    op.execute(f"INSERT INTO capture_fts_new (rowid, {columns}) "
               f"SELECT rowid, {copied} FROM capture_fts")
    op.execute("DROP TRIGGER captures_fts_delete")
    op.execute("DROP TABLE capture_fts")
    op.execute("ALTER TABLE capture_fts_new RENAME TO capture_fts")
    op.execute("CREATE TRIGGER captures_fts_delete AFTER DELETE ON captures BEGIN "
               "DELETE FROM capture_fts WHERE rowid = old.id; END")


def upgrade() -> None:
    cast = "CAST(urls AS TEXT)"
    op.execute(sa.text(f"UPDATE crawl_requests SET urls = NULL WHERE {cast} = 'null'"))
    if op.get_bind().dialect.name == 'sqlite':
        _remake_fts("title, words, other, subwords", "title, words, '', subwords")


def downgrade() -> None:
    # SQL NULL urls read back as None under both versions of the model
    if op.get_bind().dialect.name == 'sqlite':
        _remake_fts("title, words, subwords", "title, words || ' ' || other, subwords")
