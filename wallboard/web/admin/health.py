"""``/healthz``: is this wall fit to be trusted, as JSON for a load balancer or a monitoring check.

``failing`` (HTTP 503) when the database cannot be reached, its SQLite file was deleted, replaced or
made unwritable (``database.file``), or every source is failing;
``degraded`` when the config file on disk was refused, some source fails, an indicator is stale
or a camera is down (as its walls or the server's probe last reported); ``ok`` otherwise.
Anonymous callers (a load balancer, a monitor) get the status and counts only; an admin (or this
machine, on a site without ``users:``) also gets the ids, ages and the masked problem lines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify
from sqlalchemy import text

from wallboard.cameras.routes import health_summary
from wallboard.secrets import mask_text

PROBLEMS_SHOWN = 10


def database_reachable(store: Any) -> bool:
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means not reachable
        return False


def failing_sources(runtime: Any) -> list[str]:
    ids = [s.id for s in runtime.config.sources]
    statuses = runtime.store.source_status(ids)
    return [sid for sid in ids if statuses[sid].last_run is not None and not statuses[sid].last_run.ok]


def health(runtime: Any, now: datetime | None = None) -> tuple[dict[str, Any], int]:
    config = runtime.config
    # A deleted, replaced or unwritable SQLite file answers queries from the old inode: look at the path.
    gone = runtime.store.identity.check()
    reachable = gone is None and database_reachable(runtime.store)
    failing: list[str] = []
    stalest: dict[str, Any] | None = None
    stale: list[str] = []
    if reachable:
        try:
            failing = failing_sources(runtime)
            fresh = runtime.store.freshness([i.id for i in config.indicators], now)
            aged = [(f.age, f.indicator) for f in fresh.values() if f.age is not None]
            if aged:
                age, indicator = max(aged)
                stalest = {"indicator": indicator, "age_seconds": round(age, 1)}
            stale = sorted(i for i, f in fresh.items()
                           if f.age is not None and f.age > config.stale_after(i).total_seconds())
        except Exception:  # noqa: BLE001 - a query failing mid-way counts as an unreachable database
            reachable = False
    problems = list(runtime.last_reload_problems)
    cameras = health_summary(runtime)
    if not reachable or (config.sources and len(failing) == len(config.sources)):
        status = "failing"
    elif problems or failing or stale or cameras["down"]:
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "config": {
            "version": runtime.loaded.digest,
            "loaded_at": runtime.loaded_at.astimezone(UTC).isoformat(timespec="seconds"),
            "problems": len(problems),
            "problem_lines": [mask_text(p)[:300] for p in problems[:PROBLEMS_SHOWN]],
        },
        "database": {"reachable": reachable, "file": gone or "ok"} if runtime.store.identity.path
        else {"reachable": reachable},
        "sources": {"total": len(config.sources), "failing": failing},
        "indicators": {"stale": stale, "stalest": stalest},
        "cameras": {"total": cameras["configured"], "reported": cameras["reported"],
                    "down": [{"key": c["key"], "since": c["since"]} for c in cameras["down"]]},
    }
    return body, 503 if status == "failing" else 200


def counts_only(body: dict[str, Any]) -> dict[str, Any]:
    """What anyone may read: the status and counts, no problem line, no source, indicator or camera
    name (a refused config line may quote a URL with its password; ids map the site's plumbing)."""
    return {
        "status": body["status"],
        "config": {k: body["config"][k] for k in ("version", "loaded_at", "problems")},
        "database": body["database"],
        "sources": {"total": body["sources"]["total"], "failing": len(body["sources"]["failing"])},
        "indicators": {"stale": len(body["indicators"]["stale"])},
        "cameras": {**body["cameras"], "down": len(body["cameras"]["down"])},
    }


def sees_details(runtime: Any) -> bool:
    """An admin, or this machine itself on a site without ``users:`` (where it sees everything)."""
    from flask import g, request

    # late, like the Flask names above: only a request being answered asks who is looking
    from wallboard.auth.policy import is_loopback

    user = getattr(g, "user", None)
    if runtime.config.users:
        return user is not None and not user.kiosk and user.may("admin")
    return is_loopback(request.remote_addr or "")


def register(app: Any, runtime: Any) -> None:
    @app.server.route("/healthz")
    def healthz() -> Response:
        body, status = health(runtime)
        response = jsonify(body if sees_details(runtime) else counts_only(body))
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response
