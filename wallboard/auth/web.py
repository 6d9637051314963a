"""Access control on the Flask server that carries the Dash pages: the hook, /login and /logout.

Every request passes ``policy.decide``; Dash's page router (``/_dash-update-component``) is also
checked against the page it is asked to lay out, so a page's layout is never handed to someone
the page itself would refuse. State-changing requests must carry the CSRF token.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, request

from wallboard.auth import csrf, policy, users
from wallboard.auth.passwords import verify_password
from wallboard.i18n import translator
from wallboard.store import audit
from wallboard.web.pages import render

log = logging.getLogger(__name__)
t = translator("auth")


def locale(runtime: Any) -> str:
    return runtime.config.site.locale


def csrf_token(runtime: Any) -> str:
    """This request's CSRF token (the cookie's, or a new one the response will set)."""
    token = getattr(g, "csrf_token", None)
    if token is None:
        cookie = request.cookies.get(csrf.CSRF_COOKIE)
        token = cookie if csrf.valid(runtime, cookie) else csrf.new_token(runtime)
        g.csrf_token = token
        g.csrf_new = token != cookie
    return token


def _secure() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "") == "https"


def set_cookie(response: Response, cookie: policy.Cookie, samesite: str = "Lax") -> None:
    if cookie.max_age <= 0:
        response.delete_cookie(cookie.name, path="/", httponly=True, samesite=samesite, secure=_secure())
    else:
        response.set_cookie(cookie.name, cookie.value, max_age=cookie.max_age, path="/", httponly=True,
                            samesite=samesite, secure=_secure())


def _routed_path() -> str | None:
    """The page Dash's router is asked to lay out, from the callback's inputs."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    for item in body.get("inputs") or []:
        if isinstance(item, dict) and item.get("id") == "_pages_location" and item.get("property") == "pathname":
            return str(item.get("value") or "/")
    return None


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//evil`` or ``https://evil`` (open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def refusal(runtime: Any, decision: policy.Decision) -> Response:
    from wallboard.web.errors import error_page

    if decision.status == 302 and decision.redirect:
        response = redirect(decision.redirect, code=302)
        for cookie in decision.cookies:
            set_cookie(response, cookie)
        return response
    if decision.status == 401:
        return error_page(runtime, 401)
    return error_page(runtime, decision.status)


def register(app: Any, runtime: Any) -> None:
    from wallboard.auth.logs import install

    install()
    server: Flask = app.server

    @server.before_request
    def _guard() -> Response | None:
        if request.routing_exception is not None:
            return None  # no such route or method: Flask answers 404/405, there is nothing to guard
        path = request.path
        decision = policy.decide(runtime, path, request.cookies, request.args, request.remote_addr)
        if decision.allowed and path == "/_dash-update-component":
            routed = _routed_path()
            if routed is not None:
                decision = policy.decide(runtime, routed, request.cookies, {}, request.remote_addr, api=True)
        g.user = decision.user
        if not decision.allowed:
            return refusal(runtime, decision)
        sent = request.headers.get(csrf.HEADER)
        if sent is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent = request.form.get(csrf.FIELD)
        if not csrf.check(runtime, request.method, path, request.cookies.get(csrf.CSRF_COOKIE), sent,
                          request.is_json):
            from wallboard.web.errors import error_page

            log.warning("refused %s %s: missing or wrong CSRF token", request.method, path)
            return error_page(runtime, 400)
        return None

    @server.after_request
    def _csrf_cookie(response: Response) -> Response:
        if getattr(g, "csrf_new", False):
            set_cookie(response, policy.Cookie(csrf.CSRF_COOKIE, g.csrf_token, 12 * 3600), samesite="Strict")
        return response

    def page(template: str, status: int = 200, **context: Any) -> Response:
        loc = locale(runtime)
        body = render(template, locale=loc, site=runtime.config.site.name, csrf=csrf_token(runtime),
                      t=lambda message, **v: t(loc, message, **v), **context)
        response = Response(body, status=status, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        loc = locale(runtime)
        title = t(loc, "Sign in")
        target = _safe_next(request.values.get("next"))
        if not runtime.config.users:
            return redirect(target, code=303)  # nobody to sign in as: this machine sees everything
        if request.method == "GET":
            return page("login.html", title=title, next=target, name="", error="")
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        address = request.remote_addr or ""
        gate = policy.throttle(runtime)
        wait = gate.retry_after(address, name)
        if wait:
            response = page("login.html", 429, title=title, next=target, name=name,
                            error=t(loc, "Too many failed sign-ins. Try again in {seconds} seconds.", seconds=wait))
            response.headers["Retry-After"] = str(wait)
            return response
        user = users.find(runtime.config, name)
        if not verify_password(users.password_hash(user) if user is not None else None, password):
            gate.fail(address, name)
            audit.record(runtime.store, "login.failed", name if user is not None else "(unknown user)",
                         "wrong user name or password", address)
            return page("login.html", 401, title=title, next=target, name=name,
                        error=t(loc, "Wrong user name or password."))
        gate.succeed(name)
        audit.record(runtime.store, "login", user.name, f"role {user.role}", address)
        response = redirect(target, code=303)
        set_cookie(response, policy.session_cookie(runtime, user))
        g.csrf_token, g.csrf_new = csrf.new_token(runtime), True  # a fresh token for the signed-in session
        return response

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> Response:
        loc = locale(runtime)
        if request.method == "GET":
            return page("logout.html", title=t(loc, "Sign out"))
        user = getattr(g, "user", None)
        if user is not None:
            audit.record(runtime.store, "logout", user.name, "", request.remote_addr or "")
        response = redirect("/login", code=303)
        set_cookie(response, policy.Cookie(policy.SESSION_COOKIE, "", 0))
        set_cookie(response, policy.Cookie(policy.KIOSK_COOKIE, "", 0))
        return response
