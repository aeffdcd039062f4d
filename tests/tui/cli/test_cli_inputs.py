"""What you type is what is kept (issue 9: dates, money) and one validator for every way in
(issue 8 item 5: poisoned imports): through the real command line, on a real database file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from tests.support.cli import ok, run, state

ADD = ("add", "--order", "O-9", "--supplier", "S", "--reason", "damaged")


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cases.json"
    ok(path, *ADD, "--amount", "100.00", "--received", "2026-11-20")
    return path


def refused(db: Path, *args: str, code: int = 1) -> str:
    before = state(db)
    r = run(db, *args)
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert state(db) == before, "the database changed"
    return lines[0]


def config(tmp_path, monkeypatch, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("DISPUTES_CONFIG", str(path))


def shown(db: Path, cid: str = "D-0002") -> dict:
    return json.loads(ok(db, "show", cid, "--json"))


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["01/12/2026", "11/05/2026", "11.05.2026", "01/02/03", "01-12-2026"])
def test_numeric_dates_are_refused_with_how_to_write_them(db, typed):
    line = refused(db, *ADD, "--amount", "5", "--received", typed)
    assert "more than one way" in line and "2026-12-01" in line and "date_order" in line


@pytest.mark.parametrize("order, typed, stored", [
    ("DMY", "01/11/2026", "2026-11-01"), ("MDY", "11/01/2026", "2026-11-01"), ("YMD", "2026/11/01", "2026-11-01"),
    ("DMY", "11.05.2026", "2026-05-11"), ("MDY", "11.05.2026", "2026-11-05"), ("YMD", "26/11/01", "2026-11-01"),
])
def test_the_configured_date_order_is_the_only_one_read(db, tmp_path, monkeypatch, order, typed, stored):
    config(tmp_path, monkeypatch, f'[input]\ndate_order = "{order}"\n')
    ok(db, *ADD, "--amount", "5", "--received", typed)
    assert shown(db)["received_at"].startswith(stored)


def test_a_configured_order_refuses_the_other_orders(db, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, '[input]\ndate_order = "DMY"\n')
    assert "YYYY" in refused(db, *ADD, "--amount", "5", "--received", "2026/11/01")
    assert "no such day" in refused(db, *ADD, "--amount", "5", "--received", "11/31/2026")


def test_a_bad_date_order_in_the_config_is_one_line(db, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, '[input]\ndate_order = "DDMM"\n')
    assert "date_order" in refused(db, "list")


@pytest.mark.parametrize("typed, stored", [
    ("2026-11-20", "2026-11-20T00:00:00+00:00"),
    ("2026-11-20 17:00", "2026-11-20T17:00:00+00:00"),
    ("2026-11-20T17:00+08:00", "2026-11-20T09:00:00+00:00"),
    ("Nov 20 2026 5pm", "2026-11-20T17:00:00+00:00"),
    ("20 November 2026 17:00 +08:00", "2026-11-20T09:00:00+00:00"),
    ("yesterday", "2026-11-25T00:00:00+00:00"),
])
def test_iso_and_written_dates_are_read_as_before(db, utc_local_time, typed, stored):
    ok(db, *ADD, "--amount", "5", "--received", typed)
    assert shown(db)["received_at"] == stored


@pytest.mark.parametrize("typed", ["2027-01-15", "2026-11-28", "tomorrow", "in 3d"])
def test_a_received_date_in_the_future_is_refused(db, typed):
    line = refused(db, *ADD, "--amount", "5", "--received", typed)
    assert "future" in line or "ahead" in line


def test_a_day_of_time_zone_slack_is_allowed(db, monkeypatch):
    # $DISPUTES_NOW is 2026-11-26 09:00 UTC: it is already the 27th in Auckland.
    ok(db, *ADD, "--amount", "5", "--received", "2026-11-27T06:00+13:00")


@pytest.mark.parametrize("typed, why", [("2026-12-01T18:00+25:00", "offset"), ("9999-01-01", "1970"),
                                        ("1969-12-31", "1970"), ("Dec 1 2026 5pm PST", "offset"),
                                        ("Dec 1 5pm", "year in full"), ("2026-02-30", "no such day")])
def test_offsets_and_years_out_of_range_are_one_line(db, typed, why):
    assert why in refused(db, "deadline", "D-0001", "--kind", "evidence_due", "--due", typed)


@pytest.mark.parametrize("typed, due", [
    ("in 3d", "2026-11-29T09:00:00+00:00"), ("+48h", "2026-11-28T09:00:00+00:00"),
    ("tomorrow", "2026-11-27T00:00:00+00:00"), ("mon 9am", "2026-11-30T09:00:00+00:00"),
    ("today 18:00", "2026-11-26T18:00:00+00:00"), ("Dec 1 2026 6pm +08:00", "2026-12-01T10:00:00+00:00"),
])
def test_relative_deadlines_count_from_the_store_clock(db, utc_local_time, typed, due):
    ok(db, "deadline", "D-0001", "--kind", "evidence_due", "--due", typed)
    got = [d for d in shown(db, "D-0001")["deadlines"] if d["kind"] == "evidence_due"][0]["due"]
    assert datetime.fromisoformat(got) == datetime.fromisoformat(due)


def test_snooze_reads_the_same_forms(db):
    ok(db, "snooze", "D-0001", "--until", "tomorrow 9am")
    assert shown(db, "D-0001")["snoozed_until"].startswith("2026-11-27")
    refused(db, "snooze", "D-0001", "--until", "01/02/03")


def test_show_says_the_zone_of_a_deadline_entered_elsewhere(db, utc_local_time):
    ok(db, "deadline", "D-0001", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00")
    assert "2026-12-01 18:00 +08:00" in ok(db, "show", "D-0001")
    ok(db, "deadline", "D-0001", "--kind", "local_one", "--due", "2026-12-02T18:00Z")
    assert "2026-12-02 18:00  " in ok(db, "show", "D-0001")  # the viewer's own zone: no suffix


# -- money ------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount, currency, why", [
    ("744.999", "USD", "at most 2 decimals"), ("100.50", "JPY", "no decimals"), ("1.2345", "KWD", "at most 3"),
    ("5", "XXQ", "ISO 4217"), ("5", "XAU", "ISO 4217"), ("12,50", "EUR", "ambiguous"),
    ("1,23.4", "USD", "threes"), ("1e999999999", "USD", "not a number"), ("NaN", "USD", "not a number"),
    ("Infinity", "USD", "not a number"), ("-5", "USD", "negative"), ("1000000000000.01", "USD", "more than"),
    ("１２", "USD", "not a number"), ("1_000", "USD", "not a number"),
])
def test_amounts_are_exact_in_their_own_currency(db, amount, currency, why):
    assert why in refused(db, *ADD, "--amount", amount, "--currency", currency)


@pytest.mark.parametrize("amount, currency, stored", [
    ("1,234.56", "USD", "1234.56"), ("1,234,567", "JPY", "1234567"), ("1.234", "KWD", "1.234"),
    ("100", "jpy", "100"), ("12.50", "EUR", "12.50"), ("744.990", "USD", "744.99"),
])
def test_good_amounts_are_kept_exactly(db, amount, currency, stored):
    ok(db, *ADD, "--amount", amount, "--currency", currency)
    got = shown(db)
    assert got["amount"] == stored and got["currency"] == currency.upper()


def test_an_offer_of_a_tenth_of_a_cent_is_impossible(db):
    assert "at most 2 decimals" in refused(db, "offer", "D-0001", "--from", "supplier", "--kind",
                                           "partial_refund", "--amount", "0.001")
    assert "at most 2 decimals" in refused(db, "move", "D-0001", "resolved", "--outcome",
                                           "partially_refunded", "--recovered", "0.001")
    ok(db, *ADD, "--amount", "5000", "--currency", "JPY")
    assert "no decimals" in refused(db, "offer", "D-0002", "--from", "supplier", "--kind",
                                    "partial_refund", "--amount", "100.50")


# -- poisoned imports (issue 8 item 5) --------------------------------------------------------
def _export(db: Path) -> dict:
    return orjson.loads(ok(db, "export").encode())


POISON = [
    ("deadline due null", lambda c: c["deadlines"].append({"kind": "evidence_due", "due": None}), "deadlines[0].due"),
    ("message at null", lambda c: c["messages"].append({"at": None, "from": "me", "text": "x"}), "messages[0].at"),
    ("year 9999", lambda c: c.update(received_at="9999-01-01T00:00:00+00:00"), "received_at"),
    ("title 5", lambda c: c.update(title=5), "title"),
    ("tags [1, 2]", lambda c: c.update(tags=[1, 2]), "tags"),
    ("offset_minutes 100000", lambda c: c["deadlines"].append(
        {"kind": "x", "due": "2026-12-01T00:00:00+00:00", "offset_minutes": 100000}), "deadlines[0].offset_minutes"),
    ("evidence path 5", lambda c: c["evidence"].append(
        {"path": 5, "kind": "photo", "added_at": "2026-11-20T00:00:00+00:00"}), "evidence[0].path"),
    ("amount 1e999999999", lambda c: c.update(amount="1e999999999"), "amount"),
    ("amount 744.999 USD", lambda c: c.update(amount="744.999"), "amount"),
    ("currency XXQ", lambda c: c.update(currency="XXQ"), "currency"),
    ("received in the future", lambda c: c.update(received_at="2027-01-15T00:00:00+00:00"), "received_at"),
    ("offset +25:00", lambda c: c.update(paid_at="2026-11-01T00:00:00+25:00"), "paid_at"),
    ("history undo not an object", lambda c: c["history"][0].update(undo={"title": 5}), "history[0].undo"),
    ("description of 200k", lambda c: c.update(description="x" * 200_000), "description"),
    ("missing supplier", lambda c: c.pop("supplier"), "supplier"),
]


@pytest.mark.parametrize("what, poison, field", POISON, ids=[p[0] for p in POISON])
def test_an_import_with_one_bad_case_is_refused_whole_naming_case_and_field(db, tmp_path, what, poison, field):
    doc = _export(db)
    good = dict(doc["cases"][0], id="D-0007")
    bad = json.loads(json.dumps(good))
    bad["id"] = "D-0008"
    poison(bad)
    doc["cases"] = [good, bad]
    f = tmp_path / "poison.json"
    f.write_bytes(orjson.dumps(doc))
    line = refused(db, "import", str(f))
    assert "case 2 (D-0008)" in line and field in line, line
    assert "D-0007" not in ok(db, "list")


def test_a_snapshot_valid_json_but_wrong_inside_is_a_damaged_database(db):
    ok(db, "list")
    # Fold the journal so the snapshot holds the case, then poison one field in place.
    from store import TinyStore
    from store.config import defaults
    s = TinyStore(db, cfg=defaults())
    s.storage.compact()
    s.close()
    blob = orjson.loads(db.read_bytes())
    blob["cases"]["1"]["deadlines"] = [{"kind": "evidence_due", "due": None}]
    db.write_bytes(orjson.dumps(blob))
    for args in (("list",), ("show", "D-0001"), ("digest",), ("export", "--format", "csv")):
        line = refused(db, *args, code=3)
        assert str(db) in line and "D-0001" in line and "deadlines[0].due" in line, line


def test_amounts_are_shown_with_their_own_currency_digits(db):
    ok(db, *ADD, "--amount", "1.234", "--currency", "KWD")
    ok(db, *ADD, "--amount", "5000", "--currency", "JPY")
    out = ok(db, "list")
    assert "1.234 KWD" in out and "5,000 JPY" in out and "5,000.00" not in out
