"""Signing in through the real forms, for tests that use Flask's test client or httpx."""

from __future__ import annotations

import re
from typing import Any

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: Any, name: str, password: str, next_: str = "/") -> Any:
    """Sign in with the login form (Flask test client or httpx.Client); returns the POST's answer."""
    page = client.get("/login")
    token = csrf_from(page.text if hasattr(page, "text") else page.get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": next_})
