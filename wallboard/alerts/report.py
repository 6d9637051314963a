"""The daily report for the leadership's morning meeting: ``wallboard report --date 2026-11-28``.

One workbook, three sheets, all times in the site's time zone:

* Indicators: each indicator's day as the wall showed it (its regions combined by ``aggregate``):
  min, max, last, and how long it stood outside its thresholds (warning or worse, and critical);
* Alerts: every alert open at any moment of the day, with time to acknowledge and to resolve;
* Work units: the same per owner (OPD).

Everything is computed from stored readings and alerts, never from a source. A reading holds until
the next one of its region; the value carried in from before midnight counts for time outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any

from sqlalchemy import func, select

from wallboard.alerts.repo import AlertInfo, AlertRepo
from wallboard.i18n import translator
from wallboard.indicators import combine, threshold_state
from wallboard.store import Store, schema
from wallboard.store.store import period_days

t = translator("console")


@dataclass(frozen=True)
class IndicatorDay:
    indicator: str
    owner: str | None
    readings: int
    minimum: float | None
    maximum: float | None
    last: float | None
    outside: float  # seconds at warning or worse
    critical: float  # seconds at critical


def day_bounds(day: date, zone: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def indicator_day(store: Store, indicator: Any, start: datetime, end: datetime, now: datetime) -> IndicatorDay:
    """The city-wide figure through the day, rebuilt reading by reading from ``readings``."""
    r = schema.readings
    t0, t1 = int(start.timestamp()), int(end.timestamp())
    stop = min(t1, int(now.timestamp()))
    current: dict[str, tuple[int, float]] = {}
    with store.engine.connect() as conn:
        regions = [row[0] for row in conn.execute(
            select(schema.latest.c.region).where(schema.latest.c.indicator == indicator.id))]
        for region in regions:  # the value each region carried in from before the day
            pair = (r.c.indicator == indicator.id, r.c.region == region)
            before = select(func.max(r.c.ts)).where(*pair, r.c.ts < t0).scalar_subquery()
            found = conn.execute(select(r.c.ts, r.c.value, r.c.period).where(*pair, r.c.ts == before)).all()
            if found:  # lengths starting together (a quarter, a half year): the shortest, as ``latest``
                row = min(found, key=lambda f: period_days(f.period))
                current[region] = (row.ts, row.value)
        rows = conn.execute(select(r.c.ts, r.c.region, r.c.value, r.c.period).where(
            r.c.indicator == indicator.id, r.c.ts >= t0, r.c.ts < t1)).all()
        rows.sort(key=lambda f: (f.ts, -period_days(f.period)))  # at one second the shortest length last

    def city() -> float | None:
        if not current:
            return None
        return combine([v for _, v in sorted(current.values())], indicator.aggregate)

    values: list[float] = []
    outside = critical = 0.0
    moment, value = t0, city()
    index = 0
    while index <= len(rows):
        nxt = rows[index].ts if index < len(rows) else stop
        if value is not None and nxt > moment:
            span = min(nxt, stop) - moment
            state = threshold_state(value, indicator)
            if span > 0 and state in ("warning", "critical"):
                outside += span
                if state == "critical":
                    critical += span
        if index == len(rows):
            break
        ts = rows[index].ts
        while index < len(rows) and rows[index].ts == ts:  # every region written at this second
            current[rows[index].region] = (ts, rows[index].value)
            index += 1
        moment, value = ts, city()
        values.append(value)
    return IndicatorDay(indicator.id, indicator.owner, len(rows), min(values) if values else None,
                        max(values) if values else None, values[-1] if values else None, outside, critical)


def _minutes(a: datetime | None, b: datetime | None) -> float | None:
    return round((b - a).total_seconds() / 60, 1) if a is not None and b is not None else None


def _local(moment: datetime | None, zone: Any) -> datetime | None:
    """Excel has no time zones: site-local wall-clock time, as the meeting reads it."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None


