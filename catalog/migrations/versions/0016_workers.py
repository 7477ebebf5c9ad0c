"""crawl_workers: the workers of a distributed crawl and their figures

Revision ID: 0016_workers
Revises: 0015_index_queue
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_workers"
down_revision = "0015_index_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_workers',
    sa.Column('crawl_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Float(), nullable=False),
    sa.Column('in_flight', sa.Integer(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['crawl_id'], ['crawls.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('crawl_id', 'name')
    )


def downgrade() -> None:
    op.drop_table('crawl_workers')
