"""catalogue: Dublin Core for collections; text, metadata and gov fields for captures; search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

The full-text index depends on the backend (catalog/search.py reads both the same way):
SQLite gets an FTS5 table ``capture_fts`` (rowid = captures.id) emptied by a trigger when
its capture goes; PostgreSQL gets ``capture_search`` (one tsvector per capture, GIN index).
Both hold words already segmented by jieba, so neither needs a Chinese parser of its own.
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

CAPTURE_COLUMNS: list[sa.Column[Any]] = [
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('crawl_id', sa.Integer(), nullable=True),
    sa.Column('seed_id', sa.Integer(), nullable=True),
    sa.Column('revisit_of', sa.String(length=17), nullable=True),
    sa.Column('charset', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('outlinks', sa.Integer(), nullable=True),
    sa.Column('author', sa.Text(), nullable=True),
    sa.Column('sitename', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('page_date', sa.String(length=10), nullable=True),
    sa.Column('index_no', sa.String(length=255), nullable=True),
    sa.Column('agency', sa.String(length=500), nullable=True),
    sa.Column('written_date', sa.String(length=10), nullable=True),
    sa.Column('published_date', sa.String(length=10), nullable=True),
    sa.Column('doc_no', sa.String(length=255), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creator', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('subject', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('coverage_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('coverage_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rights', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=35), nullable=True))

    with op.batch_alter_table('captures', schema=None) as batch_op:
        for column in CAPTURE_COLUMNS:
            batch_op.add_column(column)
        batch_op.create_foreign_key('fk_captures_crawl_id', 'crawls', ['crawl_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key('fk_captures_seed_id', 'seeds', ['seed_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_captures_host', ['host'], unique=False)
        batch_op.create_index('ix_captures_timestamp', ['timestamp'], unique=False)
        batch_op.create_index('ix_captures_agency', ['agency'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE capture_fts USING fts5("
                   "title, words, subwords, tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER captures_fts_delete AFTER DELETE ON captures BEGIN "
                   "DELETE FROM capture_fts WHERE rowid = old.id; END")
    else:
        op.execute("CREATE TABLE capture_search ("
                   "capture_id integer PRIMARY KEY REFERENCES captures(id) ON DELETE CASCADE, "
                   "tsv tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_capture_search_tsv ON capture_search USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS captures_fts_delete")
        op.execute("DROP TABLE IF EXISTS capture_fts")
    else:
        op.execute("DROP TABLE IF EXISTS capture_search")

    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.drop_index('ix_captures_agency')
        batch_op.drop_index('ix_captures_timestamp')
        batch_op.drop_index('ix_captures_host')
        batch_op.drop_constraint('fk_captures_seed_id', type_='foreignkey')
        batch_op.drop_constraint('fk_captures_crawl_id', type_='foreignkey')
        for column in reversed(CAPTURE_COLUMNS):
            batch_op.drop_column(column.name)

    with op.batch_alter_table('collections', schema=None) as batch_op:
        for name in ('language', 'rights', 'coverage_end', 'coverage_start', 'subject',
                     'creator'):
            batch_op.drop_column(name)
