"""Who is acting at the console: the signed-in user, else (a site without ``users:``) a typed name.

When someone is signed in (``wallboard.auth``) that name wins and the name field is ignored, so an
acknowledgement cannot be signed in someone else's name.
"""

from __future__ import annotations

from wallboard import auth


def current_user_name(typed: str | None = None) -> str | None:
    name = auth.current_user_name()
    if name:
        return name
    typed = " ".join((typed or "").split())[:120]
    return typed or None
