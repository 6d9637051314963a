"""Who may see what: one framework-free decision for every request, page or stream.

The Flask request guard (``wallboard.web.access.guard``) and the ASGI stream endpoint both call ``decide`` with the
path, the cookies and the query; an open stream calls ``still_allowed`` every few heartbeats, so
a display token removed from config.yaml (hot reload) locks its wall out within seconds.

Route kinds (the role needed):

==========================================  ==========================================
``/healthz``, ``/login``, ``/logout``,        public
static assets, ``/api/health``
``/``, ``/wall/...``, ``/api/stream/...``,    operator (display tokens too)
``/console``, everything else
``/panel/...``, ``/export...``                supervisor
``/admin...``                                 admin
``/metrics``                                  admin, or any request from loopback
==========================================  ==========================================

Without ``users:`` in config.yaml everything is open to this machine only: ``wallboard run`` then
listens on loopback alone, and any request from another address is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired

from wallboard.auth import sessions, users
from wallboard.auth.keys import serializer
from wallboard.auth.throttle import Backoff, Throttle
from wallboard.auth.users import Principal
from wallboard.store import audit

SESSION_COOKIE = "wb_session"
KIOSK_COOKIE = "wb_kiosk"
PUBLIC = ("/healthz", "/login", "/logout", "/api/health", "/_favicon.ico", "/favicon.ico")
# ``/api/v1/`` takes no session: each request carries an ``api_tokens:`` bearer token, checked by
# ``wallboard/web/api/tokens.py`` (a token opens nothing else, a session opens nothing there).
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/api/v1/")
# (prefix, role): the first match wins; the table the lead extends for new route kinds.
ROUTE_ROLES: list[tuple[str, str]] = [
    ("/admin", "admin"),
    ("/panel/", "supervisor"),
    ("/panel", "supervisor"),
    ("/export", "supervisor"),
    ("/console", "operator"),
    ("/api/stream/", "operator"),
    ("/wall/", "operator"),
]


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str  # "" with max_age 0 deletes it
    max_age: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200  # 200 allowed; 302 go to ``redirect``; 401 sign in (APIs); 403 role too low
    redirect: str | None = None
    user: Principal | None = None
    cookies: tuple[Cookie, ...] = field(default=())
    reason: str = ""


def is_loopback(address: str) -> bool:
    import ipaddress

    try:
        return address == "localhost" or ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def role_for(path: str) -> str | None:
    """The role a path needs, or None when it is public."""
    if path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
        return None
    if path == "/metrics":
        return "admin"
    for prefix, role in ROUTE_ROLES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return role
    return "operator"


def throttle(runtime: Any) -> Throttle:
    found = getattr(runtime, "_auth_throttle", None)
    if found is None:
        found = Throttle()
        runtime._auth_throttle = found
    return found


def session_cookie(runtime: Any, user: Any, session_id: str) -> Cookie:
    """The cookie of a password sign-in; ``session_id`` names its row (``sessions.start``)."""
    value = serializer(runtime, "session").dumps({"u": user.name, "k": users.session_key(user), "s": session_id})
    return Cookie(SESSION_COOKIE, value, int(runtime.config.auth.session_max_age.total_seconds()))


def kiosk_cookie(runtime: Any, user: Any) -> Cookie:
    """A display's cookie, bound to the walls its token names at sign-in (``screens:``)."""
    screens = list(user.screens) if user.screens is not None else None
    value = serializer(runtime, "kiosk").dumps({"u": user.name, "k": users.kiosk_key(user), "sc": screens})
    return Cookie(KIOSK_COOKIE, value, int(runtime.config.auth.kiosk_max_age.total_seconds()))


def display_screens(cookie: Any, configured: Any) -> tuple[str, ...] | None:
    """The walls a display may show: those its cookie was bound to, narrowed by config.yaml now."""
    bound = set(cookie) if isinstance(cookie, list) else None
    now = set(configured) if configured is not None else None
    if bound is None and now is None:
        return None
    allowed = bound if now is None else now if bound is None else bound & now
    return tuple(sorted(allowed))


# What a display token may open, beyond its walls: Dash's own plumbing (the page router is checked
# again against the page it lays out) and what a wall itself asks for. Nothing else: no /console,
# no alert acknowledgement, no drill or admin page.
DISPLAY_PATHS = ("/_dash-layout", "/_dash-dependencies", "/_dash-update-component", "/_reload-hash",
                 "/api/cameras", "/api/cameras/report", "/api/cameras/hls.js", "/api/health")
DISPLAY_SCREEN_PREFIXES = ("/wall/", "/api/stream/", "/api/cameras/feed/")


def display_may(user: Principal, path: str) -> bool:
    """May a display (kiosk cookie) open this path? Its walls and their plumbing only."""
    if path in DISPLAY_PATHS or path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
        return True
    for prefix in DISPLAY_SCREEN_PREFIXES:
        if path.startswith(prefix):
            screen = path[len(prefix):].split("/", 1)[0]
            return bool(screen) and (user.screens is None or screen in user.screens)
    return False


