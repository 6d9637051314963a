"""Access control: users and roles from config.yaml, sessions, kiosk display tokens, CSRF, throttling.

Framework-free: the decisions (``decide``, ``still_allowed``) serve the ASGI stream endpoint and the
request guard on the Flask server alike; the guard and the sign-in pages are ``wallboard.web.access``.
"""

from wallboard.auth.passwords import hash_password, verify_password
from wallboard.auth.policy import Decision, decide, principal, role_for, still_allowed
from wallboard.auth.users import Principal

__all__ = ["Decision", "Principal", "decide", "hash_password", "principal", "role_for",
           "still_allowed", "verify_password"]
