"""An edit writes only what its editor changed: two people, two TinyStore objects, one file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store import ConflictError, TinyStore, ValidationError, ops
from tests.support import NOW



def _two(db_path, cfg):
    alice = TinyStore(db_path, cfg=cfg, user="alice", clock=lambda: NOW)
    bob = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    return alice, bob


def _edit(store, cid, values, base):
    mine = ops.changed_fields(base, values)
    return store.update(cid, lambda c: ops.edit_fields(c, values, base), expected_rev=base.rev,
                        fields=mine)


def test_deliberate_save_after_refusal_keeps_the_colleagues_fields(seeded, db_path, cfg):
    alice, bob = _two(db_path, cfg)
    bob_base = bob.get("D-0005")  # bob opens the edit form
    alice_base = alice.get("D-0005")
    # the form hands every field over; only the title differs from what bob loaded
    bob_values = {"title": "Bob's new title", "claimed": bob_base.claimed, "product": bob_base.product,
                  "supplier": bob_base.supplier, "amount": bob_base.amount}
    new_claim = (alice_base.amount / 2).quantize(Decimal("0.01"))
    _edit(alice, "D-0005", {"claimed": new_claim, "product": "Alice's product", "title": alice_base.title},
          alice_base)

    with pytest.raises(ConflictError) as exc:
        _edit(bob, "D-0005", bob_values, bob_base)
    err = exc.value
    assert err.user == "alice" and err.since == bob_base.rev and err.rev == bob_base.rev + 1
    assert err.fields == ["product", "claimed"]
    assert err.both == []
    assert "alice changed product, claimed" in str(err) and "\n" not in str(err)
    assert bob.get("D-0005").title == alice_base.title, "a refused save wrote something"

    # bob saves again on purpose, against the revision the refusal named, from the same base
    got = bob.update("D-0005", lambda c: ops.edit_fields(c, bob_values, bob_base), expected_rev=err.rev)
    assert got.title == "Bob's new title"
    assert got.claimed == new_claim and got.product == "Alice's product", "alice's fields were reverted"
    assert got.history[-1].detail == "changed title"
    assert got.history[-1].user == "bob"
    fresh = TinyStore(db_path, cfg=cfg, user="carol").get("D-0005")
    assert (fresh.title, fresh.claimed, fresh.product) == ("Bob's new title", new_claim, "Alice's product")


def test_both_changed_the_same_field_is_said_and_only_that_field_is_overwritten(seeded, db_path, cfg):
    alice, bob = _two(db_path, cfg)
    base = bob.get("D-0006")
    _edit(alice, "D-0006", {"title": "Alice's title", "product": "Alice's product"}, alice.get("D-0006"))
    values = {"title": "Bob's title", "product": base.product, "description": "Bob's words"}
    with pytest.raises(ConflictError) as exc:
        _edit(bob, "D-0006", values, base)
    assert exc.value.both == ["title"]
    assert "you both changed title" in str(exc.value)
    got = bob.update("D-0006", lambda c: ops.edit_fields(c, values, base), expected_rev=exc.value.rev)
    assert (got.title, got.product, got.description) == ("Bob's title", "Alice's product", "Bob's words")
    assert got.history[-1].detail == "changed title, description"


def test_refusal_names_every_colleague_and_their_fields(seeded, db_path, cfg):
    alice, bob = _two(db_path, cfg)
    carol = TinyStore(db_path, cfg=cfg, user="carol", clock=lambda: NOW)
    base = bob.get("D-0007")
    _edit(alice, "D-0007", {"product": "P2"}, alice.get("D-0007"))
    carol.update("D-0007", lambda c: ops.log(c, "supplier", "we ship tomorrow", NOW, "carol"))
    with pytest.raises(ConflictError) as exc:
        _edit(bob, "D-0007", {"title": "T2"}, base)
    assert [(u, f) for u, _, f in exc.value.changes] == [("alice", ["product"]), ("carol", ["messages"])]
    assert "alice changed product" in str(exc.value) and "carol changed messages" in str(exc.value)


def test_same_value_as_the_colleague_or_unchanged_is_nothing_to_save(seeded, db_path, cfg):
    alice, bob = _two(db_path, cfg)
    base = bob.get("D-0008")
    with pytest.raises(ValidationError, match="nothing changed"):
        bob.update("D-0008", lambda c: ops.edit_fields(c, {"title": base.title}, base))
    _edit(alice, "D-0008", {"title": "Same"}, alice.get("D-0008"))
    with pytest.raises(ValidationError, match="nothing changed"):
        bob.update("D-0008", lambda c: ops.edit_fields(c, {"title": "Same"}, base))


@pytest.mark.parametrize("values, message", [
    ({"amount": "-3"}, "negative"),
    ({"reason": "bored"}, "unknown reason"),
    ({"priority": "high"}, "priority"),
    ({"supplier": "  "}, "supplier"),
    ({"claimed": Decimal("999999999")}, "more than the order amount"),
    ({"colour": "red"}, "not an editable field"),
])
def test_bad_values_are_refused(seeded, values, message):
    base = seeded.get("D-0009")
    with pytest.raises(ValidationError, match=message):
        seeded.update("D-0009", lambda c: ops.edit_fields(c, values, base))
    assert seeded.get("D-0009").rev == base.rev


def test_an_untouched_field_is_kept_even_if_todays_rules_refuse_it(seeded):
    seeded.update("D-0010", lambda c: (setattr(c, "priority", 500), ("edit", "imported priority"))[1])
    base = seeded.get("D-0010")
    got = seeded.update("D-0010", lambda c: ops.edit_fields(c, {"title": "New", "priority": 500}, base))
    assert (got.title, got.priority) == ("New", 500)
    with pytest.raises(ValidationError, match="priority"):
        seeded.update("D-0010", lambda c: ops.edit_fields(c, {"priority": 501}, got))
