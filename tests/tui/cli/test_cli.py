"""The `disputes` command line as scripts use it: real processes on a real database file."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rich.cells import cell_len


from tests.support.cli import ok, run, state

REQUIRED = {"id", "title", "order", "supplier", "reason", "want", "amount", "currency", "platform", "stage",
            "stage_entered_at", "turn", "next_deadline", "messages", "evidence", "history", "outcome"}


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cases.json"
    ok(path, "add", "--order", "ORD-1", "--supplier", "Ningbo Brightway", "--reason", "damaged",
       "--amount", "1250.10", "--title", "Cracked housings", "--received", "2026-11-20T10:00+08:00")
    ok(path, "add", "--order", "ORD-2", "--supplier", "Yiwu Crafts", "--reason", "not_received",
       "--amount", "0.30", "--currency", "eur", "--platform", "paypal")
    return path


def test_add_prints_the_new_id_alone_and_ids_follow_on(db):
    out = ok(db, "add", "--order", "ORD-3", "--supplier", "S", "--reason", "quality", "--amount", "10")
    assert out == "D-0003\n"


def test_list_and_show_json_carry_the_contract_fields(db):
    cases = json.loads(ok(db, "list", "--json"))
    assert [c["id"] for c in cases] == ["D-0001", "D-0002"]
    for c in cases:
        assert REQUIRED <= c.keys()
    one = json.loads(ok(db, "show", "D-0001", "--json"))
    assert one["amount"] == "1250.10" and one["currency"] == "USD"
    assert cases[1]["amount"] == "0.30" and cases[1]["currency"] == "EUR"
    assert one["stage"] == "seller" and one["turn"] == "me"
    # the received date was typed in UTC+8 and is kept as the same instant
    assert one["received_at"] == "2026-11-20T02:00:00+00:00"
    nd = one["next_deadline"]
    assert nd is not None and {"kind", "due", "hard"} <= nd.keys()
    assert "+00:00" in one["stage_entered_at"]


def test_a_new_case_already_has_a_clock(db):
    one = json.loads(ok(db, "show", "D-0001", "--json"))
    kinds = {d["kind"] for d in one["deadlines"]}
    assert {"protection_window", "seller_followup"} <= kinds
    pw = next(d for d in one["deadlines"] if d["kind"] == "protection_window")
    assert pw["hard"] is True and pw["due"].startswith("2026-12-20T02:00")


def test_list_filters_by_stage(db):
    ok(db, "move", "D-0002", "dispute")
    ids = [c["id"] for c in json.loads(ok(db, "list", "--stage", "dispute", "--json"))]
    assert ids == ["D-0002"]


def test_log_changes_whose_turn_and_is_recorded_with_the_user(db):
    ok(db, "log", "D-0001", "--from", "me", "Cartons", "crushed,", "photos", "attached")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["turn"] == "supplier"
    assert c["messages"][-1]["text"] == "Cartons crushed, photos attached"
    ok(db, "log", "D-0001", "--from", "supplier", "-", stdin="We will check\nwith the warehouse\n")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["turn"] == "me" and c["messages"][-1]["text"] == "We will check\nwith the warehouse"
    assert c["history"][-1]["user"] and c["history"][-1]["action"] == "message"


def test_move_to_resolved_records_outcome_and_amount(db):
    ok(db, "move", "D-0001", "dispute")
    ok(db, "move", "D-0001", "resolved", "--outcome", "partially_refunded", "--recovered", "600.05")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["stage"] == "resolved" and c["outcome"] == "partially_refunded" and c["recovered"] == "600.05"
    assert [h["action"] for h in c["history"]] == ["create", "move", "move"]


def test_attach_records_size_and_sha256(db, tmp_path):
    f = tmp_path / "photo 1.jpg"
    f.write_bytes(b"\xff\xd8" + os.urandom(5000))
    ok(db, "attach", "D-0001", str(f), "--kind", "photo", "--note", "carton 3")
    e = json.loads(ok(db, "show", "D-0001", "--json"))["evidence"][0]
    assert e["size"] == 5002 and e["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert e["kind"] == "photo" and e["note"] == "carton 3" and e["path"] == str(f)
    f.write_bytes(b"changed")
    assert "changed" in ok(db, "show", "D-0001")


REFUSALS = [
    ("show", "D-0099"),
    ("log", "D-0099", "--from", "me", "hello"),
    ("move", "D-0099", "dispute"),
    ("move", "D-0001", "limbo"),
    ("move", "D-0001", "seller"),
    ("move", "D-0001", "resolved"),
    ("move", "D-0001", "resolved", "--outcome", "refunded", "--recovered", "-5"),
    ("move", "D-0001", "resolved", "--outcome", "won"),
    ("log", "D-0001", "--from", "boss", "hello"),
    ("log", "D-0001", "--from", "me", "   "),
    ("add", "--order", "O", "--supplier", "S", "--reason", "bored", "--amount", "5"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "-5"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "12,5x"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "NaN"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5", "--received", "31/31/2026"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5", "--want", "revenge"),
    ("add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5", "--currency", "dollars"),
    ("add", "--order", "  ", "--supplier", "S", "--reason", "damaged", "--amount", "5"),
    ("add", "--supplier", "S", "--reason", "damaged", "--amount", "5"),
    ("attach", "D-0001", "/no/such/file.jpg"),
    ("attach", "D-0001", "/etc/hostname", "--kind", "selfie"),
    ("list", "--stage", "limbo"),
    ("list", "--at", "yesterday-ish"),
    ("import", "/no/such/export.json"),
    ("frobnicate",),
]


@pytest.mark.parametrize("args", REFUSALS, ids=lambda a: " ".join(a))
def test_bad_input_says_one_line_and_changes_nothing(db, args):
    before = state(db)
    r = run(db, *args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and lines[0].startswith("disputes")
    assert state(db) == before


def test_bad_input_on_a_new_path_creates_no_database(tmp_path):
    path = tmp_path / "fresh.json"
    r = run(path, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "abc")
    assert r.returncode == 1 and not path.exists()
    r = run(path, "log", "D-0001", "--from", "me", "hi")
    assert r.returncode == 1 and not path.exists()
    r = run(path, "list")  # a --db that names nothing is refused (issue 9), and still not created
    assert r.returncode == 1 and str(path) in r.stderr and not path.exists()


def test_damaged_database_is_named_and_left_alone(db):
    db.write_bytes(db.read_bytes()[:-7] + b"garbage")
    before = state(db)
    r = run(db, "list", real=True)
    assert r.returncode == 3 and str(db) in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(db, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5")
    assert r.returncode == 3
    assert state(db) == before


def test_export_then_import_loses_nothing(db, tmp_path):
    ok(db, "log", "D-0001", "--from", "supplier", "Ready to refund 40%")
    ok(db, "move", "D-0002", "dispute")
    out = tmp_path / "export.json"
    ok(db, "export", "--output", str(out))
    other = tmp_path / "other.json"
    assert ok(other, "import", str(out)) == "imported 2 cases\n"
    a = json.loads(ok(db, "list", "--json"))
    b = json.loads(ok(other, "list", "--json"))
    for x, y in zip(a, b, strict=True):
        hx, hy = x.pop("history"), y.pop("history")
        x.pop("rev"), y.pop("rev")
        assert x == y
        assert hy[:-1] == hx and hy[-1]["action"] == "import"
    # the next new case does not reuse an imported id
    assert ok(other, "add", "--order", "X", "--supplier", "S", "--reason", "other", "--amount", "1") == "D-0003\n"


def test_import_is_all_or_nothing(db, tmp_path):
    out = tmp_path / "export.json"
    ok(db, "export", "--output", str(out))
    other = tmp_path / "other.json"
    ok(other, "add", "--order", "X", "--supplier", "S", "--reason", "other", "--amount", "1")  # takes D-0001
    before = state(other)
    r = run(other, "import", str(out))
    assert r.returncode == 1 and "D-0001" in r.stderr and "nothing imported" in r.stderr
    assert state(other) == before
    doc = json.loads(out.read_text())
    doc["cases"][1]["reason"] = "vibes"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    fresh = tmp_path / "fresh.json"
    r = run(fresh, "import", str(bad))
    assert r.returncode == 1 and "D-0002" in r.stderr and "vibes" in r.stderr
    assert not fresh.exists()


def test_csv_export_keeps_spreadsheet_formulas_inert(tmp_path):
    db = tmp_path / "c.json"
    ok(db, "add", "--order", "=HYPERLINK(\"http://x\")", "--supplier", "@evil", "--reason", "other", "--amount", "3")
    text = ok(db, "export", "--format", "csv")
    header, row = text.splitlines()[:2]
    assert header.startswith("id,stage,turn")
    assert "'=HYPERLINK" in row and "'@evil" in row


def test_hostile_text_never_reaches_the_terminal(tmp_path):
    db = tmp_path / "h.json"
    evil = "ACME \x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07 \u202eevil[/b] [@click=app.quit]x[/]"
    ok(db, "add", "--order", "O-1", "--supplier", evil, "--reason", "other", "--amount", "3", "--title", evil)
    ok(db, "log", "D-0001", "--from", "supplier", evil)
    for args in (("list",), ("show", "D-0001")):
        out = ok(db, *args, real=True)
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "[@click=app.quit]x[/]" in out or args == ("list",)
    # the data itself is kept exactly as typed
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["supplier"] == evil and c["messages"][0]["text"] == evil


def test_list_fits_80_columns_with_wide_names(tmp_path):
    db = tmp_path / "w.json"
    ok(db, "add", "--order", "1", "--supplier", "杭州优品贸易有限公司杭州优品贸易有限公司", "--reason", "other",
       "--amount", "123456.78", "--title", "🎁 礼品盒 damaged in transit, all 40 cartons")
    ok(db, "add", "--order", "2", "--supplier", "Plain Supplier Ltd", "--reason", "other", "--amount", "1")
    lines = ok(db, "list").splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [cell_len(x) for x in lines]
    assert lines[1].startswith("D-0001") and "123,456.78 USD" in lines[1]


def test_at_evaluates_clocks_at_another_instant(db):
    later = json.loads(ok(db, "--at", "2026-12-25T00:00Z", "show", "D-0001", "--json"))
    assert later["urgency"] == "overdue"


def test_two_processes_adding_at_once_never_share_an_id(tmp_path):
    db = tmp_path / "busy.json"
    assert run(db, "list").returncode == 1 and not db.exists()  # not there yet: the adds race to create it

    def add(i):
        return run(db, "add", "--order", f"P{i}", "--supplier", "S", "--reason", "other", "--amount", "1",
                   real=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(add, range(16)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    ids = [r.stdout.strip() for r in results]
    assert len(set(ids)) == 16
    listed = json.loads(ok(db, "list", "--json"))
    assert sorted(c["id"] for c in listed) == sorted(ids)


def test_demo_fills_a_database_with_real_evidence_files(tmp_path):
    db = tmp_path / "demo.json"
    out = ok(db, "demo", "--cases", "24")
    assert out.startswith("added 24 sample cases")
    cases = json.loads(ok(db, "list", "--json"))
    assert len(cases) == 24 and {c["stage"] for c in cases} >= {"seller", "dispute"}
    paths = [Path(e["path"]) for c in cases for e in c["evidence"]]
    present = [p for p in paths if p.exists()]
    # every file is there but one per twelve cases, left missing on purpose to show the marker
    assert len(paths) - len(present) == 2
    for c in cases:
        for e in c["evidence"]:
            p = Path(e["path"])
            if p.exists():
                assert hashlib.sha256(p.read_bytes()).hexdigest() == e["sha256"]


def test_the_clock_seam_dates_writes_and_reads_alike(tmp_path, monkeypatch):
    """$DISPUTES_NOW fixes "now" for writes and reads in a real process: a test written today
    still passes next month (the digest test failed from 2026-12-01 when writes used the wall
    clock and reads a fixed --at)."""
    db = tmp_path / "c.json"
    monkeypatch.setenv("DISPUTES_NOW", "2031-03-04T05:06:07+08:00")
    run(db, "add", "--order", "A-1", "--supplier", "S", "--reason", "damaged", "--amount", "5", real=True)
    c = json.loads(run(db, "show", "D-0001", "--json", real=True).stdout)
    assert c["created_at"] == c["stage_entered_at"] == "2031-03-03T21:06:07+00:00"
    assert c["history"][0]["at"] == "2031-03-03T21:06:07+00:00"
    monkeypatch.setenv("DISPUTES_NOW", "yesterday-ish")
    r = run(db, "list", real=True)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip().splitlines() == ["disputes: $DISPUTES_NOW='yesterday-ish' is not an ISO 8601 instant "
                                             "like 2026-11-26T09:00Z"]


@pytest.mark.parametrize("argv, said", [
    (["nosuch"], "disputes: argument COMMAND: invalid choice: 'nosuch' (choose from 'add', "),
    (["show"], "disputes: show: the following arguments are required: id (see disputes show --help)"),
    (["digest", "--limit", "x"], "disputes: digest: argument --limit: "),
])
def test_a_usage_mistake_names_the_command_once_and_the_help_to_read(db, argv, said):
    """Seen: `disputes show` said "disputes: disputes show: the following arguments are required: id
    (see --help)": the program named twice, and a --help that, run as written, lists every command."""
    before = state(db)
    r = run(db, *argv)
    assert r.returncode == 2 and r.stdout == "" and state(db) == before
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(said), r.stderr
    assert not r.stderr.startswith("disputes: disputes")
    sub = argv[0] if argv[0] != "nosuch" else ""
    assert r.stderr.rstrip().endswith(f"(see disputes {sub + ' ' if sub else ''}--help)")
