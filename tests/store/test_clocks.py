"""Clocks at fixed instants: the deadlines a buyer must not miss, per platform profile.

Every expected instant below is worked out by hand from the rules in DOMAIN.md (platform FAQs),
not copied from the code: a wrong rule shows up as a wrong date on a card.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from store import ops
from store.clocks import (add_working_days, clocks, countdown, next_deadline, unresponsive, urgency,
                          whose_turn)
from store.config import Config, defaults
from store.model import Case, Deadline, Message

from tests.support import NOW

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
PACIFIC = ZoneInfo("America/Los_Angeles")


def Z(text: str) -> datetime:
    """An instant written in UTC, e.g. Z("2026-11-27 12:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make(stage="seller", platform="alibaba", entered=Z("2026-11-20 08:00"), **kw) -> Case:
    kw.setdefault("created_at", entered)
    return Case(id="D-0042", order="2026112000001", supplier="Ningbo Brightway", reason="damaged",
                amount=Decimal("1200.00"), stage_entered_at=entered, stage=stage, platform=platform, **kw)


def kinds(case: Case, cfg: Config) -> dict:
    return {c.kind: c for c in clocks(case, cfg)}


def msg(case: Case, sender: str, at: datetime, text: str = "...") -> Case:
    case.messages.append(Message(at, sender, text, "tester"))
    return case


def with_holidays(cfg: Config, platform: str, days: list[str]) -> Config:
    data = defaults().data
    data["profiles"][platform]["holidays"] = days
    return Config(data, None)


# -- Alibaba.com Trade Assurance ------------------------------------------------------------------

def test_alibaba_seller_stage_clocks(cfg):
    c = make("seller", received_at=Z("2026-11-01 10:00"), entered=Z("2026-11-20 08:00"))
    k = kinds(c, cfg)
    assert set(k) == {"protection_window", "seller_followup", "open_dispute"}
    pw = k["protection_window"]
    assert (pw.due, pw.hard, pw.party) == (Z("2026-12-01 10:00"), True, "me")  # 30 days from receipt
    assert (k["seller_followup"].due, k["seller_followup"].hard) == (Z("2026-11-22 08:00"), False)  # 2 days
    assert k["open_dispute"].due == Z("2026-11-25 08:00")  # 5 days in seller contact


def test_follow_up_clock_runs_from_my_oldest_unanswered_message(cfg):
    c = make("seller", entered=Z("2026-11-20 08:00"))
    msg(c, "me", Z("2026-11-21 09:00"))
    msg(c, "me", Z("2026-11-22 09:00"))
    assert kinds(c, cfg)["seller_followup"].due == Z("2026-11-24 09:00")  # from the last one I sent
    msg(c, "supplier", Z("2026-11-23 10:00"))
    assert "seller_followup" not in kinds(c, cfg), "the supplier answered: nothing to follow up"


def test_alibaba_dispute_stage_clocks(cfg):
    c = make("dispute", entered=Z("2026-11-20 08:00"), opened_at=Z("2026-11-20 08:00"),
             received_at=Z("2026-11-01 10:00"))
    k = kinds(c, cfg)
    assert "protection_window" not in k, "the dispute is open: the window no longer matters"
    sr = k["supplier_response"]
    assert (sr.due, sr.party, sr.met) == (Z("2026-11-23 08:00"), "supplier", False)  # 3 days
    assert k["may_escalate"].due == Z("2026-11-23 08:00")  # from day 4
    assert k["auto_escalate"].due == Z("2026-11-27 08:00")  # by itself on day 7-8
    assert k["expected_resolution"].due == Z("2026-12-11 08:00")  # 3 weeks
    assert all(not x.hard for x in k.values())
    c.complex = True
    assert kinds(c, cfg)["expected_resolution"].due == Z("2026-12-25 08:00"), "complex cases take longer"


def test_supplier_reply_meets_the_response_clock(cfg):
    c = make("dispute", opened_at=Z("2026-11-20 08:00"))
    msg(c, "supplier", Z("2026-11-19 08:00"), "a reply before the dispute does not count")
    assert not kinds(c, cfg)["supplier_response"].met
    msg(c, "supplier", Z("2026-11-21 08:00"), "we will check")
    assert kinds(c, cfg)["supplier_response"].met


def test_mediation_working_days_skip_a_shanghai_weekend(cfg):
    # Friday 20:00 in Shanghai (12:00 UTC): 2 working days are Monday and Tuesday.
    c = make("mediation", escalated_at=datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI),
             opened_at=Z("2026-11-18 08:00"))
    ms = kinds(c, cfg)["mediation_start"]
    assert ms.due == datetime(2026, 12, 1, 20, 0, tzinfo=SHANGHAI) == Z("2026-12-01 12:00")
    assert ms.party == "platform"


