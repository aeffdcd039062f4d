"""One contract, two backends: what the board and the command line rely on from a CaseStore,
run over the shared file (TinyStore) and memory (MemoryStore). A backend that passes this can
replace the file one without the UI changing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from store import Case, ConflictError, NotFound, TinyStore, ValidationError, ops
from store.backends.memory import MemoryStore
from store.base import CaseStore
from store.sample import sample_cases
from tests.support import NOW


@pytest.fixture(params=["tinydb", "memory"])
def backend(request, tmp_path, cfg):
    if request.param == "tinydb":
        s: CaseStore = TinyStore(tmp_path / "c.json", cfg=cfg, user="alice", clock=lambda: NOW)
    else:
        s = MemoryStore(user="alice", clock=lambda: NOW)
    yield s
    s.close()


def new_case(title="Cracked mugs", amount="120.00") -> Case:
    return Case(id="D-0001", order="100200300", supplier="Ningbo Test Co.", reason="damaged",
                amount=Decimal(amount), created_at=NOW, stage_entered_at=NOW, title=title)


def test_ids_are_allocated_in_order_and_never_reused(backend):
    a = backend.create(new_case("a"))
    b = backend.create(new_case("b"))
    assert (a.id, b.id) == ("D-0001", "D-0002")
    assert a.rev == 1 and a.history[0].action == "create" and a.history[0].user == "alice"
    assert [c.id for c in backend.cases()] == ["D-0001", "D-0002"]
    assert backend.get("d-2").title == "b"  # typed forms of the id find it


def test_get_returns_a_copy_the_caller_may_change(backend):
    backend.create(new_case())
    c = backend.get("D-0001")
    c.title = "changed in my hands only"
    assert backend.get("D-0001").title == "Cracked mugs"


def test_unknown_case_is_not_found(backend):
    with pytest.raises(NotFound):
        backend.get("D-0099")
    with pytest.raises(NotFound):
        backend.update("D-0099", lambda c: ops.tag(c, ["x"], []))


def test_update_records_who_what_and_bumps_the_revision(backend):
    backend.create(new_case())
    c = backend.update("D-0001", lambda k: ops.log(k, "supplier", "we will refund", NOW, "alice"))
    assert c.rev == 2 and c.messages[-1].text == "we will refund"
    assert c.history[-1].user == "alice" and c.history[-1].at == NOW
    assert backend.last_change().case == "D-0001" and backend.last_change().user == "alice"


def test_a_stale_revision_is_refused_naming_who_and_changes_nothing(backend):
    backend.create(new_case())
    backend.update("D-0001", lambda k: ops.tag(k, ["urgent"], []))
    with pytest.raises(ConflictError) as err:
        backend.update("D-0001", lambda k: ops.tag(k, ["late"], []), expected_rev=1)
    assert err.value.user == "alice" and err.value.rev == 2
    assert backend.get("D-0001").tags == ["urgent"]


def test_a_change_that_changes_nothing_or_breaks_a_rule_is_refused(backend):
    backend.create(new_case())
    with pytest.raises(ValidationError):
        backend.update("D-0001", lambda k: ("edit", "nothing"))

    def bad(k):
        k.amount = Decimal("-5")
        return "edit", "negative"
    with pytest.raises(ValidationError):
        backend.update("D-0001", bad)
    assert backend.get("D-0001").rev == 1


def test_undo_and_redo_walk_the_history(backend):
    backend.create(new_case())
    backend.update("D-0001", lambda k: ops.move(k, "dispute", NOW))
    backend.update("D-0001", lambda k: ops.snooze(k, NOW + timedelta(days=1), NOW))
    c = backend.undo("D-0001")
    assert c.snoozed_until is None and c.stage == "dispute" and c.history[-1].action == "undo"
    c = backend.undo("D-0001")
    assert c.stage == "seller"
    with pytest.raises(ValidationError):
        backend.undo("D-0001")  # the creation is not undone
    c = backend.redo("D-0001")
    assert c.stage == "dispute"
    with pytest.raises(ConflictError):
        backend.undo("D-0001", expected_rev=1)


def test_import_keeps_ids_and_is_all_or_nothing(backend):
    cases = sample_cases(5, NOW, messages=1, evidence=0)
    assert backend.import_cases(cases) == 5
    assert [c.id for c in backend.cases()][:2] == ["D-0001", "D-0002"]
    again = sample_cases(2, NOW, messages=0, evidence=0, start_id=5)  # D-0005 is taken
    with pytest.raises(ValidationError, match="D-0005"):
        backend.import_cases(again)
    assert len(backend.cases()) == 5
    assert backend.create(new_case()).id == "D-0006"


def test_cases_by_stage(backend):
    backend.import_cases(sample_cases(20, NOW, messages=0, evidence=0))
    for stage in ("seller", "mediation"):
        assert [c.id for c in backend.cases(stage)] == [c.id for c in backend.cases() if c.stage == stage]


def test_first_look_paints_true_totals_before_decoding_everything(backend):
    backend.import_cases(sample_cases(30, NOW, messages=0, evidence=0))
    assert backend.first_look(per_stage=2, threshold=100) is None  # small: decode it all
    look = backend.first_look(per_stage=2, threshold=10)
    every = backend.cases()
    for stage, (n, total, currencies) in look.totals.items():
        mine = [c for c in every if c.stage == stage]
        assert n == len(mine) and total == sum(c.claim for c in mine)
        assert [c.id for c in look.first[stage]] == [c.id for c in mine[:2]]


def test_nothing_else_wrote_and_refresh_says_so(backend):
    backend.create(new_case())
    backend.refresh()
    assert backend.changed_on_disk() is False
    assert backend.refresh() == set()


def test_a_refusal_names_who_changed_which_fields_and_what_both_changed(backend):
    backend.create(new_case())
    base = backend.get("D-0001")

    def retitle(text):
        def change(k):
            k.title = text
            return "edit", f"title {text}"
        return change

    backend.user = "bob"  # a colleague (the file backend would see them through another process)
    backend.update("D-0001", retitle("bob's title"))
    backend.user = "alice"
    with pytest.raises(ConflictError) as err:
        backend.update("D-0001", retitle("alice's title"), expected_rev=base.rev, fields=["title"])
    assert err.value.user == "bob" and "title" in err.value.fields and err.value.both == ["title"]
    assert "bob changed title" in str(err.value)
    assert backend.get("D-0001").title == "bob's title"


def test_undo_passes_over_what_notify_recorded(backend):
    """A cron `notify` between my change and my undo: undo reverts my change, never the record
    of what was mailed (undoing that would only mail the same warning again)."""
    backend.create(new_case())
    backend.update("D-0001", lambda k: ops.tag(k, ["urgent"], []))

    def record(k):
        k.notified = [*k.notified, {"kind": "evidence_due", "due": NOW.isoformat(), "threshold": "24h"}]
        return "notify", "mailed the 24h warning"
    backend.update("D-0001", record)
    c = backend.undo("D-0001")
    assert c.tags == [] and len(c.notified) == 1


def test_last_id_is_the_highest_ever_handed_out(backend):
    assert backend.last_id() == 0
    backend.import_cases(sample_cases(3, NOW, messages=0, evidence=0, start_id=7))
    assert backend.last_id() == 9
    assert backend.create(new_case()).id == "D-0010" and backend.last_id() == 10


def test_order_keys_list_what_the_duplicate_check_needs_and_follow_changes(backend):
    backend.import_cases(sample_cases(12, NOW, messages=0, evidence=0))
    c = backend.create(new_case())
    backend.update(c.id, lambda x: (setattr(x, "platform_ref", "PP-REF-9"), ("edit", "ref"))[1])
    keys = backend.order_keys()
    assert keys == [(x.id, x.platform, x.order, x.platform_ref) for x in backend.cases()]
    assert keys[-1] == (c.id, "alibaba", "100200300", "PP-REF-9")
    assert len(keys) == 13 and all(isinstance(v, str) for k in keys for v in k)


def test_undo_by_a_user_reverts_only_their_own_change(backend):
    """``by``: the change an undo (or a redo) would revert must be that user's; someone else's is
    refused naming them, and nothing is written."""
    from store.history import NotYours

    backend.create(new_case())
    backend.update("D-0001", lambda k: ops.tag(k, ["alices"], []))
    with pytest.raises(NotYours) as exc:
        backend.undo("D-0001", by="bob")
    assert exc.value.user == "alice" and "alice" in str(exc.value)
    assert backend.get("D-0001").tags == ["alices"] and backend.get("D-0001").rev == 2
    c = backend.undo("D-0001", by="alice")
    assert c.tags == []
    with pytest.raises(NotYours):
        backend.redo("D-0001", by="bob")  # the undo to redo is alice's
    assert backend.redo("D-0001", by="alice").tags == ["alices"]
