"""periodic crawls: schedules, crawl requests, crawl locks, limits, stop requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('limits', sa.JSON(), nullable=True))
    with op.batch_alter_table('crawls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stop_requested', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table('schedules',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('spec', sa.String(length=100), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection_id')
    )
    op.create_table('crawl_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('urls', sa.JSON(), nullable=True),
    sa.Column('requested_by', sa.String(length=255), nullable=True),
    sa.Column('requested', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('crawl_id', sa.Integer(), nullable=True),
    sa.Column('started', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['crawl_id'], ['crawls.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('crawl_locks',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('crawl_id', sa.Integer(), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('acquired', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['crawl_id'], ['crawls.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('collection_id')
    )


def downgrade() -> None:
    op.drop_table('crawl_locks')
    op.drop_table('crawl_requests')
    op.drop_table('schedules')
    with op.batch_alter_table('crawls', schema=None) as batch_op:
        batch_op.drop_column('stop_requested')
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.drop_column('limits')
