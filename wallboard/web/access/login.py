"""The sign-in pages: ``/login`` (with throttling and the audit log) and ``/logout``.

The request guard (``guard.py``) lets everyone reach them; a successful sign-in sets the session
cookie and a fresh CSRF token for the signed-in session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, request

from wallboard.auth import policy, sessions, users
from wallboard.auth.passwords import verify_password
from wallboard.i18n import translator
from wallboard.store import audit
from wallboard.web.access.guard import client_address, csrf_token, set_cookie
from wallboard.web.pages import render

t = translator("auth")


def locale(runtime: Any) -> str:
    return runtime.config.site.locale


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//evil`` or ``https://evil`` (open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _page(runtime: Any, template: str, status: int = 200, **context: Any) -> Response:
    loc = locale(runtime)
    body = render(template, locale=loc, site=runtime.config.site.name, csrf=csrf_token(runtime),
                  t=lambda message, **v: t(loc, message, **v), **context)
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def login(runtime: Any) -> Response:
    """The sign-in form, and signing in: throttled per address and name, every attempt audited."""
    loc = locale(runtime)
    title = t(loc, "Sign in")
    target = _safe_next(request.values.get("next"))
    if not runtime.config.users:
        return redirect(target, code=303)  # nobody to sign in as: this machine sees everything
    if request.method == "GET":
        return _page(runtime, "login.html", title=title, next=target, name="", error="")
    name = (request.form.get("name") or "").strip()[:64]
    password = request.form.get("password") or ""
    address = client_address(runtime)
    gate = policy.throttle(runtime)
    wait = gate.retry_after(address, name)
    if wait:
        response = _page(runtime, "login.html", 429, title=title, next=target, name=name,
                         error=t(loc, "Too many failed sign-ins. Try again in {seconds} seconds.", seconds=wait))
        response.headers["Retry-After"] = str(wait)
        return response
    user = users.find(runtime.config, name)
    if not verify_password(users.password_hash(user) if user is not None else None, password):
        backoffs = gate.fail(address, name)
        actor = name if user is not None else "(unknown user)"
        audit.record(runtime.store, "login.failed", actor, "wrong user name or password", address)
        policy.audit_backoffs(runtime, backoffs, actor, address)
        return _page(runtime, "login.html", 401, title=title, next=target, name=name,
                     error=t(loc, "Wrong user name or password."))
    gate.succeed(address, name)
    session_id = sessions.start(runtime.store, user.name, runtime.config.auth.session_max_age)
    audit.record(runtime.store, "login", user.name, f"role {user.role}", address)
    response = redirect(target, code=303)
    set_cookie(response, policy.session_cookie(runtime, user, session_id))
    return response


def logout(runtime: Any) -> Response:
    """The sign-out form, and signing out: the session revoked in the database, both cookies cleared."""
    loc = locale(runtime)
    if request.method == "GET":
        return _page(runtime, "logout.html", title=t(loc, "Sign out"))
    user = getattr(g, "user", None)
    if user is not None:
        if user.session:
            sessions.end(runtime.store, user.session)  # the cookie, copied or not, signs nobody in now
        audit.record(runtime.store, "logout", user.name, "", client_address(runtime))
    response = redirect("/login", code=303)
    set_cookie(response, policy.Cookie(policy.SESSION_COOKIE, "", 0))
    set_cookie(response, policy.Cookie(policy.KIOSK_COOKIE, "", 0))
    return response


def register(app: Any, runtime: Any) -> None:
    server: Flask = app.server
    server.add_url_rule("/login", "login", lambda: login(runtime), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", lambda: logout(runtime), methods=["GET", "POST"])
