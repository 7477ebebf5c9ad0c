"""crawl_requests.urls: SQL NULL, not the JSON string 'null', for a crawl of the whole seed list

Revision ID: 0006_search
Revises: 0005

The scheduler's requests were stored with JSON ``null``, so the patch-crawl filter
(``urls IS NOT NULL``) took every scheduled crawl for a patch crawl and reports compared it
with nothing ("first crawl").  The model now writes SQL NULL; this fixes the rows already
written.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_search'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    cast = "CAST(urls AS TEXT)"
    op.execute(sa.text(f"UPDATE crawl_requests SET urls = NULL WHERE {cast} = 'null'"))


def downgrade() -> None:
    pass    # SQL NULL reads back as None under both versions of the model
