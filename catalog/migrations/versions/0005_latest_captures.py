"""latest_captures: each URL's latest capture, so a recrawl's digest map costs one row per URL

Revision ID: 0005
Revises: 0004

Created empty: ``catalog.digests`` fills a collection's rows from its captures the first time
it needs them, then keeps them up to date as WARC files are indexed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('latest_captures',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('url_key', sa.String(length=40), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('seen', sa.String(length=17), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('original', sa.String(length=17), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection_id', 'url_key')
    )


def downgrade() -> None:
    op.drop_table('latest_captures')
