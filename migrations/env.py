"""Alembic environment: runs migrations on the URL that regie.db.migrate passes in."""

from alembic import context
from sqlalchemy import engine_from_config, event, pool
from sqlmodel import SQLModel

import regie.records  # noqa: F401  (registers the tables on SQLModel.metadata)
from regie.db import include_object, sqlite_functions

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    if connectable.dialect.name == "sqlite":
        event.listen(connectable, "connect", lambda conn, _record: sqlite_functions(conn))
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