def test_weekend_is_judged_in_the_platforms_time_zone(cfg):
    # Friday 23:30 UTC is already Saturday 07:30 in Shanghai: Monday is working day 1, Tuesday 2.
    c = make("mediation", escalated_at=Z("2026-11-27 23:30"), opened_at=Z("2026-11-18 08:00"))
    assert kinds(c, cfg)["mediation_start"].due == datetime(2026, 12, 1, 7, 30, tzinfo=SHANGHAI)
    assert kinds(c, cfg)["mediation_start"].due == Z("2026-11-30 23:30")
    # Thursday 10:00 Shanghai: Friday, then Monday.
    c.escalated_at = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    assert kinds(c, cfg)["mediation_start"].due == Z("2026-11-30 02:00")


def test_working_days_skip_the_profiles_holidays():
    cfg = with_holidays(defaults(), "alibaba", ["2026-11-30"])
    c = make("mediation", escalated_at=datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI),
             opened_at=Z("2026-11-18 08:00"))
    assert kinds(c, cfg)["mediation_start"].due == datetime(2026, 12, 2, 20, 0, tzinfo=SHANGHAI)
    # National Day week: 1-7 October 2026 off; escalated Wednesday 30 September.
    cfg = with_holidays(defaults(), "alibaba", [f"2026-10-0{d}" for d in range(1, 8)])
    start = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    assert add_working_days(start, 2, "Asia/Shanghai", tuple(f"2026-10-0{d}" for d in range(1, 8))) \
        == datetime(2026, 10, 9, 15, 0, tzinfo=SHANGHAI)
    c.escalated_at = start
    assert kinds(c, cfg)["mediation_start"].due == datetime(2026, 10, 9, 15, 0, tzinfo=SHANGHAI)


def test_refund_arrives_within_7_business_days(cfg):
    # Agreed Friday 18:00 Shanghai: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8.
    c = make("resolved", outcome="refunded", recovered=Decimal("1200.00"), closed_at=Z("2026-11-27 10:00"),
             opened_at=Z("2026-11-10 08:00"))
    k = kinds(c, cfg)
    assert set(k) == {"refund_arrives"}
    assert k["refund_arrives"].due == Z("2026-12-08 10:00")
    c.outcome, c.recovered = "rejected", Decimal("0")
    assert clocks(c, cfg) == [], "nothing to wait for after a rejection"


# -- the other profiles ---------------------------------------------------------------------------

def test_aliexpress_fifteen_days(cfg):
    c = make("dispute", platform="aliexpress", opened_at=Z("2026-11-20 08:00"))
    k = kinds(c, cfg)
    assert k["supplier_response"].due == Z("2026-12-05 08:00")  # seller has 15 days
    assert k["may_escalate"].due == Z("2026-11-23 08:00")  # days 4-15
    assert k["platform_takeover"].due == Z("2026-12-05 08:00")  # takes over on day 16


def test_paypal_180_and_20_days(cfg):
    c = make("seller", platform="paypal", paid_at=Z("2026-06-01 12:00"))
    pw = kinds(c, cfg)["protection_window"]
    assert (pw.due, pw.hard) == (Z("2026-11-28 12:00"), True)  # 180 days from payment
    c = make("dispute", platform="paypal", opened_at=Z("2026-11-20 08:00"), paid_at=Z("2026-11-01 12:00"))
    eb = kinds(c, cfg)["escalate_by"]
    assert (eb.due, eb.hard, eb.party) == (Z("2026-12-10 08:00"), True, "me")  # 20 days or it closes
    c = make("mediation", platform="paypal", opened_at=Z("2026-11-01 08:00"), escalated_at=Z("2026-11-20 08:00"))
    assert kinds(c, cfg)["expected_resolution"].due == Z("2026-12-04 08:00")  # 14 days


