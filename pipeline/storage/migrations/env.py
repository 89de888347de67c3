"""Alembic environment: migrations run on the connection :mod:`pipeline.storage.store` hands over.

From the command line: ``alembic -x url=sqlite:///path/dossier.db upgrade head`` with
``script_location = pipeline.storage:migrations``; dossier itself runs them on start.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pipeline.storage.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate on the given connection, or on ``-x url=...`` from the command line."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database: alembic -x url=<SQLAlchemy URL> upgrade head")
    with create_engine(url).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("dossier's migrations run online only")
run_migrations_online()
