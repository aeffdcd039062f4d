"""Today's order within a reason: the nearer deadline first (issue 9, "The board says what it
knows"). ``store.query.today`` is shared by the board's Today screen and ``disputes digest``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

from store import TinyStore, ops
from store.model import Case
from store.query import today

from tests.support import NOW, ROOT



def make(n: int, amount: str, due_in: timedelta | None, **kw) -> Case:
    c = Case(id=f"D-{n:04d}", order=f"ORD-{n}", supplier=f"Supplier {n}", reason="damaged",
             amount=Decimal(amount), created_at=NOW - timedelta(days=10),
             stage_entered_at=NOW - timedelta(hours=1), stage="evidence", title=f"case {n}", **kw)
    if due_in is not None:
        ops.add_deadline(c, "reply_by", NOW + due_in, hard=False, note="answer the platform")
    return c


def waiting_on_me() -> list[Case]:
    # Big amounts due in 16 days, a small one due in 7 hours: all "waiting on me", no hard clock.
    return [make(1, "90000", timedelta(days=16)), make(2, "50000", timedelta(days=16, hours=3)),
            make(3, "20", timedelta(hours=7)), make(4, "70000", None)]


def test_within_waiting_on_me_the_nearer_deadline_comes_first(cfg):
    rows = today(waiting_on_me(), cfg, NOW)
    assert all(t.why == ("waiting on me",) for t in rows)
    assert [t.case.id for t in rows] == ["D-0003", "D-0001", "D-0002", "D-0004"]  # no deadline: last


def test_a_heavier_reason_still_comes_before_a_nearer_deadline(cfg):
    hard_passed = make(5, "10", None)
    ops.add_deadline(hard_passed, "evidence_due", NOW - timedelta(hours=2), hard=True)
    rows = today([*waiting_on_me(), hard_passed], cfg, NOW)
    assert rows[0].case.id == "D-0005" and rows[1].case.id == "D-0003"


def test_digest_lists_them_in_the_same_order(tmp_path, cfg):
    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(waiting_on_me())
    s.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPUTES_NOW": NOW.isoformat()}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "digest", "--json", "--db", str(db)],
                         capture_output=True, text=True, env=env, timeout=60, check=True)
    assert [r["id"] for r in json.loads(out.stdout)] == ["D-0003", "D-0001", "D-0002", "D-0004"]
