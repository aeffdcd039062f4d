"""The query language and the one urgency order, on constructed cases at fixed instants."""

from __future__ import annotations

from tests.support import NOW  # noqa: F401 - the one instant every test uses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from store import ops
from store.model import Case, Message
from store.query import Context, QueryError, parse, today, triage

CST = timezone(timedelta(hours=8))


def make(n: int, **kw) -> Case:
    base = dict(id=f"D-{n:04d}", order=f"ORD-{n}", supplier="Qingdao Harbor Tools", reason="damaged",
                amount=Decimal("100"), created_at=NOW - timedelta(days=10),
                stage_entered_at=NOW - timedelta(hours=1), title=f"case {n}")
    base.update(kw)
    return Case(**base)


def ids(cases, q, cfg, user="li"):
    pred = parse(q)
    ctx = Context(NOW, cfg, user)
    return [c.id for c in cases if pred(c, ctx)]


@pytest.fixture
def cases():
    a = make(1, stage="dispute", opened_at=NOW - timedelta(days=1), amount=Decimal("900"),
             supplier="Ningbo Bright", tags=["urgent"], owner="li", platform="paypal")
    b = make(2, stage="seller", supplier="Shenzhen Topfly", amount=Decimal("40"))
    c = make(3, stage="evidence", amount=Decimal("501"), owner="wang")
    ops.add_deadline(c, "evidence_due", datetime(2026, 11, 27, 18, 0, tzinfo=CST), True)  # in 25 h
    d = make(4, stage="dispute", opened_at=NOW - timedelta(days=5))  # supplier silent 5 days
    return [a, b, c, d]


def test_terms_combine_with_and(cases, cfg):
    assert ids(cases, "stage:dispute", cfg) == ["D-0001", "D-0004"]
    assert ids(cases, "stage:dispute amount>500", cfg) == ["D-0001"]
    assert ids(cases, "amount>500", cfg) == ["D-0001", "D-0003"]
    assert ids(cases, "amount<=40", cfg) == ["D-0002"]
    assert ids(cases, "supplier:ningbo tag:urgent owner:li platform:paypal", cfg) == ["D-0001"]
    assert ids(cases, "owner:me", cfg, user="wang") == ["D-0003"]
    assert ids(cases, "turn:me", cfg) == ["D-0002", "D-0003"]
    assert ids(cases, "-stage:dispute", cfg) == ["D-0002", "D-0003"]


def test_durations_flags_and_free_words(cases, cfg):
    assert ids(cases, "hard<2d", cfg) == ["D-0003"]
    assert ids(cases, "hard<1d", cfg) == []
    assert ids(cases, "due<2d", cfg) == ["D-0002", "D-0003", "D-0004"]  # overdue counts as due
    assert ids(cases, "due>2d", cfg) == ["D-0001"]
    assert ids(cases, "unresponsive", cfg) == ["D-0004"]
    assert ids(cases, "overdue", cfg) == ["D-0004"]
    assert ids(cases, "topfly", cfg) == ["D-0002"]
    assert ids(cases, 'supplier:"ningbo bright"', cfg) == ["D-0001"]
    assert ids(cases, "ORD-3", cfg) == ["D-0003"]


@pytest.mark.parametrize("q, where, what", [
    ("stag:dispute", "column 1", "unknown field"),
    ("stage:limbo", "column 1", "not one of"),
    ("turn:me due<3x", "column 9", "not a duration"),
    ("amount>lots", "column 1", "not a number"),
    ("amount>500 supplier<3", "column 12", "takes ':'"),
    ("due:3d", "column 1", "duration"),
    ('supplier:"open', "column 1", "unclosed quote"),
    ('overdue "unclosed', "column 9", "unclosed quote"),
])
def test_a_bad_query_says_what_and_where(q, where, what):
    with pytest.raises(QueryError) as err:
        parse(q)
    assert where in str(err.value) and what in str(err.value)


