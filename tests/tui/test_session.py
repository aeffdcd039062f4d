"""The one writer, without a terminal: every save is one undo step, a bulk action is one step,
and undo reverts exactly the step it names, whoever else is writing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import ConflictError, TinyStore, ops
from store.sample import sample_cases
from tui.session import Session

from tests.support import NOW


@pytest.fixture
def session(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="alice", clock=lambda: NOW)
    s.import_cases(sample_cases(6, NOW, messages=1, evidence=0))
    yield Session(s, clock=lambda: NOW)
    s.close()


def _title(session, cid):
    return session.get(cid).title


def test_a_bulk_snooze_is_one_step_and_undo_reverts_exactly_it(session):
    a = session.get("D-0001")
    session.update("D-0001", lambda c: ops.log(c, "me", "chasing", NOW, "alice"), a.rev)
    targets = [session.get(cid) for cid in ("D-0002", "D-0003", "D-0004")]
    until = NOW + timedelta(days=2)
    out = session.bulk([(c, lambda k: ops.snooze(k, until, NOW)) for c in targets])
    assert out.ok == ["D-0002", "D-0003", "D-0004"] and not out.failed

    undone = session.undo()
    assert sorted(undone.ok) == ["D-0002", "D-0003", "D-0004"]
    assert all(session.get(cid).snoozed_until is None for cid in ("D-0002", "D-0003", "D-0004"))
    assert session.get("D-0001").messages[-1].text == "chasing"  # the older step is untouched

    session.redo()
    assert all(session.get(cid).snoozed_until == until for cid in ("D-0002", "D-0003", "D-0004"))


def test_two_of_my_changes_to_one_case_undo_one_after_the_other(session):
    c = session.get("D-0001")
    before = c.title

    def retitle(text):
        def change(k):
            k.title = text
            return "edit", f"title {text}"
        return change

    c = session.update("D-0001", retitle("first"), c.rev)
    session.update("D-0001", retitle("second"), c.rev)
    session.undo()
    assert _title(session, "D-0001") == "first"
    session.undo()  # expects the revision the first undo left, not the one it started from
    assert _title(session, "D-0001") == before
    with pytest.raises(LookupError):
        session.undo()


def test_undo_refuses_a_case_a_colleague_changed_since_and_keeps_it_for_later(session, db_path, cfg):
    c = session.get("D-0005")
    session.update("D-0005", lambda k: ops.snooze(k, NOW + timedelta(days=1), NOW), c.rev)
    bob = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    bob.update("D-0005", lambda k: ops.log(k, "supplier", "bob logged a reply", NOW, "bob"))
    bob.close()
    session.store.refresh()
    out = session.undo()
    assert out.ok == [] and isinstance(out.failed[0][1], ConflictError)
    assert "bob" in str(out.failed[0][1])
    assert session.get("D-0005").messages[-1].text == "bob logged a reply"
    assert session.can_undo  # kept: nothing was lost, and the user was told why


def test_a_bulk_with_a_stale_case_saves_the_rest_and_names_the_refused(session, db_path, cfg):
    stale = session.get("D-0006")
    bob = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    bob.update("D-0006", lambda k: ops.log(k, "supplier", "moved on", NOW, "bob"))
    bob.close()
    session.store.refresh()
    out = session.bulk([(session.get("D-0002"), lambda k: ops.tag(k, ["urgent"], [])),
                        (stale, lambda k: ops.tag(k, ["urgent"], []))])
    assert out.ok == ["D-0002"] and [cid for cid, _ in out.failed] == ["D-0006"]
    assert "urgent" not in session.get("D-0006").tags
    session.undo()
    assert "urgent" not in session.get("D-0002").tags


def test_my_last_change_from_before_this_session_can_be_undone_but_not_a_colleagues(session, db_path, cfg):
    c = session.get("D-0003")
    session.store.update("D-0003", lambda k: ops.tag(k, ["cli"], []), expected_rev=c.rev)  # e.g. from the CLI
    undone = session.undo_last_of_mine(session.get("D-0003"))
    assert "cli" not in undone.tags
    bob = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    bob.update("D-0003", lambda k: ops.tag(k, ["bobs"], []))
    bob.close()
    session.store.refresh()
    with pytest.raises(LookupError, match="last change by bob"):
        session.undo_last_of_mine(session.get("D-0003"))


def test_undoing_my_change_never_goes_on_into_a_colleagues_under_it(session, db_path, cfg):
    """My last entry is an undo of mine; under it lies bob's change: u must not revert bob's (it
    checked only that the newest entry was mine)."""
    bob = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    bob.update("D-0003", lambda k: ops.tag(k, ["bobs"], []))
    bob.close()
    session.store.refresh()
    c = session.get("D-0003")
    session.store.update("D-0003", lambda k: ops.tag(k, ["mine"], []), expected_rev=c.rev)
    session.undo_last_of_mine(session.get("D-0003"))  # mine: undone
    with pytest.raises(LookupError, match="last change by bob"):
        session.undo_last_of_mine(session.get("D-0003"))
    assert "bobs" in session.get("D-0003").tags
