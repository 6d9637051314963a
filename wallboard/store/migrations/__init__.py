"""Alembic migrations shipped inside the package (``env.py`` + ``versions/``), run by ``store/migrate.py``."""
