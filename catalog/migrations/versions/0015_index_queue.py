"""index_queue: closed WARC files waiting for an indexer, taken with a lease

Revision ID: 0015_index_queue
Revises: 0014_deep_check

Files closed before this migration are not queued: the catalogue already says which of them
are indexed (``warc_files.indexed``), and ``diancang index`` indexes the rest.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_index_queue"
down_revision = "0014_deep_check"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_queue',
    sa.Column('warc_file_id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queued', sa.DateTime(timezone=True), nullable=False),
    sa.Column('holder', sa.String(length=255), nullable=True),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('finished', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warc_file_id'], ['warc_files.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('warc_file_id')
    )
    op.create_index('ix_index_queue_status', 'index_queue', ['status', 'warc_file_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_index_queue_status', table_name='index_queue')
    op.drop_table('index_queue')
