"""warc_files.deep_sha256, deep_verified_at: the bytes whose structure was last proven whole

Revision ID: 0014_deep_check
Revises: 0013_validators

A deep check (``diancang verify``'s full read: every gzip member's CRC and end, every record's
digests) that finds nothing records the SHA-256 of the bytes it read and when.  While a file's
SHA-256 still equals that one, its structure is the one proven, and a routine check needs only
the SHA-256.  Existing files start unproven (NULL): their next check is a deep one.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_deep_check"
down_revision = "0013_validators"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('warc_files', sa.Column('deep_sha256', sa.String(length=64), nullable=True))
    op.add_column('warc_files', sa.Column('deep_verified_at', sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('warc_files') as batch:
        batch.drop_column('deep_verified_at')
        batch.drop_column('deep_sha256')
