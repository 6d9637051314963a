"""Turning the store's newest figures into alert states: open, raise, lower, close.

Read after every collector run from ``latest`` (never from a source) and judged by the one
evaluation the panels and drill pages use too (``wallboard.indicators.judge``): the whole indicator
as the wall shows it (its regions combined by ``aggregate``) under the kabupaten/kota code against
``thresholds``, and each kecamatan or desa on its own only against per-region levels
(``region_thresholds``, or ``thresholds`` with ``per_region: true``). Two guards keep a value flapping around its
threshold from opening an alert a minute: ``alerts.min_duration`` (a crossing, and a return to
normal, must last that long) and ``alerts.hysteresis`` (a value must move back past the threshold
by that fraction of it before it counts as lower).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallboard.alerts.incidents import attach, settle
from wallboard.alerts.repo import ORDER, AlertRepo, aware
from wallboard.indicators import from_latest, judge, levels_for, threshold_state, watched
from wallboard.store import Store, schema


@dataclass(frozen=True)
class Observation:
    indicator: str
    region: str
    value: float


def observations(store: Store, config: Any) -> list[Observation]:
    """The figures alerts judge: each watched indicator's site figure and, with per-region levels,
    each of its areas (kecamatan/desa; a province's kab/kota too): exactly the figures ``judge`` gives
    the panels."""
    judged = [i for i in config.indicators if watched(i)]
    if not judged:
        return []
    city = config.site.region
    latest = store.latest([i.id for i in judged])
    out: list[Observation] = []
    for indicator in judged:
        rows = latest.get(indicator.id) or []
        if not rows:
            continue
        verdict = judge(from_latest(indicator.id, rows, indicator.aggregate, config.site.zone), indicator, city)
        if verdict.site is not None:
            out.append(Observation(indicator.id, city, verdict.site[0]))
        for region, (value, _state) in verdict.regions.items():
            if city == "00" or region.startswith(city + "."):  # the site's own areas, not a neighbour's
                out.append(Observation(indicator.id, region, value))
    return out


def sticky_state(value: float, indicator: Any, current: str | None, hysteresis: float,
                 region: str | None = None, site: str | None = None) -> str:
    """The threshold state, except that a level already reached holds until the value has moved
    back past its threshold by ``hysteresis`` of it."""
    state = threshold_state(value, indicator, region, site)
    if current is None or hysteresis <= 0 or ORDER.get(state, 0) >= ORDER.get(current, 0):
        return state
    t = levels_for(indicator, region, site)
    up = indicator.direction != "down"
    for level in ("critical", "warning"):
        if ORDER[level] > ORDER.get(current, 0):
            continue
        threshold = getattr(t, level)
        if threshold is None:
            continue
        margin = abs(threshold) * hysteresis
        holds = value >= threshold - margin if up else value <= threshold + margin
        if holds and ORDER[level] > ORDER.get(state, 0):
            return level
    return state


def worse(indicator: Any, a: float, b: float) -> float:
    return max(a, b) if indicator.direction != "down" else min(a, b)


def evaluate(store: Store, config: Any, now: datetime | None = None) -> list[tuple[str, int]]:
    """One pass over every watched figure; returns the changes made as (kind, alert id)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)  # SQLite keeps no zone: store UTC only
    settings = config.alerts
    hold = settings.min_duration
    defs = {i.id: i for i in config.indicators}
    repo = AlertRepo(store.engine)
    t = schema.alerts
    changes: list[tuple[str, int]] = []
    seen: set[tuple[str, str]] = set()
    with store.engine.begin() as conn:
        active = repo.active(conn)
        for obs in observations(store, config):
            key = (obs.indicator, obs.region)
            seen.add(key)
            indicator = defs[obs.indicator]
            alert = active.get(key)
            current = alert.state if alert is not None and alert.status == "open" else None
            state = sticky_state(obs.value, indicator, current, settings.hysteresis, obs.region,
                                 config.site.region)
            if state in ORDER:
                if alert is None:
                    opened = hold is None
                    result = conn.execute(t.insert().values(
                        indicator=obs.indicator, region=obs.region, owner=indicator.owner,
                        status="open" if opened else "pending", state=state, started=now,
                        opened=now if opened else None, value=obs.value, peak=obs.value, peak_state=state, level=0,
                    ))
                    alert_id = int(result.inserted_primary_key[0])
                    if opened:
                        attach(conn, alert_id, obs.indicator, state, now)
                        repo.event(conn, alert_id, now, "opened", state, obs.value)
                        changes.append(("opened", alert_id))
                    continue
                peak = worse(indicator, alert.peak, obs.value)
                values: dict[str, Any] = {"value": obs.value, "peak": peak, "normal_since": None, "state": state}
                if peak != alert.peak:
                    values["peak_state"] = threshold_state(peak, indicator, obs.region, config.site.region)
                if alert.status == "pending":
                    if hold is None or now - alert.started >= hold:  # the guard was removed: open now
                        values.update(status="open", opened=now)
                        attach(conn, alert.id, obs.indicator, state, now)
                        repo.event(conn, alert.id, now, "opened", state, obs.value)
                        changes.append(("opened", alert.id))
                elif state != alert.state:
                    kind = "raised" if ORDER[state] > ORDER[alert.state] else "lowered"
                    repo.event(conn, alert.id, now, kind, state, obs.value)
                    changes.append((kind, alert.id))
                conn.execute(t.update().where(t.c.id == alert.id).values(**values))
            elif alert is not None:
                changes.extend(_back_to_normal(conn, repo, alert, obs.value, now, hold))
        for key, alert in active.items():
            if key not in seen and (key[0] not in defs or levels_for(defs[key[0]], key[1], config.site.region) is None):
                # The figure is no longer judged (its indicator lost these thresholds, or was
                # removed): nothing can close it any more.
                changes.extend(_back_to_normal(conn, repo, alert, alert.value, now, None))
        settle(conn, now)
    return changes


def _back_to_normal(conn: Any, repo: AlertRepo, alert: Any, value: float, now: datetime,
                    hold: Any) -> list[tuple[str, int]]:
    t = schema.alerts
    if alert.status == "pending":
        # A crossing shorter than min_duration: forgotten, as if it never happened.
        conn.execute(t.delete().where(t.c.id == alert.id))
        return []
    row = repo.row(conn, alert.id)
    since = aware(row.normal_since) or now
    if hold is None or now - since >= hold:
        conn.execute(t.update().where(t.c.id == alert.id).values(
            status="closed", closed=now, value=value, normal_since=since))
        repo.event(conn, alert.id, now, "closed", "ok", value)
        return [("closed", alert.id)]
    if row.normal_since is None:
        conn.execute(t.update().where(t.c.id == alert.id).values(normal_since=now, value=value))
    return []
