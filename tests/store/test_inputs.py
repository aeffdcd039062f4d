"""The store's readers and validator on their own: store.dates, store.money, store.validate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from dateutil import tz

from store.validate import check_case
from store import dates, money, validate
from store.errors import ValidationError
from store.model import Case, Deadline, Message, money as model_money
from store.sample import sample_cases

from tests.support import NOW

UTC = timezone.utc
SHANGHAI = tz.gettz("Asia/Shanghai")


@pytest.mark.parametrize("typed, expected", [
    ("2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),
    ("2026-11-30 17:00", datetime(2026, 11, 30, 17, tzinfo=UTC)),
    ("2026-11-30T17:00+08:00", datetime(2026, 11, 30, 9, tzinfo=UTC)),
    ("2026-11-30 18:00 +08:00", datetime(2026, 11, 30, 10, tzinfo=UTC)),
    ("2026-11-30T17:00:30.5Z", datetime(2026, 11, 30, 17, 0, 30, 500000, tzinfo=UTC)),
    ("Dec 1 2026 5pm", datetime(2026, 12, 1, 17, tzinfo=UTC)),
    ("Tue, 01 Dec 2026 17:00:00 +0800", datetime(2026, 12, 1, 9, tzinfo=UTC)),
    ("today", datetime(2026, 11, 26, tzinfo=UTC)),
    ("tomorrow 9am", datetime(2026, 11, 27, 9, tzinfo=UTC)),
    ("in 3d", NOW + timedelta(days=3)), ("+48h", NOW + timedelta(hours=48)),
    ("in 1w 2d", NOW + timedelta(days=9)), ("mon 9am", datetime(2026, 11, 30, 9, tzinfo=UTC)),
    ("thu 8am", datetime(2026, 12, 3, 8, tzinfo=UTC)),  # today is Thursday 09:00: 8am has passed
])
def test_the_one_reader_reads_these_the_same_way_everywhere(typed, expected):
    assert dates.read(typed, local=UTC) == expected
    assert dates.parse_when(typed, local=UTC) == expected  # the old name, the same rules


@pytest.mark.parametrize("typed", ["01/12/2026", "11.05.2026", "01/02/03", "1-2-2026", "2026/12/01"])
def test_numeric_dates_need_a_configured_order(typed):
    with pytest.raises(ValidationError) as exc:
        dates.parse_when(typed)
    assert "2026-12-01" in str(exc.value) and exc.value.field == "date"


def test_only_the_configured_order_is_read():
    cfg = {"input": {"date_order": "MDY"}}
    assert dates.parse_when("01/02/03", local=UTC, cfg=cfg) == datetime(2003, 1, 2, tzinfo=UTC)
    cfg = {"input": {"date_order": "DMY"}}
    assert dates.parse_when("01/02/03", local=UTC, cfg=cfg) == datetime(2003, 2, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        dates.parse_when("2003/02/01", local=UTC, cfg=cfg)


@pytest.mark.parametrize("typed", ["2026-12-01T00:00+25:00", "2026-12-01T00:00-14:30", "2101-01-01", "1969-06-01",
                                   "0001-01-01", "Dec 1 99999", "2026-12-01 5 PST", "x" * 500, "2026-12-01\x1b[2J"])
def test_out_of_bounds_is_one_line(typed):
    with pytest.raises(ValidationError) as exc:
        dates.read(typed)
    assert "\n" not in str(exc.value)


def test_happened_dates_allow_a_day_of_slack_and_no_more():
    assert dates.read("2026-11-27T08:00Z", kind="happened")
    with pytest.raises(ValidationError, match="future"):
        dates.read("2026-11-27T10:00Z", kind="happened")
    with pytest.raises(ValidationError, match="ahead"):
        dates.read("tomorrow", kind="happened")


def test_show_instant_says_the_zone_only_when_it_is_not_the_viewers():
    typed = datetime.fromisoformat("2026-12-01T18:00+08:00")
    assert dates.show_instant(typed, UTC) == "2026-12-01 18:00 +08:00"
    assert dates.show_instant(typed, SHANGHAI) == "2026-12-01 18:00"
    stored = typed.astimezone(UTC)  # stored instants are UTC: shown in the viewer's zone
    assert dates.show_instant(stored, SHANGHAI) == "2026-12-01 18:00"
    assert dates.show_instant(stored, UTC) == "2026-12-01 10:00"
    west = datetime.fromisoformat("2026-12-01T09:30-07:00")
    assert dates.show_instant(west, UTC) == "2026-12-01 09:30 -07:00"


@pytest.mark.parametrize("typed, cur, expected", [
    ("12.50", "USD", "12.50"), ("1,234.56", "USD", "1234.56"), ("100", "JPY", "100"), ("100.00", "JPY", "100"),
    ("1.234", "KWD", "1.234"), ("0.0001", "CLF", "0.0001"), (Decimal("0.10"), "EUR", "0.10"), (7, "USD", "7"),
])
def test_money_is_exact_in_its_currency(typed, cur, expected):
    assert str(money.amount(typed, cur)) == expected


@pytest.mark.parametrize("typed, cur", [
    ("744.999", "USD"), ("100.50", "JPY"), ("1.2345", "KWD"), ("12,50", "USD"), ("1,23.4", "USD"),
    ("1e999999999", "USD"), ("NaN", "USD"), ("Infinity", "USD"), ("-1", "USD"), ("1000000000001", "USD"),
    (12.5, "USD"), (True, "USD"), (Decimal("0.001"), "USD"), ("٣", "USD"), ("1_000", "USD"), (".5", "USD"),
])
def test_money_refusals(typed, cur):
    with pytest.raises(ValidationError):
        money.amount(typed, cur)


@pytest.mark.parametrize("code", ["XXQ", "XAU", "XTS", "XXX", "US", "dollars", 5, None])
def test_currencies_are_iso_4217_codes_with_minor_units(code):
    with pytest.raises(ValidationError):
        money.currency(code)


def test_minor_units_come_from_the_iso_table():
    assert [money.minor_units(c) for c in ("JPY", "USD", "KWD", "CLF", "eur")] == [0, 2, 3, 4, 2]


def test_model_money_keeps_working_with_the_new_rules():
    assert model_money("1,234.56") == Decimal("1234.56")
    with pytest.raises(ValidationError):
        model_money("12,50")
    with pytest.raises(ValidationError):
        model_money("0.001", currency="USD")


def _case(**kw) -> Case:
    base = dict(id="D-0001", order="O", supplier="S", reason="damaged", amount=Decimal("10.00"),
                created_at=NOW, stage_entered_at=NOW)
    return Case(**{**base, **kw})


@pytest.mark.parametrize("change, field", [
    (dict(title=5), "title"), (dict(tags=[1, 2]), "tags"), (dict(currency="XXQ"), "currency"),
    (dict(amount=Decimal("744.999")), "amount"), (dict(currency="JPY", amount=Decimal("100.50")), "amount"),
    (dict(claimed=Decimal("11")), "claimed"), (dict(description="x" * 100_001), "description"),
    (dict(deadlines=[Deadline("k", None)]), "deadlines[0].due"),
    (dict(deadlines=[Deadline("k", NOW, offset_minutes=100_000)]), "deadlines[0].offset_minutes"),
    (dict(messages=[Message(None, "me", "x")]), "messages[0].at"),
    (dict(received_at=datetime(9999, 1, 1, tzinfo=UTC)), "received_at"),
    (dict(priority=10 ** 9), "priority"),
])
def test_the_validator_names_the_field(change, field):
    with pytest.raises(ValidationError) as exc:
        check_case(_case(**change))
    assert exc.value.field == field and exc.value.case_id == "D-0001"
    with pytest.raises(ValidationError) as exc:
        validate.case_from_dict({**_case().to_dict(), **_stored(change)})
    assert exc.value.field == field


def _stored(change: dict) -> dict:
    c = _case()
    out = {}
    for k, v in change.items():
        try:
            setattr(c, k, v)
            out[k] = c.to_dict()[k]
        except (AttributeError, TypeError):
            out[k] = v if not isinstance(v, list) else [getattr(x, "__dict__", x) for x in v]
    return out


def test_received_in_the_future_is_refused_only_when_typed_now():
    c = _case(received_at=NOW + timedelta(days=3))
    with pytest.raises(ValidationError, match="future"):
        check_case(c, now=NOW)
    check_case(c, now=NOW, before=c.to_dict())  # stored that way already, untouched by this change
    check_case(c)  # loading: the clock may have moved; not a damaged database


def test_sample_cases_pass_the_validator():
    for c in sample_cases(50, NOW, messages=5, evidence=3):
        check_case(c, now=NOW)
        assert validate.case_from_dict(c.to_dict()) == c


def test_in_memory_instants_must_be_datetimes():
    with pytest.raises(ValidationError) as exc:
        check_case(_case(received_at="2026-11-20"))
    assert exc.value.field == "received_at"


def test_a_time_from_now_is_whole_seconds():
    """Seen: `disputes deadline D-0010 --kind reply --due "in 3 days"` said the reply was due at
    2026-12-05T23:38:14.426372+00:00: the clock's microseconds, which no platform sets."""
    now = datetime(2026, 12, 2, 23, 38, 14, 426372, tzinfo=UTC)
    for typed, expected in (("in 3 days", datetime(2026, 12, 5, 23, 38, 14, tzinfo=UTC)),
                            ("+48h", datetime(2026, 12, 4, 23, 38, 14, tzinfo=UTC)),
                            ("now", datetime(2026, 12, 2, 23, 38, 14, tzinfo=UTC))):
        assert dates.read(typed, local=UTC, now=now) == expected


