"""The migrations build exactly the schema catalog/models.py describes, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from catalog.db import Catalog
from catalog.models import Base


def test_migrations_match_models(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    catalog.dispose()
    # APScheduler's job store creates and owns its own table
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]
    assert diff == []
