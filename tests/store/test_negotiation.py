"""Proposals and counter-proposals through to an accepted outcome, on a real store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from store import negotiation
from store.errors import ValidationError

from tests.support.cases import NOW, make_case


@pytest.fixture
def cid(store):
    c = make_case(stage="dispute", opened_at=NOW - timedelta(days=3))
    return store.create(c).id


def test_offers_and_counters_through_to_an_accepted_outcome(store, cid):
    t = NOW
    store.update(cid, lambda k: negotiation.offer(k, "supplier", "partial_refund", "150", t))
    c = store.update(cid, lambda k: negotiation.offer(k, "me", "partial_refund", "375.03", t))
    assert [p.status for p in c.proposals] == ["countered", "open"]
    assert c.history[-1].detail == "#2 me partial_refund 375.03 USD, counters #1"
    c = store.update(cid, lambda k: negotiation.offer(k, "supplier", "partial_refund", "300.00", t))
    assert [p.status for p in c.proposals] == ["countered", "countered", "open"]
    c = store.update(cid, lambda k: negotiation.respond(k, None, "accepted", t))
    assert [p.status for p in c.proposals] == ["countered", "countered", "accepted"]
    assert c.stage == "resolved" and c.outcome == "partially_refunded"
    assert c.recovered == Decimal("300.00") and c.closed_at == NOW
    assert c.claimed == Decimal("375.03")  # the claim stays what was claimed: 80% recovered
    assert c.history[-1].action == "accept"
    assert c.history[-1].detail == ("accepted #3 supplier partial_refund 300.00 USD: Dispute opened -> Resolved "
                                    "(partially_refunded, recovered 300.00 USD)")
    d = store.get(cid).to_dict()
    assert d["proposals"][2] == {"at": NOW.isoformat(), "from": "supplier", "kind": "partial_refund",
                                 "amount": "300.00", "status": "accepted"}
    # one undo reverts the acceptance whole: stage, outcome and the proposal's status
    c = store.undo(cid)
    assert c.stage == "dispute" and c.outcome is None and c.recovered is None
    assert [p.status for p in c.proposals] == ["countered", "countered", "open"]


def test_a_refund_of_the_whole_claim_is_refunded(store, cid):
    c = store.update(cid, lambda k: negotiation.offer(k, "supplier", "full_refund", None, NOW))
    assert c.proposals[0].amount == Decimal("375.03")
    c = store.update(cid, lambda k: negotiation.respond(k, 1, "accepted", NOW))
    assert (c.outcome, c.recovered) == ("refunded", Decimal("375.03"))


@pytest.mark.parametrize("kind, amount, outcome", [
    ("replacement", "0", "replaced"), ("compensation", "50", "compensated"),
    ("return_refund", "375.03", "refunded"), ("partial_refund", "1250.10", "refunded"),
])
def test_outcome_follows_the_kind_accepted(store, cid, kind, amount, outcome):
    store.update(cid, lambda k: negotiation.offer(k, "me", kind, amount, NOW))
    c = store.update(cid, lambda k: negotiation.respond(k, None, "accepted", NOW))
    assert (c.outcome, c.recovered) == (outcome, Decimal(amount))


def test_rejecting_closes_the_proposal_and_changes_nothing_else(store, cid):
    store.update(cid, lambda k: negotiation.offer(k, "supplier", "compensation", "20", NOW))
    c = store.update(cid, lambda k: negotiation.respond(k, 1, "rejected", NOW))
    assert c.proposals[0].status == "rejected" and c.stage == "dispute" and c.outcome is None
    assert c.history[-1].detail == "rejected #1 supplier compensation 20.00 USD"


@pytest.mark.parametrize("call, message", [
    (lambda k: negotiation.offer(k, "platform", "partial_refund", "5", NOW), "unknown party"),
    (lambda k: negotiation.offer(k, "me", "voucher", "5", NOW), "unknown proposal kind"),
    (lambda k: negotiation.offer(k, "me", "partial_refund", "5000", NOW), "more than the order amount"),
    (lambda k: negotiation.offer(k, "me", "partial_refund", "-1", NOW), "must not be negative"),
    (lambda k: negotiation.offer(k, "me", "partial_refund", "0", NOW), "partial_refund of 0"),
    (lambda k: negotiation.offer(k, "me", "partial_refund", None, NOW), "needs an amount"),
    (lambda k: negotiation.respond(k, None, "accepted", NOW), "has no open proposal"),
    (lambda k: negotiation.respond(k, 3, "accepted", NOW), "no proposal #3"),
    (lambda k: negotiation.respond(k, None, "countered", NOW), "unknown answer"),
])
def test_bad_proposals_are_refused_and_nothing_is_saved(store, cid, call, message):
    before = store.get(cid).to_dict()
    with pytest.raises(ValidationError, match=message):
        store.update(cid, call)
    assert store.get(cid).to_dict() == before


def test_closed_proposals_and_resolved_cases_take_no_answers(store, cid):
    store.update(cid, lambda k: negotiation.offer(k, "supplier", "partial_refund", "100", NOW))
    store.update(cid, lambda k: negotiation.respond(k, 1, "rejected", NOW))
    with pytest.raises(ValidationError, match="#1 of D-0001 is rejected, not open"):
        store.update(cid, lambda k: negotiation.respond(k, 1, "accepted", NOW))
    store.update(cid, lambda k: negotiation.offer(k, "supplier", "partial_refund", "200", NOW))
    store.update(cid, lambda k: negotiation.respond(k, 2, "accepted", NOW))
    with pytest.raises(ValidationError, match="already resolved"):
        store.update(cid, lambda k: negotiation.offer(k, "me", "partial_refund", "300", NOW))
