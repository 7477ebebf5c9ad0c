"""latest_captures: each URL's original's validators (ETag, Last-Modified) and place

Revision ID: 0013_validators
Revises: 0012_browser

A recrawl sends them as If-None-Match / If-Modified-Since, and on a 304 reads the original's
page back from its WARC file (original_file_id, original_offset) to follow its links.  Rows
written before this migration have none: their URLs are fetched unconditionally until their
next capture fills them in.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_validators'
down_revision = '0012_browser'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('latest_captures') as batch:
        batch.add_column(sa.Column('etag', sa.Text(), nullable=True))
        batch.add_column(sa.Column('last_modified', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('original_file_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('original_offset', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('latest_captures') as batch:
        batch.drop_column('original_offset')
        batch.drop_column('original_file_id')
        batch.drop_column('last_modified')
        batch.drop_column('etag')
