"""The daily report for the leadership's morning meeting: ``wallboard report --date 2026-11-28``.

One workbook, three sheets, all times in the site's time zone:

* Indicators: each indicator's day as the wall showed it (its regions combined by ``aggregate``):
  min, max, last, and how long it stood outside its thresholds (warning or worse, and critical);
* Alerts: every alert open at any moment of the day, with time to acknowledge and to resolve;
* Work units: the same per owner (OPD).

This module is the workbook's layout only; the figures come from ``daily.py``. Names, notes and titles
come from sources and people: every row goes through ``wallboard.spreadsheet.append_row``, so a note
starting with ``=`` is a string cell, never a live formula.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from wallboard.alerts.daily import AlertInfo, IndicatorDay, OwnerDay, collect, local, minutes, owner_days
from wallboard.i18n import translator
from wallboard.regions import name as region_name
from wallboard.spreadsheet import append_row, sheet_title
from wallboard.store import Store

t = translator("console")


def write_report(store: Store, config: Any, day: date, output: str | IO[bytes], now: datetime | None = None) -> None:
    days, alerts = collect(store, config, day, now)
    book = Workbook()
    indicator_sheet(book.active, config, day, days)
    alert_sheet(book.create_sheet(sheet_title(t(config.site.locale, "Alerts"))), config, alerts)
    owner_sheet(book.create_sheet(sheet_title(t(config.site.locale, "Work units"))), config, owner_days(days, alerts))
    for number, ws in enumerate(book.worksheets):
        _style(ws, header_row=2 if number == 0 else 1)  # the first sheet has a title line above its header
    book.save(output)


def indicator_sheet(sheet: Worksheet, config: Any, day: date, days: list[IndicatorDay]) -> None:
    locale = config.site.locale
    defs = {i.id: i for i in config.indicators}
    sheet.title = sheet_title(t(locale, "Indicators"))
    append_row(sheet, [f"{config.site.name} — {day.isoformat()}"])
    append_row(sheet, [t(locale, "Indicator"), t(locale, "Id"), t(locale, "Work unit"), t(locale, "Unit"),
                  t(locale, "Readings"), t(locale, "Min"), t(locale, "Max"), t(locale, "Last"),
                  t(locale, "Minutes outside thresholds"), t(locale, "Minutes critical")])
    for d in days:
        append_row(sheet, [defs[d.indicator].label.text(locale), d.indicator, d.owner or "", defs[d.indicator].unit,
                      d.readings, d.minimum, d.maximum, d.last, round(d.outside / 60, 1), round(d.critical / 60, 1)])


def alert_sheet(sheet: Worksheet, config: Any, alerts: list[AlertInfo]) -> None:
    locale, zone = config.site.locale, config.site.zone
    label = {i.id: i.label.text(locale) for i in config.indicators}
    append_row(sheet, [t(locale, "Alert"), t(locale, "Indicator"), t(locale, "Area"), t(locale, "Work unit"),
                  t(locale, "Peak state"), t(locale, "Peak"), t(locale, "Opened"), t(locale, "Acknowledged"),
                  t(locale, "By"), t(locale, "Note"), t(locale, "Minutes to acknowledge"), t(locale, "Closed"),
                  t(locale, "Minutes to resolve"), t(locale, "Escalation level")])
    for a in alerts:
        append_row(sheet, [a.id, label.get(a.indicator, a.indicator), region_name(a.region) or a.region, a.owner or "",
                      a.peak_state, a.peak, local(a.opened, zone), local(a.acknowledged_at, zone),
                      a.acknowledged_by or "", a.ack_note or "", minutes(a.opened, a.acknowledged_at),
                      local(a.closed, zone), minutes(a.opened, a.closed), a.level])


def owner_sheet(sheet: Worksheet, config: Any, owners: list[OwnerDay]) -> None:
    locale = config.site.locale
    append_row(sheet, [t(locale, "Work unit"), t(locale, "Indicators"), t(locale, "Alerts"), t(locale, "Critical"),
                  t(locale, "Not acknowledged"), t(locale, "Mean minutes to acknowledge"),
                  t(locale, "Mean minutes to resolve"), t(locale, "Minutes outside thresholds")])
    for o in owners:
        append_row(sheet, [o.owner or t(locale, "(no owner)"), o.indicators, o.alerts, o.critical, o.unacknowledged,
                      o.to_acknowledge, o.to_resolve, o.outside])


def _style(ws: Worksheet, header_row: int) -> None:
    """Header in bold, columns wide enough to read, times as times."""
    bold = Font(bold=True)
    for cell in ws[header_row]:
        cell.font = bold
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 18
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
