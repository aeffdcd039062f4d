"""The cell readers the importers share: amounts in locale forms, date orders, time zones."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from store.errors import ValidationError
from store.importers import amount, date_order, decimal_mark, instant, unguard, zone


@pytest.mark.parametrize("text,mark,want", [
    ("1.234,56", None, ("1234.56", False)),
    ("-1.234,56", None, ("1234.56", True)),
    ("1,234.56", None, ("1234.56", False)),
    ("1 234,56", None, ("1234.56", False)),
    ("1\u00a0234,56", None, ("1234.56", False)),
    ("(12.50)", None, ("12.50", True)),
    ("12,5", None, ("12.5", False)),
    ("1,234", None, ("1234", False)),       # a lone separator before three digits groups thousands
    ("1,234", ",", ("1.234", False)),       # ...unless the file's other amounts show a decimal comma
    ("1.234.567", None, ("1234567", False)),
    ("0,30", ",", ("0.30", False)),
])
def test_amount_forms(text, mark, want):
    d, neg = amount(text, "f: row 2", mark)
    assert (str(d), neg) == want and isinstance(d, Decimal)


@pytest.mark.parametrize("text", ["1,2,3.4.5", "12.34.56,7", "abc", "1e5", "NaN", "Infinity", "", "9" * 20,
                                  "1.23456"])
def test_bad_amounts_refuse(text):
    with pytest.raises(ValidationError):
        amount(text, "f: row 2", None)


def test_decimal_mark_from_the_file():
    assert decimal_mark(["1.234", "12,50"]) == ","
    assert decimal_mark(["1,234", "12.50"]) == "."
    assert decimal_mark(["1,234", "5"]) is None
    with pytest.raises(ValidationError, match="mix"):
        decimal_mark(["12,50", "3.25"])


def test_date_order_from_the_dates_or_refused():
    cells = lambda *vs: [(f"f: row {i + 2}", v) for i, v in enumerate(vs)]  # noqa: E731
    assert date_order(cells("31/01/2026", "02/03/2026"), None, "f") == "DMY"
    assert date_order(cells("01/31/2026", "02/03/2026"), None, "f") == "MDY"
    assert date_order(cells("2026-01-02"), None, "f") == "YMD"
    with pytest.raises(ValidationError, match="--date-order DMY|MDY"):
        date_order(cells("01/02/2026"), None, "f")
    with pytest.raises(ValidationError, match="more than one order"):
        date_order(cells("31/01/2026", "01/31/2026"), None, "f")
    with pytest.raises(ValidationError, match="not a MDY date"):
        date_order(cells("31/01/2026"), "MDY", "f")


def test_instants_with_zones():
    assert instant("31.10.2026", "w", "DMY", zone("CET", "w"), "14:05:09") == \
        datetime(2026, 10, 31, 13, 5, 9, tzinfo=timezone.utc)
    assert instant("11/1/2026 2:30 PM", "w", "MDY", zone("PST", "w")) == \
        datetime(2026, 11, 1, 22, 30, tzinfo=timezone.utc)
    assert instant("2026-11-01T10:00+08:00", "w", "YMD", None) == datetime(2026, 11, 1, 2, tzinfo=timezone.utc)
    assert zone("GMT+01:00", "w").utcoffset(None).total_seconds() == 3600
    assert zone("Europe/Berlin", "w") is not None
    with pytest.raises(ValidationError, match="unknown time zone"):
        zone("Mars/Olympus", "w")


def test_unguard_only_undoes_the_export_guard():
    assert unguard("'=SUM(A1)") == "=SUM(A1)"
    assert unguard("'-5") == "-5"
    assert unguard("'quoted'") == "'quoted'"
    assert unguard("plain") == "plain"
