"""The board's summary cache (store/summary.py, issue 11): a second open paints from it, and it
never shows anything the database does not say, whatever is planted where it lives."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from datetime import timedelta, timezone

import pytest

from store import TinyStore, ops, paths
from store.clocks import clocks, unanswered, whose_turn
from store.dates import show_instant
from store.light import light_case
from store.summary import SummaryCase, cache_file
from tests.store.backends.test_contract import new_case
from tests.support import NOW
from tests.support.cases import seeded_store


def _open(db, cfg) -> TinyStore:
    return TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)


VIEWER = timezone(timedelta(hours=5, minutes=30))


def _shown(x) -> tuple:
    """A clock as the detail shows it (``show_instant`` says the offset when it is not the viewer's)."""
    return (x.kind, x.label, x.due, show_instant(x.due, VIEWER), x.hard, x.party, x.met)


def _truth(store: TinyStore) -> dict:
    """What the board must show for every case: decoded from the bytes, clocks computed afresh."""
    out = {}
    for k in store.storage.keys("cases"):
        c = light_case(store.storage.raw("cases", k))
        out[c.id] = (c, [_shown(x) for x in clocks(c, store.cfg)], (whose_turn(c), unanswered(c)))
    return out


def _same(store: TinyStore, cases: list) -> None:
    truth = _truth(store)
    assert sorted(c.id for c in cases) == sorted(truth)
    for c in cases:
        want, want_clocks, want_turn = truth[c.id]
        assert c == want, c.id
        assert c.messages == want.messages and c.evidence == want.evidence, c.id  # the lazy lists
        got = [_shown(x) for x in clocks(c, store.cfg)]
        assert got == want_clocks, c.id  # the offset each due is shown in, too
        assert (whose_turn(c), unanswered(c)) == want_turn, c.id


def _warm(db, cfg, n=30):
    s = seeded_store(db, cfg, n=n)
    shanghai = timezone(timedelta(hours=8))  # a deadline entered in the platform's offset, shown in it
    s.update("D-0002", lambda c: ops.add_deadline(c, "reply_by", (NOW + timedelta(days=2)).astimezone(shanghai)))
    s.board_cases()
    s.close()  # writes the cache
    assert cache_file(db).is_file()


def test_a_second_open_reads_every_case_from_the_cache_and_shows_what_the_database_says(db_path, cfg):
    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        assert all(isinstance(c, SummaryCase) for c in cases) and s.summary().hits == 30
        assert s.first_look(60, 10) is None  # no partial first look: every case is quick
        _same(s, cases)
        assert all(c.light for c in cases)
        with pytest.raises(Exception, match="light"):
            cases[0].to_dict()  # never written back, as any light case
        whole = s.get(cases[0].id)
        assert whole.description and whole.history  # opening a case reads it whole, as before
    finally:
        s.close()


def test_a_case_a_colleague_changed_since_is_read_from_the_database(db_path, cfg, tmp_path):
    _warm(db_path, cfg)
    # A colleague's process changes two cases after the cache was written.
    code = ("import sys; from store import TinyStore, ops; from store.config import defaults;"
            "s = TinyStore(sys.argv[1], cfg=defaults(), user='li');"
            "s.update('D-0004', lambda c: ops.edit_fields(c, {'title': 'Changed by Li'}));"
            "s.update('D-0009', lambda c: ops.tag(c, ['escalate'], []));"
            "s.close()")
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True, env=os.environ | {"PYTHONPATH": os.getcwd()})
    s = _open(db_path, cfg)
    try:
        cases = {c.id: c for c in s.board_cases()}
        assert cases["D-0004"].title == "Changed by Li" and "escalate" in cases["D-0009"].tags
        assert s.summary().hits == 28 and s.summary().fresh == 2  # the two read from their bytes
        _same(s, list(cases.values()))
    finally:
        s.close()
    s = _open(db_path, cfg)  # and the cache now has the new entries
    try:
        s.board_cases()
        assert s.summary().hits == 30
    finally:
        s.close()


