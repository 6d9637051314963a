"""The request guard on the Flask server that carries the Dash pages (the sign-in pages: ``login.py``).

Every request passes ``policy.decide``; Dash's page router (``/_dash-update-component``) is also
checked against the page it is asked to lay out, so a page's layout is never handed to someone
the page itself would refuse. State-changing requests must carry the CSRF token. The decisions
themselves are framework-free (``wallboard.auth``); this module is where they meet Flask.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, has_request_context, redirect, request

from wallboard.auth import addresses, csrf, policy
from wallboard.auth.logs import install
from wallboard.web import errors
from wallboard.web.errors import error_page

log = logging.getLogger(__name__)


def current_user_name() -> str | None:
    """The signed-in user of the Flask request being served (None outside one, or signed out)."""
    user = getattr(g, "user", None) if has_request_context() else None
    return user.name if user is not None else None


def client_address(runtime: Any) -> str:
    """The client of the Flask request: the peer, or what a trusted proxy says (``auth.trusted_proxies``)."""
    found = getattr(g, "client_address", None)
    if found is None:
        found = addresses.from_runtime(runtime, request.remote_addr, request.headers.get("X-Forwarded-For"))
        g.client_address = found
    return found


def csrf_token(runtime: Any) -> str:
    """This request's CSRF token: bound to the session when signed in with a password, else the
    double-submit cookie's (or a new one the response will set)."""
    token = getattr(g, "csrf_token", None)
    user = getattr(g, "user", None)
    if token is None and user is not None and user.session:
        token = g.csrf_token = csrf.session_token(runtime, user.session)
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


def may_lay_out(runtime: Any, path: str) -> bool:
    """Would Dash's router be let lay out ``path`` for this request's visitor? The same decision
    ``_guard`` takes for the router's own request, for a page laid out without it
    (``wallboard.web.wall.first``)."""
    return policy.decide(runtime, path, request.cookies, {}, client_address(runtime), api=True).allowed


def _csrf_request(path: str) -> csrf.Request:
    sent = request.headers.get(csrf.HEADER)
    if sent is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = request.form.get(csrf.FIELD)
    user = getattr(g, "user", None)
    return csrf.Request(
        method=request.method, path=path, cookie=request.cookies.get(csrf.CSRF_COOKIE), sent=sent,
        is_json=request.is_json, custom_header=bool(request.headers.get(csrf.CUSTOM_HEADER)),
        origin=request.headers.get("Origin"), fetch_site=request.headers.get("Sec-Fetch-Site"),
        host=request.host, session=user.session if user else "",
    )


def refusal(runtime: Any, decision: policy.Decision) -> Response:
    if decision.status == 302 and decision.redirect:
        response = redirect(decision.redirect, code=302)
        for cookie in decision.cookies:
            set_cookie(response, cookie)
        return response
    if decision.status == 401:
        return error_page(runtime, 401)
    return error_page(runtime, decision.status)


def register(app: Any, runtime: Any) -> None:
    install()
    server: Flask = app.server

    @server.before_request
    def _guard() -> Response | None:
        if request.routing_exception is not None:
            return None  # no such route or method: Flask answers 404/405, there is nothing to guard
        path = request.path
        address = client_address(runtime)
        decision = policy.decide(runtime, path, request.cookies, request.args, address)
        if decision.allowed and path == "/_dash-update-component":
            routed = _routed_path()
            if routed is not None:
                decision = policy.decide(runtime, routed, request.cookies, {}, address, api=True)
        g.user = decision.user
        if not decision.allowed:
            return refusal(runtime, decision)
        if not csrf.check(runtime, _csrf_request(path)):
            log.warning("refused %s %s: missing or wrong CSRF token", request.method, path)
            return error_page(runtime, 400)
        return None

    @server.after_request
    def _remember_wall(response: Response) -> Response:
        """A wall page served: remembered, so an error page can send this screen back to it."""
        if request.method == "GET" and response.status_code == 200 and errors.is_wall_path(request.path):
            query = "&".join(f"{k}={v}" for k, v in request.args.items() if k in ("display", "page"))
            set_cookie(response, policy.Cookie(errors.WALL_COOKIE, request.path + ("?" + query if query else ""),
                                               400 * 24 * 3600))
        return response

    @server.after_request
    def _csrf_cookie(response: Response) -> Response:
        if getattr(g, "csrf_new", False):
            age = int(runtime.config.auth.session_max_age.total_seconds())
            set_cookie(response, policy.Cookie(csrf.CSRF_COOKIE, g.csrf_token, age), samesite="Strict")
        return response