def test_amazon_48_and_72_hours(cfg):
    c = make("seller", platform="amazon", entered=Z("2026-11-20 08:00"),
             delivery_estimate=Z("2026-11-10 00:00"))
    msg(c, "me", Z("2026-11-20 09:00"), "where is my order?")
    k = kinds(c, cfg)
    assert (k["seller_wait"].due, k["seller_wait"].party) == (Z("2026-11-22 09:00"), "supplier")
    assert (k["protection_window"].due, k["protection_window"].hard) == (Z("2027-02-08 00:00"), True)
    c = make("dispute", platform="amazon", opened_at=Z("2026-11-20 08:00"))
    assert kinds(c, cfg)["supplier_response"].due == Z("2026-11-23 08:00")


# -- which deadline shows, and how urgent -------------------------------------------------------



def evidence_case(*deadlines: tuple[timedelta, bool], met: bool = False) -> Case:
    """Alibaba, in Evidence, opened yesterday: only 'expected resolution' (3 weeks off) runs."""
    c = make("evidence", entered=NOW - timedelta(hours=20), opened_at=NOW - timedelta(days=1))
    for i, (left, hard) in enumerate(deadlines):
        c.deadlines.append(Deadline(f"d{i}", NOW + left, hard, f"deadline {i}", NOW if met else None))
    return c


H = timedelta(hours=1)


@pytest.mark.parametrize("deadlines, level, hard, rank, which", [
    ([], "ok", False, 0, "expected_resolution"),
    ([(30 * H, False)], "ok", False, 0, "d0"),  # nothing urgent: the earliest countdown shows
    ([(20 * H, False)], "soon", False, 1, "d0"),
    ([(-1 * H, False)], "overdue", False, 2, "d0"),
    ([(47 * H, True)], "soon", True, 3, "d0"),
    ([(48 * H, True)], "soon", True, 3, "d0"),
    ([(49 * H, True)], "ok", True, 0, "d0"),
    ([(-1 * H, True)], "overdue", True, 4, "d0"),
    # hard within 48 h outranks an overdue soft one
    ([(-5 * H, False), (40 * H, True)], "soon", True, 3, "d1"),
    # overdue soft outranks soft within 24 h
    ([(-5 * H, False), (2 * H, False)], "overdue", False, 2, "d0"),
    # overdue hard outranks everything, even a later-listed one
    ([(-5 * H, False), (1 * H, True), (-2 * H, True)], "overdue", True, 4, "d2"),
    # two of the same rank: the earlier one shows
    ([(30 * H, True), (10 * H, True)], "soon", True, 3, "d1"),
])
def test_urgency_ranks(cfg, deadlines, level, hard, rank, which):
    u = urgency(evidence_case(*deadlines), cfg, NOW)
    assert (u.level, u.hard, u.rank, u.clock.kind) == (level, hard, rank, which)


def test_met_deadlines_do_not_count(cfg):
    u = urgency(evidence_case((-5 * H, True), met=True), cfg, NOW)
    assert (u.level, u.clock.kind) == ("ok", "expected_resolution")


def test_next_deadline_is_the_earliest_not_met(cfg):
    c = make("dispute", opened_at=Z("2026-11-20 08:00"))
    assert next_deadline(c, cfg, NOW).kind == "supplier_response"  # overdue ones included
    msg(c, "supplier", Z("2026-11-21 08:00"))
    # the supplier answered: their response clock is met, and so is "escalate if no answer"
    nd = next_deadline(c, cfg, NOW)
    assert (nd.kind, nd.due) == ("auto_escalate", Z("2026-11-27 08:00"))
    c.deadlines.append(Deadline("evidence_due", Z("2026-11-22 00:00"), True, "upload photos"))
    nd = next_deadline(c, cfg, NOW)
    assert (nd.kind, nd.source, nd.hard) == ("evidence_due", "case", True)
    c.deadlines[0].met_at = Z("2026-11-21 12:00")
    assert next_deadline(c, cfg, NOW).kind == "auto_escalate"