def test_changed_settings_are_never_answered_from_the_cache(db_path, cfg):
    _warm(db_path, cfg)
    other = copy.deepcopy(cfg)
    for prof in other.data["profiles"].values():
        for rule in prof.get("clocks", ()):
            if "days" in rule:
                rule["days"] = int(rule["days"]) + 5
    s = _open(db_path, other)
    try:
        cases = s.board_cases()
        assert s.summary().hits == 0
        _same(s, cases)
        moved = [c for c in cases if [k.due for k in clocks(c, other)] != [k.due for k in clocks(
            light_case(s.storage.raw("cases", str(c.number))), cfg)]]
        assert len(moved) > 20  # the change moved their deadlines: old answers would be wrong
    finally:
        s.close()


def test_a_planted_link_is_neither_followed_nor_written_through(db_path, cfg, tmp_path):
    victim = tmp_path / "someone-elses-file"
    victim.write_bytes(b"precious")
    target = cache_file(db_path)
    target.parent.mkdir(parents=True, mode=0o700)
    target.symlink_to(victim)
    _warm(db_path, cfg)  # reads (not through the link) and writes the cache
    assert victim.read_bytes() == b"precious"
    assert not target.is_symlink() and target.is_file()  # replaced by a file of ours


def test_a_folder_others_can_write_is_not_used(db_path, cfg):
    folder = paths.cache_dir()
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o777)
    s = seeded_store(db_path, cfg, n=5)
    try:
        _same(s, s.board_cases())
    finally:
        s.close()
    assert list(folder.iterdir()) == []  # nothing written where others could swap it


