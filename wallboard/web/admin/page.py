"""``/admin``: what is in force and what went wrong, for the admin of the wall (role admin).

The config in force (secrets masked by ``wallboard.secrets.mask``, as everywhere), its version
and load time; the last refused edit with its ``file:line:col`` problems; every source's health
with a "run now" button; the audit log.
"""

from __future__ import annotations

import io
import threading
from datetime import datetime
from typing import Any

from flask import Response, g, redirect, request
from ruamel.yaml import YAML

from wallboard.cameras.catalog import cameras_in
from wallboard.cameras.health import BOARD
from wallboard.formatting import number
from wallboard.i18n import translator
from wallboard.scheduler import JOB_PREFIX
from wallboard.secrets import mask, mask_text
from wallboard.store import audit
from wallboard.web.access.guard import client_address, csrf_token
from wallboard.web.errors import error_page
from wallboard.web.pages import render

t = translator("admin")
def masked_yaml(config: Any) -> str:
    data = mask(config.model_dump(mode="json", exclude_none=True))
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


def _when(value: datetime | None, zone: Any) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def source_rows(runtime: Any) -> list[dict[str, Any]]:
    config = runtime.config
    zone = config.site.zone
    statuses = runtime.store.source_status([s.id for s in config.sources])
    scheduler = runtime.scheduler.scheduler
    rows = []
    for source in config.sources:
        status = statuses[source.id]
        run = status.last_run
        job = scheduler.get_job(JOB_PREFIX + source.id) if scheduler.running else None
        upcoming = status.next_retry or getattr(job, "next_run_time", None)
        rows.append({
            "id": source.id, "type": source.type,
            "last_run": _when(run.finished if run else None, zone),
            "ok": run.ok if run else None,
            "rows": number(run.rows, config.site.locale) if run else "–",
            # What happened to the other rows: added into another on one key, given twice, refused.
            **{k: number(getattr(run, k), config.site.locale) if run else "–"
               for k in ("combined", "duplicates", "rejected")},
            "notes": mask_text(run.notes or "") if run else "",
            "error": mask_text(status.last_error or "") if run and not run.ok else "",
            "next_run": _when(upcoming, zone),
        })
    return rows


def camera_rows(runtime: Any) -> list[dict[str, Any]]:
    """Every camera the config shows, with the freshest report of it (a wall's or the probe's)."""
    zone = runtime.config.site.zone
    reports = BOARD.current()
    rows = []
    for key, camera in cameras_in(runtime.config).items():
        report = reports.get(key)
        since = datetime.fromtimestamp(report.since, zone) if report is not None else None
        rows.append({"key": key, "label": camera.label, "state": report.state if report else "",
                     "since": _when(since, zone), "by": report.by if report else "",
                     "detail": mask_text(report.detail) if report else ""})
    return sorted(rows, key=lambda r: (r["state"] not in ("error", "stalled"), r["key"]))


def run_now(runtime: Any, source_id: str) -> None:
    """Run one source in the background, as the scheduler would; the page does not wait for it."""
    scheduler = runtime.scheduler.scheduler
    if scheduler.running:
        scheduler.add_job(runtime.collector.try_run, args=[source_id], id=f"manual:{source_id}",
                          name=f"run now {source_id}", replace_existing=True)
    else:
        threading.Thread(target=runtime.collector.try_run, args=[source_id], daemon=True).start()


def register(app: Any, runtime: Any) -> None:
    server = app.server

    @server.route("/admin")
    def admin() -> Response:
        config = runtime.config
        loc = config.site.locale
        zone = config.site.zone
        refused = runtime.last_refused
        body = render(
            "admin.html", locale=loc, site=config.site.name, title=t(loc, "Administration"),
            t=lambda message, **v: t(loc, message, **v), csrf=csrf_token(runtime),
            user=getattr(g, "user", None),
            version=runtime.loaded.digest, loaded_at=_when(runtime.loaded_at, zone),
            path=str(runtime.path), config_text=masked_yaml(config),
            problems=[mask_text(p) for p in runtime.last_reload_problems],
            refused_at=_when(refused[0], zone) if refused else None,
            refused_problems=[mask_text(p) for p in refused[1]] if refused else [],
            sources=source_rows(runtime), cameras=camera_rows(runtime),
            entries=[(_when(e.time, zone), e) for e in audit.entries(runtime.store, 200)],
            notice=request.args.get("ran", ""),
        )
        response = Response(body, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.route("/admin/sources/<source_id>/run", methods=["POST"])
    def admin_run(source_id: str) -> Response:
        if source_id not in {s.id for s in runtime.config.sources}:
            return error_page(runtime, 404)
        user = getattr(g, "user", None)
        run_now(runtime, source_id)
        audit.record(runtime.store, "admin.run_source", user.name if user else "(local)", source_id,
                     client_address(runtime))
        return redirect(f"/admin?ran={source_id}#sources", code=303)
