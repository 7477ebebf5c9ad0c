"""warc_files keyed by collection: the same file name in two collections is two files

Revision ID: 0010_warc_files_by_collection
Revises: 0009_access

Heritrix and wget name files alike (``example.warc.gz``), and each collection is its own pywb
collection with its own ``archive/`` directory, so a file name is unique only within its
collection.  The catalogue-wide unique constraint on ``filename`` made indexing one
collection take over another's row of the same name; it becomes (collection_id, filename).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_warc_files_by_collection'
down_revision = '0009_access'
branch_labels = None
depends_on = None

# SQLite's constraint from 0001 has no name; the convention names it for batch mode
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_name() -> str:
    if op.get_bind().dialect.name == "sqlite":
        return "uq_warc_files_filename"
    found = [str(c["name"]) for c in
             sa.inspect(op.get_bind()).get_unique_constraints("warc_files")
             if c["column_names"] == ["filename"]]
    return found[0]


def upgrade() -> None:
    old = _old_name()
    with op.batch_alter_table('warc_files', naming_convention=_NAMING) as batch:
        batch.drop_constraint(old, type_='unique')
        batch.create_unique_constraint('uq_warc_files_collection_filename',
                                       ['collection_id', 'filename'])


def downgrade() -> None:
    with op.batch_alter_table('warc_files', naming_convention=_NAMING) as batch:
        batch.drop_constraint('uq_warc_files_collection_filename', type_='unique')
        batch.create_unique_constraint('uq_warc_files_filename', ['filename'])
