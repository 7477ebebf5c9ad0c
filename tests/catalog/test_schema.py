"""The migrations and the models describe the same schema, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog.db import Catalog, include_object
from catalog.models import Base


def test_models_match_migrations(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                     "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    catalog.dispose()
    assert diff == []


def test_search_table_follows_the_backend(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    names = set(inspect(catalog.engine).get_table_names())
    if catalog.engine.dialect.name == "sqlite":
        assert "capture_fts" in names
        with catalog.engine.connect() as conn:
            trigger = conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
            assert [row[0] for row in trigger] == ["captures_fts_delete"]
    else:
        assert "capture_search" in names and "capture_fts" not in names
    catalog.dispose()
