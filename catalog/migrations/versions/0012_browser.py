"""seeds.browser: which of a seed's pages Chromium renders (off | auto | on)

Revision ID: 0012_browser
Revises: 0011_fixity

Existing seeds become ``auto``, the default of a seed list that says nothing.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_browser'
down_revision = '0011_fixity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('seeds') as batch:
        batch.add_column(sa.Column('browser', sa.String(length=8), nullable=False,
                                   server_default='auto'))


def downgrade() -> None:
    with op.batch_alter_table('seeds') as batch:
        batch.drop_column('browser')
