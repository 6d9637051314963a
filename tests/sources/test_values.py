"""Numbers, times and ${VAR} as the work units write them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from wallboard import secrets
from wallboard.reasons import one_line
from wallboard.sources.values import ValueProblem, parse_number, parse_time

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
    (7, 7.0),
    (2.5, 2.5),
])
def test_indonesian_numbers(text: object, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["12a", "", "-", "1.2.3", None, True, "satu", float("nan")])
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


def test_variables_are_filled_and_redacted() -> None:
    env = {"LAPOR_TOKEN": "s3cret-token-xyz"}
    assert secrets.expand("Bearer ${LAPOR_TOKEN}", env) == "Bearer s3cret-token-xyz"
    assert secrets.expand_all({"a": ["${LAPOR_TOKEN}"]}, env) == {"a": ["s3cret-token-xyz"]}
    assert one_line("401 for token s3cret-token-xyz") == "401 for token ***"
    with pytest.raises(secrets.MissingVariable, match="TIDAK_ADA") as info:
        secrets.expand("${TIDAK_ADA}", env)
    assert "s3cret" not in str(info.value)