def test_an_amount_is_shown_with_its_currencys_decimals_and_never_rounded():
    """Seen: an import of "1,000.00 JPY" (valid: the zeros round nothing) was listed as
    1,000.00 JPY, where `add` of the same amount shows 1,000 JPY; yen have no decimals."""
    assert money.digits(Decimal("1000.00"), "JPY") == "1,000"
    assert money.digits(Decimal("1000"), "JPY") == "1,000"
    assert money.digits(Decimal("1.2340"), "KWD") == "1.234"
    assert money.digits(Decimal("12.5"), "USD") == "12.50"
    # more digits than the currency has, not zeros (a case stored before the rule): all shown
    assert money.digits(Decimal("1000.50"), "JPY") == "1,000.50"
    assert money.digits(Decimal("19.999"), "USD") == "19.999"


def test_the_currency_table_is_the_iso4217_packages_own():
    """The table is read from the package's table.xml (``money._read_table``), without importing
    the package: it must be what the package itself says, code for code and unit for unit."""
    from iso4217 import Currency

    assert money._TABLE == {c.code: c.exponent for c in Currency if c.exponent is not None}
    assert len(money._TABLE) > 150


def test_a_package_without_its_table_file_is_asked_through_its_api(monkeypatch):
    from iso4217 import Currency

    real_open = open

    def no_table(path, *a, **kw):
        if str(path).endswith("table.xml"):
            raise FileNotFoundError(path)
        return real_open(path, *a, **kw)

    monkeypatch.setattr("builtins.open", no_table)
    assert money._read_table() == {c.code: c.exponent for c in Currency if c.exponent is not None}
