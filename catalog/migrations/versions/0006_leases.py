"""leases: a role one live process holds (the scheduler daemon that fires schedules)

Revision ID: 0006_leases
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_leases'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('acquired', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('leases')
