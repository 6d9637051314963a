"""Formatters keep their answers (``formatting.remembered``): a kept answer is the one Babel gives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from wallboard import formatting
from wallboard.formatting import age, money, number


def test_negative_zero_keeps_its_own_answer_after_zero() -> None:
    # 0.0 == -0.0 to a dict: a cache keyed on the value alone would show one for the other
    assert [number(0.0), number(-0.0), number(0.0)] == ["0", "-0", "0"]
    assert [money(-0.0), money(0.0), money(-0.0)] == ["-Rp0", "Rp0", "-Rp0"]
    # other numbers equal to their zero (a Decimal) are formatted afresh, never from a kept answer
    assert [number(Decimal("0")), number(Decimal("-0"))] == ["0", "-0"]


def test_kept_answers_follow_every_argument() -> None:
    assert [number(1.0, "id", 1), number(1.0, "id", 2), number(1.0, "en", 1)] == ["1,0", "1,00", "1.0"]
    assert [number(1234.6), number(1234.6, locale="en")] == ["1.235", "1,235"]
    assert [age(timedelta(minutes=14)), age(timedelta(minutes=14), "en")] == ["14 menit", "14 minutes"]
    assert [money(15250.0), money(15250.0, "id", 2)] == ["Rp15.250", "Rp15.250,00"]


def test_a_figure_asked_again_is_not_formatted_again(monkeypatch) -> None:
    calls = []
    real = formatting.format_decimal

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(formatting, "format_decimal", counted)
    assert [number(8765.25), number(8765.25), number(8765.25, "en")] == ["8.765", "8.765", "8,765"]
    assert len(calls) == 2  # once per locale: the repeat was answered from what was kept
