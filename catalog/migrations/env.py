"""Alembic environment: runs against the engine handed over in ``config.attributes``."""

from alembic import context

from catalog.db import include_object
from catalog.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()
