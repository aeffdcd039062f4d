"""`disputes import` for CSV files: the board's own export read back, a PayPal activity download,
any export with --map. Real processes, real files written here, hostile cells too."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.support.cli import ok, run, state

PAYPAL_HEADER = ["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
                 "From Email Address", "To Email Address", "Transaction ID", "Item Title", "Invoice Number",
                 "Balance Impact"]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = True, delimiter: str = ",") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8"))
    return path


def cases(db: Path) -> list[dict]:
    return json.loads(ok(db, "list", "--json"))


def paypal_file(tmp_path: Path, rows=None, name="activity.csv") -> Path:
    rows = rows if rows is not None else [
        # a European download: day first, decimal commas, thousands dots
        ["31.10.2026", "14:05:09", "CET", "Shenzhen Topfly Electronics", "Express Checkout Payment", "Completed",
         "EUR", "-1.234,56", "0,00", "-1.234,56", "me@example.com", "sales@topfly.example", "5TY12345AB678901C",
         "Bluetooth speakers, 500 pcs", "INV-77", "Debit"],
        ["02.11.2026", "09:00:00", "CET", "Yiwu Crafts", "General Payment", "Completed",
         "EUR", "-89,90", "0,00", "-89,90", "me@example.com", "", "8AB23456CD789012E", "", "", "Debit"],
        # not purchases: money in, a conversion, a pending payment
        ["03.11.2026", "10:00:00", "CET", "A Customer", "Express Checkout Payment", "Completed",
         "EUR", "250,00", "-7,50", "242,50", "c@example.com", "me@example.com", "9XY", "", "", "Credit"],
        ["03.11.2026", "10:00:01", "CET", "", "General Currency Conversion", "Completed",
         "EUR", "-100,00", "0,00", "-100,00", "", "", "1CV", "", "", "Debit"],
        ["04.11.2026", "11:00:00", "CET", "Slow Seller", "Express Checkout Payment", "Pending",
         "EUR", "-10,00", "0,00", "-10,00", "", "", "2PD", "", "", "Debit"],
    ]
    return write_csv(tmp_path / name, PAYPAL_HEADER, rows)


# -- the board's own CSV --------------------------------------------------------------------------------
def test_board_csv_round_trip_keeps_everything_the_csv_holds(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    ok(a, "add", "--order", "=HYPERLINK(\"http://x\")", "--supplier", "+Ningbo, \"Brightway\"", "--reason",
       "damaged", "--amount", "1250.10", "--claimed", "600", "--title", "-Cracked housings\nsecond line",
       "--platform", "aliexpress")
    ok(a, "deadline", "D-0001", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00")
    ok(a, "tag", "D-0001", "urgent", "b2b")
    ok(a, "add", "--order", "ORD-2", "--supplier", "Yiwu 义乌 Crafts", "--reason", "not_received",
       "--amount", "0.30", "--currency", "eur", "--platform", "paypal")
    ok(a, "move", "D-0002", "resolved", "--outcome", "partially_refunded", "--recovered", "0.10")
    ok(a, "add", "--order", "ORD-3", "--supplier", "S", "--reason", "quality", "--amount", "10")
    ok(a, "deadline", "D-0003", "--kind", "evidence_due", "--due", "2026-11-27T10:00+08:00")
    exported = tmp_path / "a.csv"
    ok(a, "export", "--format", "csv", "--output", str(exported))
    assert "'=HYPERLINK" in exported.read_text()  # the guard is there in the file

    r = run(b, "import", str(exported), real=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("imported 3 cases (D-0001..D-0003)")
    again = tmp_path / "b.csv"
    ok(b, "export", "--format", "csv", "--output", str(again))
    assert again.read_text() == exported.read_text()  # every cell, the guard and next deadline included

    got = {c["id"]: c for c in cases(b)}
    assert got["D-0001"]["order"] == "=HYPERLINK(\"http://x\")"  # the guard undone on read
    assert got["D-0001"]["supplier"] == "+Ningbo, \"Brightway\""
    assert got["D-0001"]["tags"] == ["urgent", "b2b"]
    assert got["D-0002"]["recovered"] == "0.10" and got["D-0002"]["outcome"] == "partially_refunded"
    three = json.loads(ok(b, "show", "D-0003", "--json"))
    assert three["next_deadline"] == {"kind": "evidence_due", "due": "2026-11-27T10:00:00+08:00", "hard": True,
                                      "label": "evidence due"}

    # twice: nothing added, nothing written
    before = state(b)
    r = run(b, "import", str(exported), real=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "imported 0 cases; skipped 3 already there"
    assert state(b) == before


def test_board_csv_with_an_id_taken_by_another_order_is_refused(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    ok(a, "add", "--order", "ORD-1", "--supplier", "S", "--reason", "quality", "--amount", "10")
    ok(b, "add", "--order", "OTHER", "--supplier", "T", "--reason", "quality", "--amount", "10")
    exported = tmp_path / "a.csv"
    ok(a, "export", "--format", "csv", "--output", str(exported))
    before = state(b)
    r = run(b, "import", str(exported), real=True)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "D-0001 is already in the database" in r.stderr
    assert state(b) == before


# -- PayPal ---------------------------------------------------------------------------------------------
def test_paypal_payments_sent_become_cases_with_their_paid_date(tmp_path):
    db = tmp_path / "db.json"
    f = paypal_file(tmp_path)
    dry = run(db, "import", "--from", "paypal", str(f), "--dry-run", real=True)
    assert dry.returncode == 0, dry.stderr
    assert "5TY12345AB678901C" in dry.stdout and "1234.56 EUR" in dry.stdout
    assert "would add 2 cases; skipped 0 already there; 3 rows not chosen" in dry.stdout
    assert not db.exists()  # a dry run writes nothing, not even an empty database

    r = run(db, "import", "--from", "paypal", str(f), real=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("imported 2 cases (D-0001..D-0002)")
    got = cases(db)
    top = json.loads(ok(db, "show", "D-0001", "--json"))
    assert top["platform"] == "paypal" and top["order"] == "5TY12345AB678901C"
    assert top["amount"] == "1234.56" and top["currency"] == "EUR"
    assert top["paid_at"] == "2026-10-31T13:05:09+00:00"  # 14:05:09 CET
    assert top["supplier"] == "Shenzhen Topfly Electronics" and top["title"] == "Bluetooth speakers, 500 pcs"
    assert top["next_deadline"]["kind"] in ("protection_window", "seller_followup")
    assert any(d["kind"] == "protection_window" and d["due"].startswith("2027-04-29") for d in top["deadlines"])
    assert [c["supplier"] for c in got] == ["Shenzhen Topfly Electronics", "Yiwu Crafts"]

    before = state(db)
    r = run(db, "import", "--from", "paypal", str(f), real=True)
    assert r.returncode == 0 and "imported 0 cases; skipped 2 already there" in r.stdout
    assert state(db) == before

    # --status brings in the pending one too; the two already there are skipped
    r = run(db, "import", "--from", "paypal", str(f), "--status", "Completed", "--status", "Pending", real=True)
    assert r.returncode == 0, r.stderr
    assert "imported 1 case (D-0003); skipped 2 already there" in r.stdout


def test_paypal_type_filter(tmp_path):
    db = tmp_path / "db.json"
    r = run(db, "import", "--from", "paypal", str(paypal_file(tmp_path)), "--type", "General Payment",
            "--dry-run", real=True)
    assert r.returncode == 0, r.stderr
    assert "8AB23456CD789012E" in r.stdout and "5TY" not in r.stdout


def test_paypal_ambiguous_dates_need_the_date_order(tmp_path):
    db = tmp_path / "db.json"
    rows = [["01/02/2026", "10:00:00", "PST", "Seller A", "General Payment", "Completed", "USD", "-1,234.00",
             "0", "-1,234.00", "", "", "TXA", "", "", "Debit"],
            ["03/04/2026", "10:00:00", "PDT", "Seller B", "General Payment", "Completed", "USD", "-5.00",
             "0", "-5.00", "", "", "TXB", "", "", "Debit"]]
    f = paypal_file(tmp_path, rows)
    r = run(db, "import", "--from", "paypal", str(f), real=True)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "--date-order" in r.stderr and not db.exists()

    r = run(db, "import", "--from", "paypal", str(f), "--date-order", "MDY", real=True)
    assert r.returncode == 0, r.stderr
    got = {c["order"]: c for c in cases(db)}
    assert got["TXA"]["amount"] == "1234.00"
    assert json.loads(ok(db, "show", got["TXA"]["id"], "--json"))["paid_at"] == "2026-01-02T18:00:00+00:00"
    assert json.loads(ok(db, "show", got["TXB"]["id"], "--json"))["paid_at"] == "2026-03-04T17:00:00+00:00"


# -- any other export, by --map ------------------------------------------------------------------------------
def test_map_reads_an_alibaba_style_export(tmp_path):
    db = tmp_path / "db.json"
    header = ["Order No.", "Supplier Name", "Order Amount", "Currency", "Payment Time", "Product"]
    rows = [["1653 0318 5823", "Ningbo Brightway", "US$ 1,250.10".replace("US$ ", ""), "USD", "2026-11-02 10:00:00",
             "Ceramic mugs"],
            ["2653031858230", "Yiwu Crafts", "980", "usd", "2026-11-03 23:30:00", "Tote bags"]]
    f = write_csv(tmp_path / "orders.csv", header, rows, bom=False, delimiter=";")
    spec = "order=Order No.,supplier=Supplier Name,amount=Order Amount,currency=Currency,paid=Payment Time," \
           "product=Product"
    r = run(db, "import", "--map", spec, str(f), real=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("imported 2 cases (D-0001..D-0002)")
    one = json.loads(ok(db, "show", "D-0001", "--json"))
    assert one["order"] == "1653 0318 5823" and one["amount"] == "1250.10" and one["platform"] == "alibaba"
    assert one["paid_at"] == "2026-11-02T02:00:00+00:00"  # Beijing time, the Alibaba profile's zone
    assert one["title"] == "Ceramic mugs"
    before = state(db)
    r = run(db, "import", "--map", spec, str(f), real=True)
    assert "imported 0 cases; skipped 2 already there" in r.stdout and state(db) == before

    # new ids follow the database's
    ok(db, "add", "--order", "X", "--supplier", "S", "--reason", "quality", "--amount", "1")
    rows.append(["NEW-1", "Third", "5", "USD", "2026-11-04 10:00:00", "Pens"])
    write_csv(f, header, rows, bom=False, delimiter=";")
    r = run(db, "import", "--map", spec, str(f), real=True)
    assert "imported 1 case (D-0004); skipped 2 already there" in r.stdout


def test_map_unknown_column_is_one_line(tmp_path):
    db = tmp_path / "db.json"
    f = write_csv(tmp_path / "o.csv", ["Order", "Seller", "Total"], [["1", "S", "2"]])
    r = run(db, "import", "--map", "order=Order,supplier=Vendor,amount=Total", str(f), real=True)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "no column 'Vendor'" in r.stderr and "'Seller'" in r.stderr
    assert not db.exists()


# -- hostile cells: one line, nothing written ------------------------------------------------------------------
HOSTILE = [
    ("control", ["ORD-9", "Evil\x1b]52;c;ZWNobyBwd25lZA==\x07 Co", "10", "2026-11-02"], "control character"),
    ("bidi", ["ORD-9", "Seller \u202eevil", "10", "2026-11-02"], "control character"),
    ("huge", ["ORD-9", "S", "9" * 40, "2026-11-02"], "amount too large"),
    ("exponent", ["ORD-9", "S", "1e999999", "2026-11-02"], "not an amount"),
    ("negative-text", ["ORD-9", "S", "NaN", "2026-11-02"], "not an amount"),
    ("bad-date", ["ORD-9", "S", "10", "2026-02-30"], "not a date"),
    ("far-date", ["ORD-9", "S", "10", "9999-01-01"], "out of range"),
    ("empty-order", ["", "S", "10", "2026-11-02"], "order number is empty"),
]


@pytest.mark.parametrize("label,bad,expect", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_cell_refuses_the_whole_file(tmp_path, label, bad, expect):
    db = tmp_path / "db.json"
    ok(db, "add", "--order", "KEEP", "--supplier", "S", "--reason", "quality", "--amount", "1")
    header = ["Order", "Seller", "Total", "Paid"]
    f = write_csv(tmp_path / "o.csv", header, [["ORD-1", "Fine", "5", "2026-11-01"], bad])
    before = state(db)
    r = run(db, "import", "--map", "order=Order,supplier=Seller,amount=Total,paid=Paid", str(f), real=True)
    assert r.returncode == 1, r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and expect in r.stderr, r.stderr
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr
    assert "row 3" in r.stderr or "o.csv" in r.stderr
    assert state(db) == before


def test_formula_cells_are_stored_as_text_and_guarded_again_on_export(tmp_path):
    db = tmp_path / "db.json"
    f = write_csv(tmp_path / "o.csv", ["Order", "Seller", "Total"], [["@SUM(A1)", "=cmd|'/c calc'!A1", "5"]])
    r = run(db, "import", "--map", "order=Order,supplier=Seller,amount=Total", str(f), real=True)
    assert r.returncode == 0, r.stderr
    c = cases(db)[0]
    assert c["supplier"] == "=cmd|'/c calc'!A1" and c["order"] == "@SUM(A1)"
    out = ok(db, "export", "--format", "csv")
    assert "'=cmd|" in out and "'@SUM" in out


def test_not_utf8_and_not_csv_are_one_line(tmp_path):
    db = tmp_path / "db.json"
    f = tmp_path / "latin.csv"
    f.write_bytes("Order,Seller,Total\r\nA,Caf\u00e9,5\r\n".encode("latin-1"))
    r = run(db, "import", "--map", "order=Order,supplier=Seller,amount=Total", str(f), real=True)
    assert r.returncode == 1 and "not UTF-8" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(db, "import", str(f), real=True)  # a CSV that is not the board's, no --map
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert not db.exists()


def test_json_import_still_works_and_has_a_dry_run(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    ok(a, "add", "--order", "ORD-1", "--supplier", "S", "--reason", "quality", "--amount", "10")
    exported = tmp_path / "export.json"
    ok(a, "export", "--output", str(exported))
    r = run(b, "import", str(exported), "--dry-run", real=True)
    assert r.returncode == 0 and "would import 1 case" in r.stdout and not b.exists()
    assert ok(b, "import", str(exported)).strip() == "imported 1 case"


MAP_ARGS = ["--map", "order=Order,supplier=Supplier,amount=Amount,currency=Currency"]


def test_an_amount_a_three_decimal_currency_can_read_two_ways_is_refused_until_the_mark_is_named(tmp_path):
    """Tried as a buyer: a file whose only amount is "10.125 KWD" (Kuwaiti dinars have three
    decimals) was imported as 10125 KWD, a thousand times the claim: with no amount showing the
    file's decimal mark, a lone separator before three digits was taken to group thousands.
    Where the currency can have three decimals both readings are money: the import is refused
    in one line, and --decimal-mark says which the file means."""
    db = tmp_path / "d.json"
    f = write_csv(tmp_path / "orders.csv", ["Order", "Supplier", "Amount", "Currency"],
                  [["K-1", "Gulf Trading", "10.125", "KWD"]])
    r = run(db, "import", str(f), *MAP_ARGS)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "10.125" in r.stderr and "10125" in r.stderr and "--decimal-mark" in r.stderr
    assert not db.exists()
    ok(db, "import", str(f), *MAP_ARGS, "--decimal-mark", ".")
    assert [(c["amount"], c["currency"]) for c in cases(db)] == [("10.125", "KWD")]
    db2 = tmp_path / "d2.json"
    ok(db2, "import", str(f), *MAP_ARGS, "--decimal-mark", ",")
    assert [(c["amount"], c["currency"]) for c in cases(db2)] == [("10125", "KWD")]


def test_where_only_one_reading_is_money_the_amount_is_read_so(tmp_path):
    """US dollars have two decimals, so "1.234 USD" can only be 1,234 written the European way;
    and another amount in the file that shows its decimals ("89.90") settles the mark for all."""
    db = tmp_path / "d.json"
    f = write_csv(tmp_path / "orders.csv", ["Order", "Supplier", "Amount", "Currency"],
                  [["U-1", "Acme", "1.234", "USD"]])
    ok(db, "import", str(f), *MAP_ARGS)
    assert [c["amount"] for c in cases(db)] == ["1234"]
    db2 = tmp_path / "d2.json"
    f2 = write_csv(tmp_path / "orders2.csv", ["Order", "Supplier", "Amount", "Currency"],
                   [["K-1", "Gulf Trading", "10.125", "KWD"], ["K-2", "Gulf Trading", "89.90", "KWD"]])
    ok(db2, "import", str(f2), *MAP_ARGS)
    assert sorted(c["amount"] for c in cases(db2)) == ["10.125", "89.90"]