def _load(runtime: Any, salt: str, value: str | None, max_age: float) -> dict | None:
    if not value:
        return None
    try:
        data = serializer(runtime, salt).loads(value, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def session(runtime: Any, cookies: Any) -> dict | None:
    """The signed session payload of a password sign-in, when valid and not expired."""
    return _load(runtime, "session", cookies.get(SESSION_COOKIE), runtime.config.auth.session_max_age.total_seconds())


def principal(runtime: Any, cookies: Any) -> Principal | None:
    """The user the cookies sign in, if the user and its secret are still in the config in force."""
    config = runtime.config
    data = session(runtime, cookies)
    if data is not None:
        user = users.find(config, str(data.get("u")))
        session_id = str(data.get("s") or "")
        if (user is not None and users.session_key(user) and data.get("k") == users.session_key(user)
                and sessions.active(runtime.store, session_id, user.name)):
            return Principal(user.name, user.role, kiosk=False, key=str(data["k"]), session=session_id)
    data = _load(runtime, "kiosk", cookies.get(KIOSK_COOKIE), config.auth.kiosk_max_age.total_seconds())
    if data is not None:
        user = users.find(config, str(data.get("u")))
        if user is not None and users.kiosk_key(user) and data.get("k") == users.kiosk_key(user):
            return Principal(user.name, user.role, kiosk=True, key=str(data["k"]),
                             screens=display_screens(data.get("sc"), user.screens))
    return None


def still_allowed(runtime: Any, user: Principal | None, path: str = "/api/stream/") -> bool:
    """Cheap re-check for an open stream: the user and its secret still in force, role still enough."""
    if not runtime.config.users:
        return True
    if user is None:
        return False
    current = users.find(runtime.config, user.name)
    if current is None:
        return False
    key = users.kiosk_key(current) if user.kiosk else users.session_key(current)
    role = role_for(path) or "operator"
    if key != user.key or users.ROLES[current.role] < users.ROLES[role]:
        return False
    if user.kiosk:
        return current.screens is None or user.screens is None or set(user.screens) <= set(current.screens)
    return sessions.active(runtime.store, user.session, user.name)


def decide(runtime: Any, path: str, cookies: Any, query: Any, remote_addr: str | None = None,
           api: bool | None = None) -> Decision:
    """May this request go ahead? ``cookies`` and ``query`` are mappings of str to str.

    ``api`` (default: the path is under ``/api/`` or ``/_dash``) answers 401 instead of
    redirecting to the login page.
    """
    config = runtime.config
    role = role_for(path)
    if not config.users:
        # `wallboard run` refuses to listen beyond loopback without users; served on 0.0.0.0 some
        # other way (uvicorn wallboard.asgi:app) this is what keeps the network out all the same.
        if role is None or remote_addr is None or is_loopback(remote_addr):
            return Decision(True)
        return Decision(False, 403, reason="no users: in config.yaml, so only this machine may look")
    token = query.get("token") if query is not None else None
    if token and path.startswith("/wall/"):
        return _kiosk_sign_in(runtime, path, token, query, remote_addr, cookies)
    if path.startswith(PUBLIC_PREFIXES):
        return Decision(True)  # static assets: nobody to look up
    user = principal(runtime, cookies)
    if role is None:
        return Decision(True, user=user)
    if path == "/metrics" and remote_addr is not None and is_loopback(remote_addr):
        return Decision(True, user=user)
    if user is None:
        api = path.startswith(("/api/", "/_dash", "/_reload")) if api is None else api
        if api:
            return Decision(False, 401, reason="sign in first")
        target = path + ("?" + urlencode(dict(query), safe=",") if query else "")
        return Decision(False, 302, redirect="/login?" + urlencode({"next": target}), reason="sign in first")
    if user.kiosk and not display_may(user, path):
        return Decision(False, 403, user=user, reason="a display token shows its walls only")
    if not user.may(role):
        return Decision(False, 403, user=user, reason=f"needs role {role}")
    return Decision(True, user=user)


def audit_backoffs(runtime: Any, backoffs: list[Backoff], actor: str, address: str) -> None:
    """One audit line per back-off a failure started or lengthened: throttling is visible."""
    for backoff in backoffs:
        audit.record(runtime.store, "login.throttled", actor, f"{backoff.kind}: wait {backoff.wait} s", address)


def _kiosk_sign_in(runtime: Any, path: str, token: str, query: Any, remote_addr: str | None,
                   cookies: Any) -> Decision:
    """``/wall/<id>?token=...``: set the long-lived cookie and send the browser on without the token,
    so the token stays out of history, bookmarks and the Referer header. Token sign-ins have their
    own budget per address; a wall PC whose cookie still signs it in is never throttled."""
    address = remote_addr or ""
    gate = throttle(runtime)
    rest = {k: v for k, v in dict(query).items() if k != "token"}
    target = path + ("?" + urlencode(rest, safe=",") if rest else "")
    wait = gate.retry_after(address, None)
    if wait:
        current = principal(runtime, cookies) if cookies is not None else None
        if current is not None:
            return Decision(False, 302, redirect=target, user=current)
        return Decision(False, 429, reason=f"too many attempts; retry in {wait} s")
    user = users.by_token(runtime.config, token)
    if user is None:
        backoffs = gate.fail(address, None)
        audit.record(runtime.store, "login.failed", "(display token)", "unknown display token", address)
        audit_backoffs(runtime, backoffs, "(display token)", address)
        return Decision(False, 403, reason="unknown display token")
    audit.record(runtime.store, "login.kiosk", user.name, path, address)
    return Decision(False, 302, redirect=target, cookies=(kiosk_cookie(runtime, user),),
                    user=Principal(user.name, user.role, kiosk=True, key=users.kiosk_key(user) or "",
                                   screens=tuple(user.screens) if user.screens is not None else None))
