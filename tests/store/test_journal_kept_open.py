"""The journal stays open between saves, and a save still lands in the journal the name holds.

A save used to open the journal (a failed O_EXCL create, then an open without following links),
append, and close it. The storage now keeps it open for the next save of this process, and
uses it only while it is still the file at the journal's name: another process's compaction
renames a new journal over it, a person may remove it or put a symlink there; each time the
next save goes to what the name holds now (or refuses it), and nothing saved is lost.
"""

from __future__ import annotations

import os

import pytest

from store import DamagedDatabase, TinyStore, ops
from store.sample import sample_cases

from tests.support import NOW


@pytest.fixture
def two(db_path, cfg):
    a = TinyStore(db_path, cfg=cfg, user="ann", clock=lambda: NOW)
    a.import_cases(sample_cases(3, NOW, messages=1, evidence=0))
    a.storage.compact()
    a.storage.backup("daily", now=NOW)
    b = TinyStore(db_path, cfg=cfg, user="bob", clock=lambda: NOW)
    yield a, b
    b.close()
    a.close()


def note(s: TinyStore, cid: str, text: str) -> None:
    s.update(cid, lambda c: ops.log(c, "me", text, NOW, s.user))


def texts(db_path, cfg, cid: str) -> list[str]:
    fresh = TinyStore(db_path, cfg=cfg, user="reader", clock=lambda: NOW)
    try:
        return [m.text for m in fresh.get(cid).messages]
    finally:
        fresh.storage.discard()  # no fold: read what the files hold as they are


def test_the_second_save_opens_no_file(two, monkeypatch):
    a, _b = two
    note(a, "D-0001", "first")
    opened: list[str] = []
    real = os.open

    def spy(path, flags, *args, **kw):
        opened.append(os.fspath(path))
        return real(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", spy)
    note(a, "D-0002", "second")
    assert opened == []


def test_a_save_after_another_process_compacted_goes_to_the_new_journal(two, db_path, cfg):
    a, b = two
    note(a, "D-0001", "before the compaction")
    note(b, "D-0002", "bob's")
    b.storage.compact()  # a new snapshot, and a new (empty) journal renamed over the one a holds open
    note(a, "D-0003", "after the compaction")
    note(a, "D-0001", "and again")
    assert texts(db_path, cfg, "D-0003")[-1] == "after the compaction"
    assert texts(db_path, cfg, "D-0001")[-2:] == ["before the compaction", "and again"]
    assert texts(db_path, cfg, "D-0002")[-1] == "bob's"


def test_a_save_after_the_journal_was_removed_makes_a_new_one(two, db_path, cfg):
    a, _b = two
    note(a, "D-0001", "first")
    journal = a.storage.journal_path
    a.storage.compact()  # folded in: nothing is lost by removing the (empty) journal
    os.unlink(journal)
    note(a, "D-0002", "into a new journal")
    assert journal.exists() and journal.stat().st_size > 0
    assert texts(db_path, cfg, "D-0002")[-1] == "into a new journal"


def test_a_symlink_put_at_the_journal_name_is_refused_not_written_through(two, tmp_path):
    a, _b = two
    note(a, "D-0001", "first")
    journal = a.storage.journal_path
    victim = tmp_path / "victim"
    victim.write_bytes(journal.read_bytes())
    os.unlink(journal)
    os.symlink(victim, journal)
    kept = victim.read_bytes()
    with pytest.raises(DamagedDatabase, match="symbolic link"):
        note(a, "D-0002", "through the link?")
    assert victim.read_bytes() == kept
