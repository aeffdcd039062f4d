"""The case model: exact money, typeable ids, the stored shape, undo and all-or-nothing import."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from store.validate import case_from_dict
from store import ConflictError, NotFound, ValidationError, ops
from store.model import Case, Proposal, case_id, case_number, money
from store.sample import sample_cases


def db_bytes(path: Path) -> tuple[bytes, bytes | None]:
    j = path.with_name(path.name + ".journal")
    return path.read_bytes(), (j.read_bytes() if j.exists() else None)


def new_case(now, **kw) -> Case:
    base = dict(id="D-0001", order="88001", supplier="Foshan Lighting Direct", reason="damaged",
                amount=Decimal("100.00"), created_at=now, stage_entered_at=now)
    base.update(kw)
    return Case(**base)


# -- money --------------------------------------------------------------------------------------

def test_money_stays_exact_through_the_store(store, db_path, now):
    ten, twenty = Decimal("0.10"), Decimal("0.20")
    c = store.create(new_case(now, amount=ten + twenty, claimed=Decimal("0.20"), currency="EUR"))
    store.update(c.id, lambda case: (case.proposals.extend([Proposal(now, "supplier", "partial_refund", ten),
                                                            Proposal(now, "me", "partial_refund", twenty)]),
                                     ("proposal", "two offers"))[1])
    store.update(c.id, lambda case: ops.move(case, "resolved", now, "partially_refunded", "0.30"))
    store.close()

    from store import TinyStore
    again = TinyStore(db_path, cfg=store.cfg, user="other", clock=lambda: now)
    got = again.get(c.id)
    assert got.amount == Decimal("0.30") and str(got.amount) == "0.30"
    assert sum(p.amount for p in got.proposals) == got.amount == got.recovered
    assert str(got.claimed) == "0.20" and got.currency == "EUR"
    raw = again.table._read_table()["1"]
    assert (raw["amount"], raw["claimed"], raw["recovered"]) == ("0.30", "0.20", "0.30")
    assert [p["amount"] for p in raw["proposals"]] == ["0.10", "0.20"]
    snapshot, journal = db_bytes(db_path)
    assert b'"amount":0.3' not in snapshot + (journal or b""), "never a JSON float"
    again.close()


@pytest.mark.parametrize("text, value", [
    ("12.50", Decimal("12.50")), ("1,234.56", Decimal("1234.56")), (" 7 ", Decimal("7")),
    (Decimal("0.01"), Decimal("0.01")), (3, Decimal("3")), ("123456789012.12", Decimal("123456789012.12")),
])
def test_money_parses_exactly(text, value):
    got = money(text)
    assert got == value and str(got) == str(value)


@pytest.mark.parametrize("bad", [0.1, 19.99, -1, "-0.01", Decimal("-5"), "NaN", "nan", Decimal("NaN"), "sNaN",
                                 "Infinity", "-inf", "", "12,50.x", "abc", "0.000001",
                                 "12345678901234567890.12", "1e999999999", "12,50"])
def test_money_refuses_floats_negatives_and_nonsense(bad):
    with pytest.raises(ValidationError):
        money(bad)


@pytest.mark.parametrize("field, bad", [("amount", 12.5), ("amount", Decimal("-1")), ("amount", Decimal("NaN")),
                                        ("claimed", 0.1), ("recovered", Decimal("-0.01")),
                                        ("claimed", Decimal("Infinity"))])
def test_store_refuses_bad_money_and_writes_nothing(store, db_path, now, field, bad):
    store.create(new_case(now))
    before = db_bytes(db_path)
    with pytest.raises(ValidationError):
        store.create(new_case(now, **{field: bad}))
    with pytest.raises(ValidationError):
        store.update("D-0001", lambda c: (setattr(c, field, bad), ("edit", field))[1])
    assert db_bytes(db_path) == before
    assert store.count() == 1 and store.get("D-0001").amount == Decimal("100.00")


@pytest.mark.parametrize("how", ["update", "import"])
@pytest.mark.parametrize("bad", [0.1, Decimal("-5.00"), Decimal("NaN")])
def test_store_refuses_bad_proposal_amounts(store, db_path, now, bad, how):
    store.create(new_case(now))
    before = db_bytes(db_path)
    with pytest.raises(ValidationError):
        if how == "update":
            store.update("D-0001", lambda c: (c.proposals.append(Proposal(now, "supplier", "partial_refund", bad)),
                                              ("proposal", "offer"))[1])
        else:
            store.import_cases([new_case(now, id="D-0077", proposals=[Proposal(now, "supplier", "partial_refund", bad)])])
    assert db_bytes(db_path) == before


# -- ids ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["D-0042", "d-42", "42", " D-0042 ", "D42", "d0042", "0042"])
def test_case_id_forms_people_type(typed):
    assert case_number(typed) == 42


@pytest.mark.parametrize("typed", ["", "D-", "D-0", "0", "X-42", "D--42", "42a", "-42", "D-4 2", "4.2"])
def test_case_id_refusals(typed):
    with pytest.raises(ValidationError) as exc:
        case_number(typed)
    assert "D-0042" in str(exc.value)


def test_case_ids_print_short_and_grow(seeded):
    assert case_id(42) == "D-0042" and case_id(12345) == "D-12345"
    assert seeded.get("d-7").id == seeded.get("7").id == seeded.get("D-0007").id == "D-0007"
    with pytest.raises(NotFound) as exc:
        seeded.get("D-9999")
    assert str(exc.value) == "no case D-9999"


# -- stored shape ---------------------------------------------------------------------------------

def test_to_dict_from_dict_round_trip(now):
    for c in sample_cases(60, now, messages=6, evidence=3):
        c.proposals.append(Proposal(now, "supplier", "partial_refund", Decimal("12.30"), "countered"))
        d = c.to_dict()
        assert json.loads(json.dumps(d)) == d, "plain JSON: no Decimal or datetime objects"
        back = case_from_dict(orjson.loads(orjson.dumps(d)))
        assert back == c
        assert back.to_dict() == d
        assert all(m.at.utcoffset() == timedelta(0) for m in back.messages)


def test_unknown_fields_from_a_newer_file_are_ignored(now):
    d = new_case(now).to_dict()
    d["field_from_the_future"] = 1
    assert case_from_dict(d) == new_case(now)


# -- undo -----------------------------------------------------------------------------------------

def test_undo_a_move(store, now):
    c = store.create(new_case(now))
    later = now + timedelta(hours=5)
    store.update(c.id, lambda case: ops.move(case, "dispute", later))
    moved = store.get(c.id)
    assert (moved.stage, moved.stage_entered_at, moved.opened_at) == ("dispute", later, later)
    undone = store.undo(c.id)
    assert (undone.stage, undone.stage_entered_at, undone.opened_at) == ("seller", now, None)
    assert store.get(c.id) == undone
    assert undone.rev == moved.rev + 1, "an undo is a change of its own"
    assert [h.action for h in undone.history] == ["create", "move", "undo"]
    assert "Seller contact -> Dispute opened" in undone.history[-1].detail


def test_undo_a_resolution(store, now):
    c = store.create(new_case(now, stage="mediation"))
    store.update(c.id, lambda case: ops.move(case, "resolved", now, "partially_refunded", "40.00"))
    assert store.get(c.id).recovered == Decimal("40.00")
    back = store.undo(c.id)
    assert (back.stage, back.outcome, back.recovered, back.closed_at) == ("mediation", None, None, None)


def test_undo_a_message(store, now):
    c = store.create(new_case(now))
    store.update(c.id, lambda case: ops.log(case, "me", "first", now, "tester"))
    store.update(c.id, lambda case: ops.log(case, "supplier", "oops, wrong case", now, "tester"))
    back = store.undo(c.id)
    assert [m.text for m in back.messages] == ["first"]
    assert back.history[-1].action == "undo"


def test_undo_several_steps_then_redo(store, now):
    c = store.create(new_case(now))
    for text in ("one", "two"):
        store.update(c.id, lambda case: ops.log(case, "me", text, now, "tester"))
    store.update(c.id, lambda case: ops.move(case, "dispute", now + timedelta(hours=1)))
    assert store.undo(c.id).stage == "seller"
    assert [m.text for m in store.undo(c.id).messages] == ["one"]
    assert [m.text for m in store.undo(c.id).messages] == []
    with pytest.raises(ValidationError):
        store.undo(c.id)
    assert [m.text for m in store.redo(c.id).messages] == ["one"]
    store.update(c.id, lambda case: ops.log(case, "supplier", "new branch", now, "tester"))
    with pytest.raises(ValidationError):
        store.redo(c.id)  # a new change ends the redo chain
    assert [m.text for m in store.get(c.id).messages] == ["one", "new branch"]


def test_nothing_to_undo_and_stale_undo(store, now):
    c = store.create(new_case(now))
    with pytest.raises(ValidationError):
        store.undo(c.id)
    store.update(c.id, lambda case: ops.log(case, "me", "hello", now, "tester"))
    with pytest.raises(ConflictError):
        store.undo(c.id, expected_rev=c.rev)
    assert [m.text for m in store.get(c.id).messages] == ["hello"]


# -- import ---------------------------------------------------------------------------------------

def test_import_is_all_or_nothing(seeded, db_path, now):
    before = db_bytes(db_path)
    batch = sample_cases(3, now, start_id=100) + sample_cases(1, now, start_id=5)  # D-0005 is taken
    with pytest.raises(ValidationError) as exc:
        seeded.import_cases(batch)
    assert "D-0005" in str(exc.value) and "nothing imported" in str(exc.value)
    assert db_bytes(db_path) == before
    assert seeded.count() == 40
    with pytest.raises(NotFound):
        seeded.get("D-0100")


def test_import_refuses_duplicates_and_invalid_cases_whole(seeded, db_path, now):
    before = db_bytes(db_path)
    with pytest.raises(ValidationError):
        seeded.import_cases(sample_cases(2, now, start_id=200) + sample_cases(1, now, start_id=200))
    bad = sample_cases(3, now, start_id=300)
    bad[2].currency = "dollars"
    with pytest.raises(ValidationError):
        seeded.import_cases(bad)
    assert db_bytes(db_path) == before and seeded.count() == 40


def test_import_keeps_ids_and_new_ids_follow(seeded, now):
    assert seeded.import_cases(sample_cases(2, now, start_id=500)) == 2
    assert seeded.get("D-0501").history[-1].action == "import"
    c = seeded.create(new_case(now))
    assert c.id == "D-0502"
