"""`disputes edit` reads dates with the same reader as `add`: the configured order, and never a
received date in the future (seen: edit accepted what add refused)."""

from __future__ import annotations

import json

from tests.support.cli import ok, run


def _case(db):
    ok(db, "add", "--order", "A-1", "--supplier", "S", "--reason", "damaged", "--amount", "5")


def test_edit_refuses_a_future_received_date_and_slash_dates(tmp_path):
    db = tmp_path / "e.json"
    _case(db)
    before = db.read_bytes()
    for value in ("2027-01-15", "01/12/2026"):
        r = run(db, "edit", "D-0001", "--received", value)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert db.read_bytes() == before
    ok(db, "edit", "D-0001", "--delivery-estimate", "2026-12-20")  # an estimate may lie ahead


def test_edit_reads_the_configured_date_order(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[input]\ndate_order = "DMY"\n')
    monkeypatch.setenv("DISPUTES_CONFIG", str(cfg))
    db = tmp_path / "e.json"
    _case(db)
    ok(db, "edit", "D-0001", "--received", "01/11/2026")
    assert json.loads(ok(db, "show", "D-0001", "--json"))["received_at"].startswith("2026-11-01")
