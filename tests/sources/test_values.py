"""Numbers, times and ${VAR} as the work units write them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.util import settle
from wallboard import secrets
from wallboard.reasons import one_line
from wallboard.sources.values import ValueProblem, decimal_evidence, parse_number, parse_time

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234.567,89", 1234567.89),
    ("Rp 15.250", 15250.0),
    ("Rp15.250,-", 15250.0),
    ("85,5%", 85.5),
    ("85.5", 85.5),
    ("15.250", 15250.0),
    ("1,234,567.89", 1234567.89),
    ("-12,5", -12.5),
    ("(1.000)", -1000.0),
    ("IDR 2.000.000", 2000000.0),
    (" 42 ", 42.0),
    ("0.875", 0.875),  # a leading 0. is a decimal, never a thousands group (was stored as 875)
    ("0,875", 0.875),
    ("-0.875", -0.875),
    ("Rp 0,50", 0.5),
    ("Rp 1,5 M", 1_500_000_000.0),  # M: miliar, as budgets write it
    ("Rp1,5M", 1_500_000_000.0),
    ("1,2 jt", 1_200_000.0),
    ("1,2 Jt.", 1_200_000.0),
    ("15 rb", 15_000.0),
    ("2 miliar", 2_000_000_000.0),
    ("3,5 juta", 3_500_000.0),
    ("Rp 2 T", 2_000_000_000_000.0),
    ("2 triliun", 2_000_000_000_000.0),
    ("Rp 1.250 jt", 1_250_000_000.0),
    ("0,1 jt", 100_000.0),
    (7, 7.0),
    (2.5, 2.5),
])
def test_indonesian_numbers(text: object, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["12a", "", "-", "1.2.3", None, True, "satu", float("nan"),
                                  "1,5 m", "2 jtx", "M", "jt"])
def test_not_numbers_are_refused(text: object) -> None:
    with pytest.raises(ValueProblem):
        parse_number(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("27/11/2026", datetime(2026, 11, 27, 0, 0, tzinfo=WIB)),
    ("27-11-2026 14:05", datetime(2026, 11, 27, 14, 5, tzinfo=WIB)),
    ("2026-11-27 14:05", datetime(2026, 11, 27, 14, 5, tzinfo=WIB)),
    ("2026-11-27T14:05:00Z", datetime(2026, 11, 27, 14, 5, tzinfo=UTC)),
    ("2026-11-27T14:05:00+08:00", datetime(2026, 11, 27, 6, 5, tzinfo=UTC)),
    ("27 November 2026 14.05 WITA", datetime(2026, 11, 27, 14, 5, tzinfo=ZoneInfo("Asia/Makassar"))),
    ("3 Agustus 2026", datetime(2026, 8, 3, tzinfo=WIB)),
    ("2026/11/27", datetime(2026, 11, 27, tzinfo=WIB)),
    (datetime(2026, 11, 27, 14, 5), datetime(2026, 11, 27, 14, 5, tzinfo=WIB)),
    (1_795_000_000, datetime.fromtimestamp(1_795_000_000, UTC)),
    (1_795_000_000_000, datetime.fromtimestamp(1_795_000_000, UTC)),
])
def test_times_read_in_site_zone(text: object, expected: datetime) -> None:
    assert parse_time(text, WIB) == int(expected.timestamp())


@pytest.mark.parametrize("text", ["31/02/2026", "kemarin", "", "27/13/2026"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_time(text, WIB)


@pytest.mark.parametrize("text", ["2026-12-02 14", "2026-12-02T14", "02/12/2026 14", "2 Desember 2026 14",
                                  "2026-12-02 14 WIB", "2026-12-02T14+07:00"])
def test_an_hour_without_minutes_is_refused_not_read_as_its_full_hour(text: str) -> None:
    """Python's fromisoformat reads ``2026-12-02 14`` as 14:00; the export cut the time short."""
    with pytest.raises(ValueProblem, match=r"^waktu terpotong '.*' \(jam tanpa menit\)$"):
        parse_time(text, WIB)


@pytest.mark.parametrize(("text", "evidence"), [
    ("2.75", (".", "titik")), ("0.875", (".", "titik")), ("1234.567", (".", "titik")),
    ("1,234,567.89", (".", "titik")), ("1,234,567", (".", "koma ribuan")),
    ("1,5", (",", "koma")), ("0,875", (",", "koma")), ("Rp 1.500.000,00", (",", "koma")),
    ("1.234.567", (",", "titik ribuan")), ("85,5%", (",", "koma")),
    ("1.234", None), ("15,250", None), ("12", None), ("Rp 15.250,-", None), ("1.2.3", None), ("abc", None),
])
def test_what_a_value_proves_about_its_columns_decimal_mark(text: str, evidence) -> None:
    assert decimal_evidence(text) == evidence


def test_an_ambiguous_value_in_a_dot_decimal_column() -> None:
    assert parse_number("1.234", ".") == 1.234 and parse_number("1,234", ".") == 1234.0
    assert parse_number("1,234,567.5", ".") == 1234567.5 and parse_number(7, ".") == 7.0
    assert parse_number("1.234") == 1234.0  # no evidence: a thousands group, as before


NUMBERS_SOURCE = """
  - id: nilai
    type: csv
    path: nilai.csv
    every: 1h
    indicator: penduduk
    delimiter: ";"
    columns: {time: tahun, region: kecamatan, value: nilai}
"""
KECAMATAN = {"Salaman": "33.08.01", "Borobudur": "33.08.02", "Ngluwar": "33.08.03"}


