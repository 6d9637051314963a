"""Who is acting at the console: the signed-in user, else (a site without ``users:``) a typed name.

When someone is signed in (``wallboard.web.access``) that name wins and the name field is ignored, so an
acknowledgement cannot be signed in someone else's name.
"""

from __future__ import annotations

from wallboard.web.access.guard import current_user_name as signed_in


def current_user_name(typed: str | None = None) -> str | None:
    name = signed_in()
    if name:
        return name
    typed = " ".join((typed or "").split())[:120]
    return typed or None
