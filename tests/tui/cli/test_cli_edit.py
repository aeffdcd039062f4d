"""`disputes edit`: named fields only, --rev refuses a case changed since, bad values change nothing."""

from __future__ import annotations

import json

import pytest

from store import TinyStore, ops
from store.config import defaults
from tests.support import NOW

from tests.support.cli import ok, run, state



@pytest.fixture
def db(tmp_path):
    path = tmp_path / "e.json"
    ok(path, "add", "--order", "A-1", "--supplier", "Ningbo Brightway", "--reason", "damaged",
       "--amount", "900", "--title", "Cracked housings", "--product", "ABS housings")
    ok(path, "add", "--order", "AMZ-9", "--supplier", "Shop", "--reason", "not_received",
       "--amount", "40", "--platform", "amazon")
    return path


def _show(db, cid="D-0001"):
    return json.loads(ok(db, "show", cid, "--json"))


def test_edit_applies_only_the_named_fields(db):
    before = _show(db)
    out = ok(db, "edit", "D-0001", "--title", "Housings cracked in transit", "--claimed", "450.00",
             "--contact", "sales@nb.example", "--paid", "2026-11-01", "--priority", "3")
    assert out.strip() == "D-0001: changed title, contact, claimed, paid, priority (revision 2)"
    after = _show(db)
    assert after["title"] == "Housings cracked in transit" and after["claimed"] == "450.00"
    assert after["supplier_contact"] == "sales@nb.example" and after["priority"] == 3
    assert after["paid_at"].startswith("2026-11-01")
    for same in ("product", "amount", "order", "supplier", "reason", "currency", "received_at"):
        assert after[same] == before[same], same
    assert after["history"][-1]["action"] == "edit"
    assert "revision 2" in ok(db, "show", "D-0001")


def test_shipped_and_delivery_estimate_drive_amazons_90_days(db):
    ok(db, "edit", "D-0002", "--shipped", "2026-10-01T10:00Z", "--delivery-estimate", "2026-10-10T00:00Z")
    c = _show(db, "D-0002")
    assert c["shipped_at"] == "2026-10-01T10:00:00+00:00"
    window = [d for d in c["deadlines"] if d["kind"] == "protection_window"][0]
    assert window["due"].startswith("2027-01-08")  # 90 days from the latest delivery estimate


def test_rev_refuses_a_case_changed_since_naming_who_changed_what(db):
    rev = _show(db)["rev"]
    alice = TinyStore(db, cfg=defaults(), user="alice", clock=lambda: NOW)
    alice.update("D-0001", lambda c: ops.edit_fields(c, {"claimed": ops.parse_field("claimed", "300"),
                                                         "product": "Alice's product"}))
    alice.close()
    before = state(db)
    r = run(db, "edit", "D-0001", "--title", "Bob's title", "--product", "Bob's product", "--rev", str(rev))
    assert r.returncode == 4
    assert r.stderr.count("\n") == 1
    assert "alice changed product, claimed" in r.stderr and "you both changed product" in r.stderr
    assert f"--rev {rev + 1}" in r.stderr
    assert state(db) == before, "a refused edit wrote something"
    # again, against the revision the refusal named: only the named fields are written
    ok(db, "edit", "D-0001", "--title", "Bob's title", "--rev", str(rev + 1))
    c = _show(db)
    assert (c["title"], c["claimed"], c["product"]) == ("Bob's title", "300", "Alice's product")
    # without --rev: the latest revision, whatever it is
    ok(db, "edit", "D-0001", "--order", "A-1b")


@pytest.mark.parametrize("args, says", [
    (("--amount", "abc"), "not a number"),
    (("--amount", "-5"), "negative"),
    (("--claimed", "5000"), "more than the order amount"),
    (("--reason", "bored"), "unknown reason"),
    (("--platform", "ebay"), "unknown platform"),
    (("--received", "yesterdayish"), "received"),
    (("--priority", "urgent"), "priority"),
    (("--priority", "1000"), "priority"),
    (("--supplier", "  "), "supplier"),
    (("--currency", "dollars"), "currency"),
    (("--title", "Cracked housings"), "nothing changed"),
    ((), "nothing to change"),
])
def test_bad_values_are_refused_with_one_line_changing_nothing(db, args, says):
    before = state(db)
    r = run(db, "edit", "D-0001", *args)
    assert r.returncode in (1, 2), r.stdout
    assert says in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert r.stdout == ""
    assert state(db) == before


def test_unknown_case_and_real_process(db):
    r = run(db, "edit", "D-0099", "--title", "x")
    assert r.returncode == 1 and "no case D-0099" in r.stderr
    r = run(db, "edit", "D-0001", "--title", "Real process", "--rev", "1", real=True)
    assert r.returncode == 0, r.stderr
    assert _show(db)["title"] == "Real process"