def test_a_folder_in_one_others_may_rename_in_is_not_used(db_path, cfg, tmp_path, monkeypatch):
    """$XDG_CACHE_HOME in a folder anyone may write (not sticky): our folder in it could be
    swapped for a link between the check and the write."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    s = seeded_store(db_path, cfg, n=5)
    try:
        _same(s, s.board_cases())
    finally:
        s.close()
    assert not any((shared / "disputes").glob("*"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(db_path, cfg, damage):
    _warm(db_path, cfg)
    f = cache_file(db_path)
    blob = f.read_bytes()
    f.write_bytes({"garbage": b"\x93\x01\xc4\x10" + os.urandom(64), "truncated": blob[: len(blob) // 2],
                   "empty": b""}[damage])
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        assert s.summary().hits == 0
        _same(s, cases)
    finally:
        s.close()
    assert f.read_bytes() != b"" and len(f.read_bytes()) > 1000  # rebuilt whole


def test_another_databases_cache_cannot_mislead(db_path, cfg, tmp_path):
    other = tmp_path / "other.json"
    _warm(other, cfg, n=30)
    s = seeded_store(db_path, cfg, n=30)  # the same ids, other contents (another import's times)
    s.update("D-0002", lambda c: ops.edit_fields(c, {"title": "Only in this database"}))
    s.close()
    cache_file(db_path).write_bytes(cache_file(other).read_bytes())
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        assert {c.id: c.title for c in cases}["D-0002"] == "Only in this database"
        _same(s, cases)
    finally:
        s.close()


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(db_path, cfg):
    base = paths.cache_dir().parent
    base.mkdir(parents=True, exist_ok=True)
    paths.cache_dir().write_bytes(b"a file where the folder should be")
    s = seeded_store(db_path, cfg, n=5)
    before = db_path.read_bytes()
    try:
        _same(s, s.board_cases())
        s.update("D-0001", lambda c: ops.tag(c, ["x"], []))
    finally:
        s.close()  # the failed cache write does not fail the close
    assert db_path.read_bytes() != before  # the save itself went through
    assert paths.cache_dir().read_bytes() == b"a file where the folder should be"


def test_the_database_alone_opens_without_its_cache(db_path, cfg, tmp_path):
    _warm(db_path, cfg)
    copy_path = tmp_path / "copy" / "disputes.json"
    copy_path.parent.mkdir()
    copy_path.write_bytes(db_path.read_bytes())
    for p in paths.cache_dir().iterdir():
        p.unlink()
    s = _open(copy_path, cfg)
    try:
        _same(s, s.board_cases())
        assert s.summary().hits == 0
    finally:
        s.close()


def test_snoozed_and_overdue_cases_rank_the_same_from_the_cache(db_path, cfg):
    """The urgency the board sorts by, at several instants, from cached clocks and from fresh ones."""
    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        from store.clocks import urgency
        for c in s.board_cases():
            fresh = light_case(s.storage.raw("cases", str(c.number)))
            for hours in (0, 30, 24 * 9, 24 * 40):
                at = NOW + timedelta(hours=hours)
                a, b = urgency(c, cfg, at), urgency(fresh, cfg, at)
                assert (a.level, a.rank, a.hard, a.clock and a.clock.due) == (b.level, b.rank, b.hard, b.clock and b.clock.due)
    finally:
        s.close()


def test_any_failure_writing_the_cache_leaves_a_durable_save_a_success(db_path, cfg, monkeypatch):
    """The save is on disk before the cache is written: whatever goes wrong with the cache (here
    its encoder itself) the command closes cleanly and the change is there."""
    from store import summary

    s = seeded_store(db_path, cfg, n=5)
    s.board_cases()
    s.update("D-0003", lambda c: ops.tag(c, ["kept"], []))

    class Broken:
        def encode(self, _obj):
            raise TypeError("a bug in the cache's encoder")

    monkeypatch.setattr(summary, "_encoder", Broken())
    s.close()  # no exception
    again = _open(db_path, cfg)
    try:
        assert "kept" in again.get("D-0003").tags
    finally:
        again.close()


def test_summaries_of_databases_unopened_for_a_month_are_removed_at_a_save(db_path, cfg):
    """Temporary copies and moved databases leave summaries behind: one unopened for 30 days
    goes at the next save; a recent one, ours, and anything not a summary stay."""
    folder = paths.cache_dir()
    folder.mkdir(parents=True, mode=0o700)
    old, recent, other = folder / "summary-0ld.msgpack", folder / "summary-rec3nt.msgpack", folder / "notes.txt"
    for f in (old, recent, other):
        f.write_bytes(b"x")
    # Each file's times set from the clock the sweep reads (the file system stamps real time,
    # which a moved calendar does not move).
    now, month = time.time(), 31 * 86400
    os.utime(recent, (now, now))
    os.utime(old, (now - month, now - month))
    os.utime(other, (now - month, now - month))
    _warm(db_path, cfg)
    assert not old.exists() and recent.exists() and other.exists() and cache_file(db_path).exists()


def test_a_summary_read_but_unchanged_for_a_week_is_kept_fresh(db_path, cfg):
    _warm(db_path, cfg)
    f = cache_file(db_path)
    week = 8 * 86400
    before = os.stat(f).st_mtime - week
    os.utime(f, (before, before))
    s = _open(db_path, cfg)
    try:
        s.board_cases()
    finally:
        s.close()
    assert os.stat(f).st_mtime > before + week - 60  # its time set again on the read: not pruned


def test_a_case_from_the_cache_decodes_its_fields_only_when_one_is_read(db_path, cfg):
    """Sorting, counting and the columns' totals read the entry's head alone (id, stage, rev,
    amounts, currency, supplier, title, clocks, turn, ...: ``HEAD``); the first other field read
    decodes them all, the same as the database says; ``fill`` decodes every case's at once."""
    from store.summary import HEAD, fill

    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        truth = _truth(s)
        for c in cases:
            want = truth[c.id][0]
            assert "_fields" in c.__dict__, c.id  # nothing decoded beyond the head yet
            assert (c.id, c.stage, c.rev, c.claim, c.currency) == (want.id, want.stage, want.rev, want.claim,
                                                                    want.currency)
            assert [x.due for x in clocks(c, s.cfg)] == [x.due for x in clocks(want, s.cfg)]
            assert "_fields" in c.__dict__ and not set(c.__dict__) - set(HEAD) - {
                "_fields", "_shared", "_raw", "_known", "history", "notified", "number"}, c.id
            assert c.number == want.number, c.id
        assert "history" not in cases[0].__dict__ and cases[0].history == [] == cases[0].notified  # made when read
        assert cases[0].history is cases[0].history and "history" in cases[0].__dict__
        one = cases[3]
        assert (one.title, one.supplier) == (truth[one.id][0].title, truth[one.id][0].supplier)  # the head's
        assert "_fields" in one.__dict__
        assert one.reason == truth[one.id][0].reason  # a field at a value: decoded now
        assert "_fields" not in one.__dict__ and one == truth[one.id][0]
        rest = [c for c in cases if c is not one]
        assert rest[0].platform_ref == truth[rest[0].id][0].platform_ref  # a field at its default, too
        assert "_fields" not in rest[0].__dict__
        fill(cases)
        assert not any("_fields" in c.__dict__ for c in cases)
        _same(s, cases)
    finally:
        s.close()


