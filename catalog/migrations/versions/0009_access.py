"""access: rules (takedowns, embargoes and allowances, from which replay's ACLs are generated)
and the collections a curator is limited to

Revision ID: 0009_access
Revises: 0008_accounts
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_access'
down_revision = '0008_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('surt', sa.Text(), nullable=True),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('who', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_access_rules_collection_id'), 'access_rules', ['collection_id'],
                    unique=False)
    op.create_table('user_collections',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'collection_id')
    )


def downgrade() -> None:
    op.drop_table('user_collections')
    op.drop_index(op.f('ix_access_rules_collection_id'), table_name='access_rules')
    op.drop_table('access_rules')
