"""Alembic's environment, driven programmatically: ``store/migrate.py`` passes the connection.

No alembic.ini: the connection arrives in ``config.attributes["connection"]``, so users never
configure alembic, and ``alembic`` run from a checkout with ``-x url=...`` works for developers.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from wallboard.store.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # a developer running the alembic command: alembic -x url=sqlite:///x.db ...
        url = context.get_x_argument(as_dictionary=True)["url"]
        with create_engine(url).connect() as connection:
            _migrate(connection)
            connection.commit()
        return
    _migrate(connection)


def _migrate(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
