"""``board_cases`` in the contract: both backends return every case in id order with what the
board draws; the file backend's are light (no history, no message texts) and can never be
written back, through any write path (issue 11)."""

from __future__ import annotations

import pytest

from store import StoreError, ops
from store.model import STAGES
from store.sample import sample_cases
from tests.store.backends.test_contract import backend, new_case  # noqa: F401  the two-backend fixture
from tests.support import NOW


def test_board_cases_hold_what_the_board_draws_and_follow_changes(backend):  # noqa: F811
    backend.import_cases(sample_cases(12, NOW, messages=3, evidence=2))
    full = backend.cases()
    board = backend.board_cases()
    assert [c.id for c in board] == [c.id for c in full]
    for b, f in zip(board, full):
        assert b.stage in STAGES and b.stage == f.stage
        assert (b.title, b.supplier, b.amount, b.claim, b.currency, b.tags, b.rev) == \
               (f.title, f.supplier, f.amount, f.claim, f.currency, f.tags, f.rev)
        assert b.deadlines == f.deadlines and b.proposals == f.proposals and b.evidence == f.evidence
        assert [(m.at, m.sender, m.by) for m in b.messages] == [(m.at, m.sender, m.by) for m in f.messages]
        assert all(m.at.tzinfo is not None for m in b.messages) and b.created_at.tzinfo is not None
        if getattr(b, "light", False):
            assert b.history == [] and all(m.text == "" for m in b.messages) and b.description == ""
    backend.update("D-0003", lambda c: ops.tag(c, ["urgent"], []))
    backend.refresh()
    again = {c.id: c for c in backend.board_cases()}
    assert "urgent" in again["D-0003"].tags and again["D-0003"].rev == full[2].rev + 1
    assert backend.get("D-0003").history[-1].action  # the whole case, from get()


def test_a_light_case_can_never_be_written(backend):  # noqa: F811
    backend.import_cases(sample_cases(3, NOW, messages=2, evidence=0))
    lights = [c for c in backend.board_cases() if getattr(c, "light", False)]
    if not lights:
        pytest.skip("this backend hands out whole cases")
    c = lights[0]
    before = backend.get(c.id)
    with pytest.raises(StoreError, match="light case"):
        c.to_dict()
    c.id = "D-0020"  # a free id: refused for being light, not for the id
    with pytest.raises(StoreError, match="light case"):
        backend.import_cases([c])
    c.id = before.id
    c2 = lights[1]
    c2.id = "D-0009"
    with pytest.raises(StoreError, match="light case"):
        backend.create(c2)
    assert len(backend.cases()) == 3 and backend.get(c.id).history == before.history


def test_board_cases_of_one_stage(backend):  # noqa: F811
    backend.import_cases(sample_cases(25, NOW, messages=1, evidence=0))
    every = backend.board_cases()
    for stage in STAGES:
        assert [c.id for c in backend.board_cases(stage)] == [c.id for c in every if c.stage == stage]
