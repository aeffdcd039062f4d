"""A save checks the stored case once (issue 11: a save at most 3 ms median).

``TinyStore.update`` decodes the stored case with every field checked, applies the change, then
checks it again before writing. The second check (``validate.check_changed``) passes over the
records still as stored at the head of a list (the messages, the history, which grows with every
save): they were checked a moment ago, and the JSON they write is byte for byte what was read.
Counted here, without timing; and whatever a change does to a record in place, or to any other
field, is refused exactly as ``check_case`` refuses it, and the database is left as it was.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from store import ValidationError, ops, validate
from store.model import Message, Proposal
from store.sample import sample_cases

from tests.support import NOW


@pytest.fixture
def saved(store):
    case = sample_cases(1, NOW, seed=3, messages=30, evidence=4)[0]
    case.proposals.append(Proposal(NOW - timedelta(days=1), "supplier", "partial_refund", Decimal("12.50")))
    cid = store.create(case).id
    for i in range(5):  # a history of a few changes
        store.update(cid, lambda c, i=i: ops.log(c, "me", f"follow-up {i}", NOW, "tester"))
    store.storage.backup("daily", now=NOW)
    return store, cid


@pytest.fixture
def records(monkeypatch):
    """Every record (message, evidence, history entry...) the validator's record rule checks."""
    seen: list[int] = []
    real = validate._record

    def counting(cls, spec, d, index):
        seen.append(index)
        return real(cls, spec, d, index)

    monkeypatch.setattr(validate, "_record", counting)
    return seen


def test_a_save_checks_the_stored_records_once_and_the_new_message_once(saved, records):
    store, cid = saved
    raw = store.storage.doc("cases", int(cid[2:]))
    stored = sum(len(raw[k]) for k in ("messages", "evidence", "deadlines", "proposals", "history"))
    assert stored > 40
    after = store.update(cid, lambda c: ops.log(c, "me", "checked once", NOW, "tester"))
    # read: every stored record; the change: the one message it added (twice as many before)
    assert len(records) == stored + 1
    assert records[-1] == len(raw["messages"])
    # and what was written is the case as a second to_dict would have written it
    assert store.storage.doc("cases", int(cid[2:])) == after.to_dict()
    assert after.messages[-1].text == "checked once" and after.history[-1].action == "message"


def _bad_changes():
    """Changes to a record at the head of a list (in place) or elsewhere, each refused by check_case."""
    def text_too_long(c):
        c.messages[3].text = "x" * (validate.LONG + 1)

    def sender_unknown(c):
        c.messages[0].sender = "robot"

    def naive_instant(c):
        c.messages[2].at = c.messages[2].at.replace(tzinfo=None)

    def instant_as_text(c):
        c.messages[1].at = c.messages[1].at.isoformat()

    def bool_as_int(c):  # 1 == True in Python: still refused, by its JSON
        c.evidence[0].size = True

    def amount_as_float(c):  # writes the same text as the stored amount: still refused
        c.proposals[0].amount = 12.5

    def amount_as_text(c):
        c.proposals[0].amount = "12.50"

    def record_replaced_by_dict(c):
        c.messages[0] = c.messages[0].to_dict()

    def history_edited(c):
        c.history[0].user = "u" * (validate.USER + 1)

    def history_forged_ref(c):
        c.history[1].ref = 5

    def future_received(c):
        c.received_at = NOW + timedelta(days=3)

    def claimed_over_amount(c):
        c.claimed = c.amount + 1

    def appended_bad(c):
        c.messages.append(Message(NOW, "me", "", "b" * (validate.USER + 1)))

    def too_many_tags(c):
        c.tags = [f"t{i}" for i in range(validate.MAX_TAGS + 1)]

    return [text_too_long, sender_unknown, naive_instant, instant_as_text, bool_as_int, amount_as_float,
            amount_as_text, record_replaced_by_dict, history_edited, history_forged_ref, future_received,
            claimed_over_amount, appended_bad, too_many_tags]


@pytest.mark.parametrize("bad", _bad_changes(), ids=lambda f: f.__name__)
def test_a_change_is_refused_as_check_case_refuses_it(saved, bad):
    store, cid = saved
    n = int(cid[2:])
    raw = store.storage.doc("cases", n)
    case = store._decode(raw)
    bad(case)
    with pytest.raises(Exception) as full:
        validate.check_case(case, now=NOW, before=raw)
        case.to_dict()
    with pytest.raises(type(full.value)) as once:
        validate.check_changed(case, raw, now=NOW)
    assert str(once.value) == str(full.value)
    if isinstance(full.value, ValidationError):
        assert (once.value.field, once.value.case_id) == (full.value.field, full.value.case_id)
    # through the store: refused, and the database as it was
    before = store.storage.raw("cases", n)
    journal = store.storage.journal_path.read_bytes()

    def change(c):
        bad(c)
        return "edit", "hostile"

    with pytest.raises(type(full.value)):
        store.update(cid, change)
    assert store.storage.raw("cases", n) == before
    assert store.storage.journal_path.read_bytes() == journal


def test_a_record_changed_in_place_is_checked_again(saved, records):
    store, cid = saved

    def meet(c):
        c.deadlines.append(ops_deadline())
        return "deadline", "added"

    def ops_deadline():
        from store.model import Deadline
        return Deadline("evidence_due", NOW + timedelta(days=2))

    store.update(cid, meet)
    records.clear()
    raw = store.storage.doc("cases", int(cid[2:]))

    def met(c):
        c.deadlines[0].met_at = NOW
        return "deadline", "met"

    store.update(cid, met)
    # read: every stored record; then the deadlines again (one changed in place: the whole list)
    stored = sum(len(raw[k]) for k in ("messages", "evidence", "deadlines", "proposals", "history"))
    assert len(records) == stored + len(raw["deadlines"])
    assert store.get(cid).deadlines[0].met_at == NOW


def test_stored_records_in_another_form_are_checked_in_full(saved, records):
    """A stored instant with an offset (a hand-made or older file) writes back as UTC: not the
    bytes read, so the whole list is checked again, and the case is saved in the stored form."""
    store, cid = saved
    n = int(cid[2:])
    with store.storage.transaction():
        doc = copy.deepcopy(store.storage.doc("cases", n))
        at = datetime.fromisoformat(doc["messages"][0]["at"]).astimezone(timezone(timedelta(hours=8)))
        doc["messages"][0]["at"] = at.isoformat()
        store.storage.put("cases", n, doc)
    records.clear()
    store.update(cid, lambda c: ops.log(c, "me", "after the offset", NOW, "tester"))
    assert records.count(0) >= 2  # the first message: read, and checked again with its list
    assert store.storage.doc("cases", n)["messages"][0]["at"].endswith("+00:00")


def test_a_hostile_stored_field_is_still_refused_as_damaged(saved):
    from store import DamagedDatabase

    store, cid = saved
    n = int(cid[2:])
    with store.storage.transaction():
        doc = copy.deepcopy(store.storage.doc("cases", n))
        doc["history"][0]["user"] = "u" * (validate.USER + 1)
        store.storage.put("cases", n, doc)
    before = store.storage.raw("cases", n)
    with pytest.raises(DamagedDatabase, match="wrong inside"):
        store.update(cid, lambda c: ops.log(c, "me", "over a damaged case", NOW, "tester"))
    assert store.storage.raw("cases", n) == before