def test_filled_clocks_hold_one_copy_of_each_repeated_text(db_path, cfg):
    """Decoded from the cache, each clock had its own copy of its kind, label, party and source:
    ~250 of its ~400 bytes, 6 MB of the board at 10,000 cases (VmHWM 130 -> 124 MB at its
    sorted frame). After ``fill`` every case's clocks name the same text objects, and say what
    the database says."""
    from store.summary import fill

    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        assert s.summary().hits == 30
        fill(cases[:12])
        fill(cases[12:])
        texts: dict[str, set[int]] = {}
        for c in cases:
            for x in clocks(c, s.cfg):
                for t in (x.kind, x.label, x.party, x.source):
                    texts.setdefault(t, set()).add(id(t))
        repeated = {t: ids for t, ids in texts.items() if len(ids) > 1}
        assert len(texts) >= 6
        assert all(len(ids) <= 2 for ids in texts.values()), repeated  # one a call of fill
        _same(s, cases)
    finally:
        s.close()


def test_the_snooze_check_and_the_triage_read_the_head_alone(db_path, cfg):
    """Today and the digest leave snoozed cases out, then triage the rest: what both read
    (``snoozed_until``, ``platform``, ``stage_entered_at``) is in the entry's head, so they decode
    no case's other fields (10k: 10,000 decodes were 150 ms of a digest printing 5,000; now only
    the printed ones decode theirs), and they say what the database says."""
    from store import query

    s = seeded_store(db_path, cfg, n=30)
    s.update("D-0003", lambda c: ops.snooze(c, NOW + timedelta(days=3), NOW))
    s.update("D-0005", lambda c: ops.snooze(c, NOW - timedelta(days=1), NOW - timedelta(days=2)))  # woken
    s.board_cases()
    s.close()
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        truth = _truth(s)
        assert s.summary().hits == 30
        got = {c.id: query.is_snoozed(c, NOW) for c in cases}
        assert got == {i: query.is_snoozed(want, NOW) for i, (want, _k, _t) in truth.items()}
        assert got["D-0003"] and not got["D-0005"]
        assert all("_fields" in c.__dict__ for c in cases)  # nothing decoded beyond the head
        assert [c.snoozed_until for c in cases] == [truth[c.id][0].snoozed_until for c in cases]
        weights = query.triage_weights(s.cfg, NOW)  # and the triage reads the head alone, too
        got = [query.triage(c, s.cfg, NOW, weights=weights) for c in cases]
        assert all("_fields" in c.__dict__ for c in cases)
        assert [(t.case.id, t.why, t.score, t.due) for t in got] == [
            (i, t.why, t.score, t.due) for i, t in ((c.id, query.triage(truth[c.id][0], s.cfg, NOW)) for c in cases)]
        assert any(t.why for t in got) and any(c.stage == "seller" for c in cases)
    finally:
        s.close()