def test_the_urgency_order(cfg):
    overdue_hard = make(1, stage="evidence")
    ops.add_deadline(overdue_hard, "evidence_due", NOW - timedelta(hours=3), True)
    hard_soon = make(2, stage="evidence", amount=Decimal("5"))
    ops.add_deadline(hard_soon, "evidence_due", NOW + timedelta(hours=30), True)
    hard_soon.messages.append(Message(NOW - timedelta(minutes=5), "me", "uploaded"))  # not my turn now
    mine = make(3, stage="seller", amount=Decimal("10"))
    silent = make(4, stage="dispute", opened_at=NOW - timedelta(days=4), amount=Decimal("99999"))
    calm = make(5, stage="dispute", opened_at=NOW - timedelta(hours=2))
    order = [t.case.id for t in today([calm, silent, mine, hard_soon, overdue_hard], cfg, NOW)]
    assert order == ["D-0001", "D-0002", "D-0003", "D-0004"]  # calm D-0005 needs nothing today
    why = dict((t.case.id, " / ".join(t.why)) for t in today([silent, overdue_hard], cfg, NOW))
    assert "escalate" in why["D-0004"]
    assert "hard deadline passed" in why["D-0001"]


def test_amount_and_days_in_stage_break_ties(cfg):
    small = make(1, stage="seller", amount=Decimal("50"))
    big = make(2, stage="seller", amount=Decimal("50000"))
    old = make(3, stage="seller", amount=Decimal("50"), stage_entered_at=NOW - timedelta(hours=40))
    order = [t.case.id for t in today([small, big, old], cfg, NOW)]
    # old's follow-up is due first (nearer deadline first, issue 9); small and big share a
    # deadline, and the amount breaks that tie.
    assert order == ["D-0003", "D-0002", "D-0001"]


def test_weights_come_from_the_config(cfg):
    from store.config import Config
    flipped = Config({**cfg.data, "triage": {**cfg.data["triage"], "my_turn": 5000}}, None)
    overdue_hard = make(1, stage="evidence")
    ops.add_deadline(overdue_hard, "evidence_due", NOW - timedelta(hours=3), True)
    overdue_hard.messages.append(Message(NOW - timedelta(minutes=5), "me", "sent"))
    mine = make(2, stage="seller")
    assert [t.case.id for t in today([overdue_hard, mine], cfg, NOW)] == ["D-0001", "D-0002"]
    assert [t.case.id for t in today([overdue_hard, mine], flipped, NOW)] == ["D-0002", "D-0001"]


def test_snooze_leaves_the_daily_view_and_wakes_by_itself(cfg):
    c = make(1, stage="seller")
    assert triage(c, cfg, NOW).why
    ops.snooze(c, NOW + timedelta(days=2), NOW)
    assert today([c], cfg, NOW) == []
    assert today([c], cfg, NOW + timedelta(days=2, minutes=1))[0].case.id == "D-0001"


def test_unresponsive_clears_when_the_supplier_replies(cfg):
    c = make(1, stage="seller")
    for h in (50, 30, 10):
        c.messages.append(Message(NOW - timedelta(hours=h), "me", "any news?"))
    assert "supplier unresponsive: escalate" in triage(c, cfg, NOW).why
    c.messages.append(Message(NOW - timedelta(hours=1), "supplier", "checking"))
    assert "supplier unresponsive: escalate" not in triage(c, cfg, NOW).why


def test_weekend_and_time_zone_in_hard_deadlines(cfg):
    # Typed in Shanghai time on a Friday evening, due Monday 09:00 there = Monday 01:00 UTC.
    c = make(1, stage="evidence")
    ops.add_deadline(c, "evidence_due", datetime(2026, 11, 30, 9, 0, tzinfo=CST), True)
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    assert not any("hard" in w for w in triage(c, cfg, friday).why)  # 61 h away: outside 48 h
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    assert "hard deadline in 1d 13h: evidence due" in triage(c, cfg, saturday).why
    assert c.deadlines[0].offset_minutes == 480


@pytest.mark.parametrize("q, plain", [
    ("ningbo", True), ("ningbo bright 42", True), ("stage:dispute", False), ("amount>5", False),
    ("overdue", False), ("-ningbo", False), ('"ningbo bright"', False), ("ningbo mine", False),
])
def test_plain_words_are_told_apart_from_a_query(q, plain):
    from store.query import is_plain
    assert is_plain(q) is plain
