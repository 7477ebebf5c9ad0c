"""accounts: session versions (logout ends sessions on the server) and login failures

Revision ID: 0008_accounts
Revises: 0007_search

``users.session_version`` starts at 0 for existing accounts; sessions signed before the
upgrade carry no version and so end (their holders log in again).
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_accounts'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failures_key', 'login_failures', ['scope', 'key', 'at'])


def downgrade() -> None:
    op.drop_index('ix_login_failures_key', table_name='login_failures')
    op.drop_table('login_failures')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_version')
