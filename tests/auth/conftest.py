"""Fixtures for access tests: see tests/auth/sites.py."""

from tests.auth.sites import hashes, make_site, site  # noqa: F401
