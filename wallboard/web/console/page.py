"""``/console``: the operator's desk page (not the wall) and the alert API.

Open alerts by severity and age with an acknowledge form (who, when, a note), the notification log
with its failures, a day scrubber that replays any wall minute by minute, and the daily report.
``GET /api/alerts`` lists open alerts as JSON (each naming its ``incident``); ``POST
/api/alerts/<id>/ack`` acknowledges one and is refused (409, JSON ``{"error": ...}``) for an alert
already acknowledged or closed. ``GET /api/incidents`` lists open incidents with their regions and
``POST /api/incidents/<id>/ack`` acknowledges an incident and every alert in it; the console lists
incidents, expandable to their regions, with a bulk acknowledge. Plain Flask routes on the Dash
server, registered from ``create_app`` with one line.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from flask import Response, jsonify, redirect, render_template_string, request

from wallboard import formatting
from wallboard.alerts import incidents
from wallboard.alerts.config import channel_host
from wallboard.alerts.repo import ORDER, AckRefused, AlertRepo
from wallboard.alerts.report import write_report
from wallboard.i18n import translator
from wallboard.regions import name as region_name
from wallboard.secrets import mask_text
from wallboard.web.access.guard import csrf_token
from wallboard.web.console.identity import current_user_name
from wallboard.web.pages import TEMPLATES

log = logging.getLogger(__name__)
t = translator("console")


def sorted_open(alerts: list[Any]) -> list[Any]:
    """Most severe first, then the longest waiting."""
    return sorted(alerts, key=lambda a: (-ORDER.get(a.state, 0), a.opened or datetime.max.replace(tzinfo=UTC)))


def refused(locale: str, exc: AckRefused) -> str:
    """Why an acknowledgement was refused, in the site's language."""
    return t(locale, exc.message_id, **exc.values)


def signed() -> tuple[str | None, str]:
    """Who acknowledges (the signed-in user, else the name given) and the note, from JSON or a form."""
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data if isinstance(data, dict) or hasattr(data, "get") else {}
    note = " ".join(str(data.get("note") or "").split())[:500]
    return current_user_name(str(data.get("name") or "")), note


def register(app: Any, runtime: Any) -> None:
    server = app.server
    register_incidents(server, runtime)

    def repo() -> AlertRepo:
        return AlertRepo(runtime.store.engine)

    @server.get("/api/alerts")
    def api_alerts() -> Response:
        return jsonify([a.as_json() for a in sorted_open(repo().open_alerts())])

    @server.post("/api/alerts/<int:alert_id>/ack")
    def api_ack(alert_id: int) -> Any:
        who, note = signed()
        if who is None:
            return jsonify({"error": t(runtime.config.site.locale, "Give your name to acknowledge.")}), 400
        try:
            alert = repo().acknowledge(alert_id, who, note)
        except AckRefused as exc:
            return jsonify({"error": refused(runtime.config.site.locale, exc)}), exc.status
        runtime.hub.notify()
        return jsonify(alert.as_json())

    @server.post("/console/alerts/<int:alert_id>/ack")
    def console_ack(alert_id: int) -> Any:
        locale = runtime.config.site.locale
        who = current_user_name(request.form.get("name"))
        if who is None:
            return _console(runtime, t(locale, "Give your name to acknowledge.")), 400
        note = " ".join((request.form.get("note") or "").split())[:500]
        try:
            repo().acknowledge(alert_id, who, note)
        except AckRefused as exc:
            return _console(runtime, refused(locale, exc)), exc.status
        runtime.hub.notify()
        return redirect("/console", code=303)

    @server.get("/console")
    def console_page() -> Any:
        return _console(runtime)

    @server.get("/console/report.xlsx")
    def console_report() -> Any:
        config = runtime.config
        locale = config.site.locale
        raw = request.args.get("date") or datetime.now(UTC).astimezone(config.site.zone).date().isoformat()
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return Response(t(locale, "“{value}” is not a date; use YYYY-MM-DD.", value=raw[:20]), 400,
                            mimetype="text/plain")
        buffer = io.BytesIO()
        try:
            write_report(runtime.store, config, day, buffer)
        except Exception:  # noqa: BLE001 - told in one line, never a traceback
            log.exception("report for %s failed", day)
            return Response(t(locale, "The report could not be made; try again shortly."), 500,
                            mimetype="text/plain")
        return Response(
            buffer.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="wallboard-{day.isoformat()}.xlsx"'},
        )