def year_start(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=WIB).timestamp())


@pytest.mark.parametrize(("written", "expected"), [
    (["1,5", "1.234", "12"], [1.5, 1234.0, 12.0]),     # a comma-decimal column: 1.234 is a thousand
    (["2.75", "1.234", "12"], [2.75, 1.234, 12.0]),    # a dot-decimal column: 1.234 is one point two
    (["1.234", "15.250", "12"], [1234.0, 15250.0, 12.0]),  # no evidence: thousands, as before
    (["0.875", "0.5", "1"], [0.875, 0.5, 1.0]),        # a leading 0.: decimals (0.875 was 875)
    (["Rp 1,5 M", "1,2 jt", "15 rb"], [1_500_000_000.0, 1_200_000.0, 15_000.0]),
])
def test_a_columns_values_are_read_in_its_own_style(db_url: str, tmp_path: Path, written: list[str],
                                                   expected: list[float]) -> None:
    rows = [["2025", name, value] for name, value in zip(KECAMATAN, written, strict=True)]
    write_csv(tmp_path / "nilai.csv", ["tahun", "kecamatan", "nilai"], rows, delimiter=";")
    settle(tmp_path / "nilai.csv")
    collector, store, _ = site_collector(db_url, "33.08", NUMBERS_SOURCE, tmp_path)
    try:
        run = collector.run("nilai", datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
        assert run.ok and run.rejected == 0 and run.rows == 3, run
        assert stored(store, "penduduk") == {
            (code, year_start(2025)): (value, "P1Y") for code, value in zip(KECAMATAN.values(), expected, strict=True)
        }
    finally:
        store.close()


def test_a_column_mixing_decimal_marks_is_refused_naming_both(db_url: str, tmp_path: Path) -> None:
    """``1,5`` and ``2.75`` in one column: whether ``1.234`` is a thousand no one can say; nothing is
    stored and the run says which two values disagree."""
    rows = [["2025", "Salaman", "1,5"], ["2025", "Borobudur", "1.234"], ["2025", "Ngluwar", "2.75"]]
    write_csv(tmp_path / "nilai.csv", ["tahun", "kecamatan", "nilai"], rows, delimiter=";")
    settle(tmp_path / "nilai.csv")
    collector, store, _ = site_collector(db_url, "33.08", NUMBERS_SOURCE, tmp_path)
    try:
        run = collector.run("nilai", datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
        assert not run.ok and run.rejected == 3 and run.rows == 0, run
        assert "baris 2: kolom 'nilai' mencampur tanda desimal: '1,5' (koma) dan '2.75' (titik)" in run.error
        assert "baris 3: kolom 'nilai' mencampur" in run.error and "baris 4: kolom 'nilai' mencampur" in run.error
        assert stored(store, "penduduk") == {}
    finally:
        store.close()


def test_a_cut_time_is_refused_by_row_and_column(db_url: str, tmp_path: Path) -> None:
    source = NUMBERS_SOURCE.replace("time: tahun", "time: waktu")
    rows = [["2026-12-02 13:55", "Salaman", "3"], ["2026-12-02 14", "Borobudur", "4"]]
    write_csv(tmp_path / "nilai.csv", ["waktu", "kecamatan", "nilai"], rows, delimiter=";")
    settle(tmp_path / "nilai.csv")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        run = collector.run("nilai", datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
        assert run.ok and run.rejected == 1 and run.rows == 1, run
        assert "baris 3 kolom 'waktu': waktu terpotong '2026-12-02 14' (jam tanpa menit)" in run.error
        assert stored(store, "penduduk") == {
            ("33.08.01", int(datetime(2026, 12, 2, 13, 55, tzinfo=WIB).timestamp())): (3.0, None)}
    finally:
        store.close()


def test_a_refused_value_names_row_and_column(db_url: str, tmp_path: Path) -> None:
    rows = [["2025", "Salaman", "abc"], ["2025", "Borobudur", "7"]]
    write_csv(tmp_path / "nilai.csv", ["tahun", "kecamatan", "nilai"], rows, delimiter=";")
    settle(tmp_path / "nilai.csv")
    collector, store, _ = site_collector(db_url, "33.08", NUMBERS_SOURCE, tmp_path)
    try:
        run = collector.run("nilai", datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
        assert run.ok and run.rejected == 1 and "baris 2 kolom 'nilai': bukan angka: 'abc'" in run.error, run
        assert stored(store, "penduduk") == {("33.08.02", year_start(2025)): (7.0, "P1Y")}
    finally:
        store.close()


def test_variables_are_filled_and_redacted() -> None:
    env = {"LAPOR_TOKEN": "s3cret-token-xyz"}
    assert secrets.expand("Bearer ${LAPOR_TOKEN}", env) == "Bearer s3cret-token-xyz"
    assert secrets.expand_all({"a": ["${LAPOR_TOKEN}"]}, env) == {"a": ["s3cret-token-xyz"]}
    assert one_line("401 for token s3cret-token-xyz") == "401 for token ***"
    with pytest.raises(secrets.MissingVariable, match="TIDAK_ADA") as info:
        secrets.expand("${TIDAK_ADA}", env)
    assert "s3cret" not in str(info.value)