def collect(store: Store, config: Any, day: date, now: datetime | None = None
            ) -> tuple[list[IndicatorDay], list[AlertInfo]]:
    now = now or datetime.now(UTC)
    start, end = day_bounds(day, config.site.zone)
    days = [indicator_day(store, i, start, end, now) for i in config.indicators]
    alerts = AlertRepo(store.engine).alerts_between(start, end)
    return days, alerts


def write_report(store: Store, config: Any, day: date, output: str | IO[bytes], now: datetime | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from wallboard.regions import name as region_name

    locale = config.site.locale
    zone = config.site.zone
    days, alerts = collect(store, config, day, now)
    defs = {i.id: i for i in config.indicators}
    label = {i.id: i.label.text(locale) for i in config.indicators}
    bold = Font(bold=True)
    book = Workbook()

    sheet = book.active
    sheet.title = t(locale, "Indicators")
    sheet.append([f"{config.site.name} — {day.isoformat()}"])
    sheet.append([t(locale, "Indicator"), t(locale, "Id"), t(locale, "Work unit"), t(locale, "Unit"),
                  t(locale, "Readings"), t(locale, "Min"), t(locale, "Max"), t(locale, "Last"),
                  t(locale, "Minutes outside thresholds"), t(locale, "Minutes critical")])
    for d in days:
        sheet.append([label[d.indicator], d.indicator, d.owner or "", defs[d.indicator].unit, d.readings,
                      d.minimum, d.maximum, d.last, round(d.outside / 60, 1), round(d.critical / 60, 1)])

    sheet = book.create_sheet(t(locale, "Alerts"))
    sheet.append([t(locale, "Alert"), t(locale, "Indicator"), t(locale, "Area"), t(locale, "Work unit"),
                  t(locale, "Peak state"), t(locale, "Peak"), t(locale, "Opened"), t(locale, "Acknowledged"),
                  t(locale, "By"), t(locale, "Note"), t(locale, "Minutes to acknowledge"), t(locale, "Closed"),
                  t(locale, "Minutes to resolve"), t(locale, "Escalation level")])
    for a in alerts:
        sheet.append([a.id, label.get(a.indicator, a.indicator), region_name(a.region) or a.region, a.owner or "",
                      a.peak_state, a.peak, _local(a.opened, zone), _local(a.acknowledged_at, zone),
                      a.acknowledged_by or "", a.ack_note or "", _minutes(a.opened, a.acknowledged_at),
                      _local(a.closed, zone), _minutes(a.opened, a.closed), a.level])

    sheet = book.create_sheet(t(locale, "Work units"))
    sheet.append([t(locale, "Work unit"), t(locale, "Indicators"), t(locale, "Alerts"), t(locale, "Critical"),
                  t(locale, "Not acknowledged"), t(locale, "Mean minutes to acknowledge"),
                  t(locale, "Mean minutes to resolve"), t(locale, "Minutes outside thresholds")])
    owners = sorted({d.owner or "" for d in days} | {a.owner or "" for a in alerts})
    for owner in owners:
        mine = [a for a in alerts if (a.owner or "") == owner]
        to_ack = [m for a in mine if (m := _minutes(a.opened, a.acknowledged_at)) is not None]
        to_close = [m for a in mine if (m := _minutes(a.opened, a.closed)) is not None]
        sheet.append([
            owner or t(locale, "(no owner)"), sum(1 for d in days if (d.owner or "") == owner), len(mine),
            sum(1 for a in mine if a.peak_state == "critical"),
            sum(1 for a in mine if a.acknowledged_at is None),
            round(sum(to_ack) / len(to_ack), 1) if to_ack else None,
            round(sum(to_close) / len(to_close), 1) if to_close else None,
            round(sum(d.outside for d in days if (d.owner or "") == owner) / 60, 1),
        ])
    for number, ws in enumerate(book.worksheets):
        for cell in ws[2 if number == 0 else 1]:  # the first sheet has a title line above its header
            cell.font = bold
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 18
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
    book.save(output)