def register_incidents(server: Any, runtime: Any) -> None:
    """The incident routes: the API's list and acknowledge, and the console's bulk acknowledge."""

    def directions() -> dict[str, str]:
        return {i.id: i.direction for i in runtime.config.indicators}

    @server.get("/api/incidents")
    def api_incidents() -> Response:
        return jsonify([n.as_json() for n in incidents.open_incidents(runtime.store.engine, directions())])

    @server.post("/api/incidents/<int:incident_id>/ack")
    def api_incident_ack(incident_id: int) -> Any:
        who, note = signed()
        if who is None:
            return jsonify({"error": t(runtime.config.site.locale, "Give your name to acknowledge.")}), 400
        try:
            done = incidents.acknowledge(runtime.store.engine, incident_id, who, note)
        except AckRefused as exc:
            return jsonify({"error": refused(runtime.config.site.locale, exc)}), exc.status
        runtime.hub.notify()
        return jsonify(done.as_json())

    @server.post("/console/incidents/ack")
    def console_incidents_ack() -> Any:
        """The bulk acknowledge: every selected incident (or the one whose own button was pressed)."""
        locale = runtime.config.site.locale
        who = current_user_name(request.form.get("name"))
        if who is None:
            return _console(runtime, t(locale, "Give your name to acknowledge.")), 400
        note = " ".join((request.form.get("note") or "").split())[:500]
        chosen = [request.form["only"]] if request.form.get("only") else request.form.getlist("incident")
        ids = [int(v) for v in chosen if v.isdigit()]
        if not ids:
            return _console(runtime, t(locale, "Select the incidents to acknowledge.")), 400
        reasons = []
        for incident_id in ids:
            try:
                incidents.acknowledge(runtime.store.engine, incident_id, who, note)
            except AckRefused as exc:
                reasons.append(refused(locale, exc))
        runtime.hub.notify()
        if reasons:
            return _console(runtime, "; ".join(reasons)), 409
        return redirect("/console", code=303)


def _console(runtime: Any, message: str | None = None) -> str:
    config = runtime.config
    locale = config.site.locale
    zone = config.site.zone
    now = datetime.now(UTC)
    repo = AlertRepo(runtime.store.engine)
    labels = {i.id: i.label.text(locale) for i in config.indicators}
    defs = {i.id: i for i in config.indicators}

    def when(moment: datetime | None) -> str:
        return formatting.short_time(moment.astimezone(zone), locale) if moment else ""

    def row(a: Any) -> dict[str, Any]:
        indicator = defs.get(a.indicator)
        return {
            "id": a.id, "state": a.state, "label": labels.get(a.indicator, a.indicator),
            "region": region_name(a.region) or a.region, "owner": a.owner or "",
            "value": formatting.value(a.value, indicator, locale), "peak": formatting.value(a.peak, indicator, locale),
            "since": when(a.opened), "age": formatting.age(now - a.opened, locale) if a.opened else "",
            "acked": a.acknowledged_at is not None, "by": a.acknowledged_by or "", "at": when(a.acknowledged_at),
            "note": a.ack_note or "", "level": a.level,
        }

    # Alerts of an incident are listed within it; older alerts (before incidents) one by one.
    rows = [row(a) for a in sorted_open(repo.open_alerts()) if a.incident is None]
    groups = []
    for n in incidents.open_incidents(runtime.store.engine, {i.id: i.direction for i in config.indicators}):
        regions = [dict(row(a), new=n.acknowledged_at is not None and a.acknowledged_at is None) for a in n.alerts]
        if not regions:
            continue
        worst = regions[0]
        groups.append({
            "id": n.id, "state": n.state, "label": labels.get(n.indicator, n.indicator), "count": len(regions),
            "waiting": n.waiting, "peak": worst["peak"], "where": worst["region"], "owner": worst["owner"],
            "since": when(n.opened), "age": formatting.age(now - n.opened, locale),
            "by": n.acknowledged_by or "", "at": when(n.acknowledged_at), "note": n.note or "",
            "level": max(r["level"] for r in regions), "regions": regions,
        })
    log_rows = [{
        "time": when(n.last_try or n.created), "alert": n.alert_id, "incident": n.incident, "kind": n.kind,
        "owner": n.owner, "level": n.level,
        # Kind and host only (rows stored before kept the whole URL): never a webhook's secret path.
        "channel": n.channel, "target": channel_host(n.target), "status": n.status, "attempts": n.attempts,
        "error": mask_text(n.error or ""), "next": when(n.next_try) if n.status == "pending" else "",
    } for n in repo.notifications(100)]
    today = now.astimezone(zone)
    return render_template_string(
        _template(), t=lambda m, **kw: t(locale, m, **kw), locale=locale, site=config.site.name,
        theme=config.site.theme, rows=rows, incidents=groups, log=log_rows, message=message,
        screens=[(s.id, s.title.text(locale) if s.title else s.id) for s in config.screens],
        today=today.date().isoformat(), minute=today.hour * 60 + today.minute,
        typed_name=current_user_name(None) is None, csrf=csrf_token(runtime),
    )


TEMPLATE_PATH = TEMPLATES / "console.html"


@cache
def _template() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")
