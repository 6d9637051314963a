"""Access control: users and roles from config.yaml, sessions, kiosk display tokens, CSRF, throttling.

Framework-free core (``decide``, ``still_allowed``) for the ASGI stream endpoint; ``register``
wires it into the Flask server that carries the Dash pages.
"""

from wallboard.auth.passwords import hash_password, verify_password
from wallboard.auth.policy import Decision, decide, principal, role_for, still_allowed
from wallboard.auth.users import Principal


def current_user_name() -> str | None:
    """The signed-in user of the Flask request being served (None outside one, or signed out)."""
    from flask import g, has_request_context

    user = getattr(g, "user", None) if has_request_context() else None
    return user.name if user is not None else None


def register(app, runtime) -> None:  # noqa: ANN001
    from wallboard.auth.web import register as _register

    _register(app, runtime)


__all__ = ["Decision", "Principal", "current_user_name", "decide", "hash_password", "principal", "register", "role_for",
           "still_allowed", "verify_password"]
