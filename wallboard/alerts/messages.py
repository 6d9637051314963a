"""What an owner receives, in the site's language: one message per incident, not one per region.

A desa-level flood of 37 kelurahan is one event, so its owner gets one message listing how many
areas, the worst first with each one's peak, and the incident's peak; an update follows only when
the incident worsens (waspada → kritis), never for each area that joins it. The webhook's JSON
carries the incident (``incident``: as ``GET /api/incidents`` lists it) and its worst area
(``alert``: as ``GET /api/alerts`` lists it), so a receiver built for one alert keeps working.
"""

from __future__ import annotations

from typing import Any

from wallboard import formatting
from wallboard.alerts import channels
from wallboard.i18n import translator
from wallboard.regions import name as region_name

t = translator("alerts")
LISTED = 5  # areas named in a message, worst first; the rest are counted ("+32 more")


def _indicator(config: Any, indicator_id: str) -> Any:
    return next((i for i in config.indicators if i.id == indicator_id), None)


def _figure(value: float, indicator: Any, locale: str) -> str:
    unit = formatting.unit(indicator, locale) if indicator is not None else ""
    return formatting.value(value, indicator, locale) + (f" {unit}" if unit else "")


def _state(state: str, locale: str) -> str:
    return t(locale, "CRITICAL") if state == "critical" else t(locale, "WARNING")


def message_for(alert: Any, config: Any, level: int) -> channels.Message:
    """One alert's message (alerts opened before incidents, and an incident of one area)."""
    locale = config.site.locale
    indicator = _indicator(config, alert.indicator)
    label = indicator.label.text(locale) if indicator is not None else alert.indicator
    value = _figure(alert.value, indicator, locale)
    state = _state(alert.state, locale)
    place = region_name(alert.region) or alert.region
    since = formatting.short_time(alert.opened.astimezone(config.site.zone), locale) if alert.opened else ""
    subject = f"[{state}] {label}: {value} — {place}"
    text = t(locale, "{state}: {label} is {value} in {place} since {since}; not acknowledged yet "
             "(escalation level {level}). {site}", state=state, label=label, value=value, place=place,
             since=since, level=level, site=config.site.name)
    payload = {"site": config.site.name, "alert": alert.as_json(), "indicator_label": label,
               "region_name": place, "level": level, "text": text}
    return channels.Message(subject, text, payload)


def incident_message(incident: Any, config: Any, level: int, kind: str) -> channels.Message:
    """The incident's one message (``kind`` escalated) or its update (``worsened``): how many areas,
    the worst ``LISTED`` with their peaks, the incident's peak; its alerts come worst first."""
    locale = config.site.locale
    alerts = incident.alerts
    worst = alerts[0]
    if kind == "opened":
        return _opened(incident, config)
    if len(alerts) == 1 and kind == "escalated":
        message = message_for(worst, config, level)
        return channels.Message(message.subject, message.text, dict(message.payload, incident=incident.as_json(),
                                                                    kind=kind, regions=1))
    indicator = _indicator(config, incident.indicator)
    label = indicator.label.text(locale) if indicator is not None else incident.indicator
    state = _state(incident.state, locale)
    peak = _figure(worst.peak, indicator, locale)
    place = region_name(worst.region) or worst.region
    named = [f"{region_name(a.region) or a.region} {_figure(a.peak, indicator, locale)}" for a in alerts[:LISTED]]
    if len(alerts) > LISTED:
        named.append(t(locale, "+{n} more", n=len(alerts) - LISTED))
    since = formatting.short_time(incident.opened.astimezone(config.site.zone), locale)
    values = {"state": state, "label": label, "n": len(alerts), "since": since, "level": level,
              "worst": ", ".join(named), "site": config.site.name, "peak": peak, "place": place}
    if kind == "worsened" and len(alerts) == 1:
        subject = f"[{state}] {label}: {_figure(worst.value, indicator, locale)} — {place}"
        text = t(locale, "Worse, now {state}: {label} is {value} in {place} since {since}. {site}",
                 value=_figure(worst.value, indicator, locale), **{k: v for k, v in values.items() if k != "n"})
    elif kind == "worsened":
        subject = t(locale, "[{state}] {label}: worse, {n} areas, peak {peak} — {place}", **values)
        text = t(locale, "Worse, now {state}: {label} in {n} areas since {since}. Worst: {worst}. {site}",
                 **values)
    else:
        subject = t(locale, "[{state}] {label}: {n} areas, peak {peak} — {place}", **values)
        text = t(locale, "{state}: {label} in {n} areas since {since}; not acknowledged yet "
                 "(escalation level {level}). Worst: {worst}. {site}", **values)
    payload = {"site": config.site.name, "incident": incident.as_json(), "alert": worst.as_json(),
               "indicator_label": label, "region_name": place, "regions": len(alerts), "level": level,
               "kind": kind, "text": text}
    return channels.Message(subject, text, payload)


def _opened(incident: Any, config: Any) -> channels.Message:
    """The message as the incident opens: no escalation level yet, nobody could have acknowledged."""
    locale = config.site.locale
    alerts = incident.alerts
    worst = alerts[0]
    indicator = _indicator(config, incident.indicator)
    label = indicator.label.text(locale) if indicator is not None else incident.indicator
    state = _state(incident.state, locale)
    place = region_name(worst.region) or worst.region
    since = formatting.short_time(incident.opened.astimezone(config.site.zone), locale)
    named = [f"{region_name(a.region) or a.region} {_figure(a.peak, indicator, locale)}" for a in alerts[:LISTED]]
    if len(alerts) > LISTED:
        named.append(t(locale, "+{n} more", n=len(alerts) - LISTED))
    peak = _figure(worst.peak, indicator, locale)
    if len(alerts) == 1:
        subject = f"[{state}] {label}: {peak} — {place}"
        text = t(locale, "New: {state}, {label} is {value} in {place} since {since}. {site}", state=state,
                 label=label, value=_figure(worst.value, indicator, locale), place=place, since=since,
                 site=config.site.name)
    else:
        subject = t(locale, "[{state}] {label}: {n} areas, peak {peak} — {place}", state=state, label=label,
                    n=len(alerts), peak=peak, place=place)
        text = t(locale, "New: {state}, {label} in {n} areas since {since}. Worst: {worst}. {site}", state=state,
                 label=label, n=len(alerts), since=since, worst=", ".join(named), site=config.site.name)
    payload = {"site": config.site.name, "incident": incident.as_json(), "alert": worst.as_json(),
               "indicator_label": label, "region_name": place, "regions": len(alerts), "level": 0,
               "kind": "opened", "text": text}
    return channels.Message(subject, text, payload)