def test_a_new_case_in_seller_contact_already_has_a_clock(store, cfg, now):
    c = store.create(Case(id="D-0001", order="55501", supplier="Yiwu Sunrise Crafts", reason="quality",
                          amount=Decimal("310.00"), created_at=now, stage_entered_at=now))
    got = store.get(c.id)
    nd = next_deadline(got, cfg, now)
    assert nd is not None and (nd.kind, nd.due) == ("seller_followup", now + timedelta(days=2))
    assert countdown(nd.due, now) == "2d 0h"
    assert urgency(got, cfg, now).level == "ok"
    assert whose_turn(got) == "me"


# -- whose turn, unresponsive ---------------------------------------------------------------------

def test_whose_turn_follows_the_conversation(store, now):
    c = store.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("10.00"),
                          created_at=now, stage_entered_at=now))
    steps = [
        (lambda c: ops.log(c, "me", "the cartons arrived crushed", now + 1 * H, "tester"), "supplier"),
        (lambda c: ops.log(c, "note", "called them too", now + 2 * H, "tester"), "supplier"),
        (lambda c: ops.log(c, "supplier", "send photos please", now + 3 * H, "tester"), "me"),
        (lambda c: ops.move(c, "dispute", now + 4 * H), "supplier"),
        (lambda c: ops.log(c, "supplier", "we offer 10%", now + 5 * H, "tester"), "me"),
        (lambda c: ops.log(c, "me", "not enough", now + 6 * H, "tester"), "supplier"),
        (lambda c: ops.move(c, "evidence", now + 7 * H), "me"),
        (lambda c: ops.log(c, "me", "photos uploaded", now + 8 * H, "tester"), "platform"),
        (lambda c: ops.move(c, "mediation", now + 9 * H), "platform"),
        (lambda c: ops.log(c, "platform", "please add the invoice", now + 10 * H, "tester"), "me"),
        (lambda c: ops.move(c, "resolved", now + 11 * H, "refunded"), "platform"),
    ]
    assert whose_turn(store.get(c.id)) == "me"
    for change, turn in steps:
        store.update(c.id, change)
        assert whose_turn(store.get(c.id)) == turn, store.get(c.id).history[-1].detail


def test_unresponsive_after_three_unanswered_contacts(cfg):
    c = make("seller", entered=NOW - 3 * H)
    for k in (3, 2, 1):
        msg(c, "me", NOW - k * H)
    assert unresponsive(c, cfg, NOW)
    msg(c, "supplier", NOW - timedelta(minutes=30))
    assert not unresponsive(c, cfg, NOW), "a reply clears it"
    c.messages.pop()
    c.messages.pop(0)
    assert not unresponsive(c, cfg, NOW), "two contacts an hour apart are not silence"


def test_unresponsive_past_the_supplier_response_clock(cfg):
    c = make("dispute", opened_at=Z("2026-11-20 08:00"))
    assert not unresponsive(c, cfg, Z("2026-11-23 07:59"))
    assert unresponsive(c, cfg, Z("2026-11-23 08:00"))
    msg(c, "supplier", Z("2026-11-24 08:00"), "late, but here")
    assert not unresponsive(c, cfg, Z("2026-11-25 08:00"))


def test_amazon_seller_silent_past_48_hours_is_unresponsive(cfg):
    c = make("seller", platform="amazon", entered=Z("2026-11-20 08:00"))
    msg(c, "me", Z("2026-11-20 09:00"), "where is my order?")
    assert kinds(c, cfg)["seller_wait"].due == Z("2026-11-22 09:00")
    assert unresponsive(c, cfg, Z("2026-11-23 09:00"))


