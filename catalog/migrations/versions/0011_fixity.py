"""fixity: each WARC file's last verification (when, outcome, what was found); and
captures.text_truncated: a page whose text was read from only the first
index.max_decoded_bytes of its decoded payload

Revision ID: 0011_fixity
Revises: 0010_warc_files_by_collection

Existing files start unverified (NULL): the scheduler's first fixity run, or a
``diancang verify``, fills them in.  Columns are added without copying the tables.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_fixity'
down_revision = '0010_warc_files_by_collection'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('warc_files', sa.Column('verified_at', sa.DateTime(timezone=True),
                                          nullable=True))
    op.add_column('warc_files', sa.Column('verify_outcome', sa.String(length=16), nullable=True))
    op.add_column('warc_files', sa.Column('verify_detail', sa.Text(), nullable=True))
    op.add_column('captures', sa.Column('text_truncated', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('captures') as batch:
        batch.drop_column('text_truncated')
    with op.batch_alter_table('warc_files') as batch:
        batch.drop_column('verify_detail')
        batch.drop_column('verify_outcome')
        batch.drop_column('verified_at')