def test_an_entry_whose_fields_do_not_decode_is_read_from_the_case_bytes(db_path, cfg, monkeypatch):
    """The fields are decoded late, so a failure then cannot fall back to a fresh entry: the
    case's own bytes are decoded instead (the light decoder), never a wrong or missing value."""
    import msgspec

    from store import summary

    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()

        class Broken:
            def decode(self, _raw):
                raise msgspec.DecodeError("damaged")

        monkeypatch.setattr(summary, "_fields_decoder", Broken())
        truth = _truth(s)
        for c in cases:
            assert c.supplier == truth[c.id][0].supplier and c == truth[c.id][0], c.id
    finally:
        s.close()


def test_changed_urgency_windows_are_never_answered_from_the_cache(db_path, cfg):
    """The entries keep each case's rank schedule, which the soon windows shape: a cache made
    under other windows is not used, and the sort keys are those of the new windows."""
    from tui.triage import Triage

    _warm(db_path, cfg)
    other = copy.deepcopy(cfg)
    other.data["urgency"] = {**cfg.urgency, "soon_hard_hours": cfg.urgency["soon_hard_hours"] + 100,
                             "soon_soft_hours": cfg.urgency["soon_soft_hours"] + 100}
    s = _open(db_path, other)
    try:
        cases = sorted(s.board_cases(), key=lambda c: c.number)
        assert s.summary().hits == 0
        whole = s.cases()
        assert Triage(other).sort_keys(cases, NOW) == Triage(other).sort_keys(whole, NOW)
        assert Triage(other).sort_keys(whole, NOW) != Triage(cfg).sort_keys(whole, NOW)  # the change matters
    finally:
        s.close()


def test_an_entry_whose_clocks_do_not_decode_is_answered_from_the_case_bytes(db_path, cfg, monkeypatch):
    """The clocks are decoded when first read, after the entry was taken: a failure then gives
    the clocks, turn and waiting times computed from the case's own bytes, never none."""
    import msgspec

    from store import summary

    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        cases = s.board_cases()
        assert s.summary().hits == 30

        class Broken:
            def decode(self, _raw):
                raise msgspec.ValidationError("damaged")

        monkeypatch.setattr(summary, "_clocks_decoder", Broken())
        _same(s, cases)
    finally:
        s.close()


def test_asked_again_the_board_gets_the_same_cases_until_one_changes_here_or_elsewhere(db_path, cfg):
    """The board's first load asks for every case again right after ``tui.cli`` read them ahead:
    the same cases come back, while each is still from the bytes the database holds. A save
    here, a colleague's save seen by ``refresh`` and a colleague's new case are each seen."""
    _warm(db_path, cfg)
    s = _open(db_path, cfg)
    colleague = _open(db_path, cfg)
    try:
        first = s.board_cases()
        first.pop()  # the caller's list to keep: the next answer is whole all the same
        again = s.board_cases()
        assert len(again) == 30 and all(a is b for a, b in zip(again, first))
        s.update("D-0003", lambda c: ops.tag(c, ["mine"], []))
        mine = {c.id: c for c in s.board_cases()}
        assert "mine" in mine["D-0003"].tags and mine["D-0003"] is not again[2]
        assert mine["D-0004"] is again[3]  # the others as they were
        colleague.update("D-0005", lambda c: ops.edit_fields(c, {"title": "Changed by Li"}))
        made = colleague.create(new_case("A new one"))
        assert {c.id: c for c in s.board_cases()}["D-0005"].title != "Changed by Li"  # not seen yet
        s.refresh()
        seen = {c.id: c for c in s.board_cases()}
        assert seen["D-0005"].title == "Changed by Li" and seen[made.id].title == "A new one" and len(seen) == 31
        _same(s, list(seen.values()))
    finally:
        colleague.close()
        s.close()