def test_seller_silent_two_days_after_my_message_is_unresponsive(cfg):
    # Issue 4 fixes the rule: "2 days or 3 unanswered messages while still in seller contact".
    # (DOMAIN.md's 5 days is when the guide suggests a formal dispute: the open_dispute clock.)
    c = make("seller", entered=Z("2026-11-20 08:00"))
    msg(c, "me", Z("2026-11-20 09:00"))
    assert not unresponsive(c, cfg, Z("2026-11-22 08:59"))
    now = Z("2026-11-23 09:00")
    assert next_deadline(c, cfg, now).kind == "seller_followup"
    assert unresponsive(c, cfg, now)
    assert {k.kind: k for k in clocks(c, cfg)}["open_dispute"].due == Z("2026-11-25 08:00")


# -- countdown text and time zones ----------------------------------------------------------------

@pytest.mark.parametrize("left, text", [
    (timedelta(days=3, hours=4, minutes=5), "3d 4h"),
    (timedelta(days=12, hours=4), "12d"),
    (timedelta(hours=5, minutes=10), "5h 10m"),
    (timedelta(minutes=12, seconds=59), "12m"),
    (timedelta(seconds=30), "0m"),
    (-timedelta(days=2, hours=3), "overdue 2d"),
    (-timedelta(hours=5, minutes=10), "overdue 5h"),
    (-timedelta(minutes=12), "overdue 12m"),
])
def test_countdown_text(left, text):
    assert countdown(NOW + left, NOW) == text


def test_inputs_with_offsets_become_the_right_utc_instants(store, cfg, now):
    shanghai_due = datetime.fromisoformat("2026-11-30T17:00+08:00")
    pacific_due = datetime(2026, 11, 30, 17, 0, tzinfo=PACIFIC)  # PST, UTC-8
    summer_due = datetime(2026, 7, 1, 17, 0, tzinfo=PACIFIC)  # PDT, UTC-7
    c = store.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("10.00"),
                          created_at=now, stage_entered_at=now,
                          received_at=datetime.fromisoformat("2026-11-01T07:00+08:00")))
    for kind, due in (("evidence_due", shanghai_due), ("escalate_by", pacific_due), ("old", summer_due)):
        store.update(c.id, lambda case: ops.add_deadline(case, kind, due, True, kind))
    got = store.get(c.id)
    assert got.received_at == Z("2026-10-31 23:00") and got.received_at.tzinfo == UTC
    by_kind = {d.kind: d for d in got.deadlines}
    assert by_kind["evidence_due"].due == Z("2026-11-30 09:00")
    assert by_kind["escalate_by"].due == Z("2026-12-01 01:00")
    assert by_kind["old"].due == Z("2026-07-02 00:00")
    assert [by_kind[k].offset_minutes for k in ("evidence_due", "escalate_by", "old")] == [480, -480, -420]
    assert all(d.due.tzinfo == UTC for d in got.deadlines)
    assert kinds(got, cfg)["protection_window"].due == Z("2026-11-30 23:00")
    raw = store.table._read_table()["1"]
    assert {d["kind"]: d["due"] for d in raw["deadlines"]}["evidence_due"] == "2026-11-30T09:00:00+00:00"


def test_typed_dates_with_offsets():
    dates = pytest.importorskip("store.dates")
    assert dates.parse_when("2026-11-30T17:00+08:00") == Z("2026-11-30 09:00")
    assert dates.parse_when("2026-11-30 17:00", local=PACIFIC) == Z("2026-12-01 01:00")


def test_alibaba_reviews_each_evidence_upload_within_2_working_days(cfg):
    from store.model import Evidence
    c = make("evidence", opened_at=Z("2026-11-20 08:00"), entered=Z("2026-11-24 08:00"))
    # uploaded Friday 18:00 Shanghai: reviewed by Tuesday 18:00 Shanghai
    c.evidence.append(Evidence("/srv/evidence/photo-1.jpg", "photo", "crushed cartons",
                               datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI), 1000, "0" * 64))
    review = [k for k in clocks(c, cfg) if "review" in k.kind]
    assert review and review[0].due == datetime(2026, 12, 1, 18, 0, tzinfo=SHANGHAI)
