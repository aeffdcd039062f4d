"""A save writes one document: TinyDB never rebuilds a table for it (issue 11).

TinyDB's ``Table.update``/``insert`` rebuild the whole table dict (twice per update), so a save
cost grew with the database although the journal makes it O(1). Proved here without timing: the
rebuild is counted (zero), the journal line holds only the saved case and the meta document, and
everything that reads the database afterwards (another process, TinyDB's own Table reads and
inserts, a plain TinyDB JSONStorage on the folded file) sees the change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Table

from store import ConflictError, TinyStore, ops
from store.backends.tinydb.storage import decode_journal
from store.model import case_number
from store.sample import sample_cases

from tests.support import NOW, ROOT



@pytest.fixture
def big(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(sample_cases(2000, NOW, messages=2, evidence=1))
    s.storage.compact()
    s.storage.backup("daily", now=NOW)  # today's backup is there: a save is a save, nothing else
    yield s
    s.close()


@pytest.fixture
def rebuilds(monkeypatch):
    calls: list[str] = []
    real = Table._update_table

    def counting(self, updater):
        calls.append(self.name)
        return real(self, updater)

    monkeypatch.setattr(Table, "_update_table", counting)
    return calls


def journal_ops(path: Path) -> list[list]:
    blob = path.with_name(path.name + ".journal").read_bytes()
    txs, _ = decode_journal(blob, "journal")
    return txs


def test_update_at_2000_cases_rebuilds_no_table_and_journals_one_case(big, db_path, rebuilds):
    before = big.get("D-0777")
    after = big.update("D-0777", lambda c: ops.log(c, "me", "one document, no rebuild", NOW, "tester"))
    assert rebuilds == []
    txs = journal_ops(db_path)
    assert len(txs) == 1
    assert sorted((t, k) for t, k, _doc in txs[0]) == [("cases", "777"), ("meta", "1")]
    assert after.rev == before.rev + 1
    # TinyDB's own reads see the one document that was written, in TinyDB's form
    assert big.table.get(doc_id=777)["messages"][-1]["text"] == "one document, no rebuild"
    assert len(big.table) == 2000
    assert big.meta_table.get(doc_id=1)["changed_case"] == "D-0777"


def test_create_rebuilds_no_table_and_tinydb_next_id_stays_right(big, db_path, rebuilds):
    guessed = big.table._get_next_id()  # TinyDB now caches its next-id guess (2002)
    fresh = sample_cases(2, NOW, seed=11, messages=1, evidence=0)
    a, b = big.create(fresh[0]), big.create(fresh[1])
    assert rebuilds == []
    assert (case_number(a.id), case_number(b.id)) == (2001, 2002)
    assert guessed == 2001
    # a stale guess would hand out 2002 again, over case b
    assert big.table._get_next_id() == 2003
    assert big.meta_table.get(doc_id=1)["last_id"] == 2002
    assert [sorted(k for _t, k, _d in ops_) for ops_ in journal_ops(db_path)] == [["1", "2001"], ["1", "2002"]]


def test_unknown_fields_are_kept_as_tinydb_update_kept_them(big, db_path):
    with big.storage.transaction() as data:
        big.storage.put("cases", 5, {**data["cases"]["5"], "from_a_newer_version": 1})
    big.update("D-0005", lambda c: ops.log(c, "me", "hi", NOW, "tester"))
    assert big.table.get(doc_id=5)["from_a_newer_version"] == 1


def test_a_refused_save_changes_nothing_in_memory_or_on_disk(big, db_path):
    rev = big.get("D-0010").rev
    with pytest.raises(ConflictError):
        big.update("D-0010", lambda c: ops.log(c, "me", "late", NOW, "tester"), expected_rev=rev - 1)

    def boom(c):
        ops.log(c, "me", "never saved", NOW, "tester")
        raise RuntimeError("a change that fails half-way")
    with pytest.raises(RuntimeError):
        big.update("D-0010", boom)
    assert big.get("D-0010").rev == rev
    assert all(m.text != "never saved" for m in big.get("D-0010").messages)
    assert not db_path.with_name(db_path.name + ".journal").read_bytes()


def test_another_process_sees_the_save_and_a_plain_tinydb_reads_the_folded_file(big, db_path, cfg):
    other = TinyStore(db_path, cfg=cfg, user="colleague", clock=lambda: NOW)
    other.cases()
    big.update("D-1500", lambda c: ops.log(c, "me", "seen by the colleague", NOW, "tester"))
    assert other.changed_on_disk()
    assert other.refresh() == {"D-1500"}
    assert other.get("D-1500").messages[-1].text == "seen by the colleague"
    other.close()
    # a save from a real second process, then the last one out folds
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from store import TinyStore, ops\nfrom store.config import defaults\n"
            "from tests.support import NOW\n"
            f"s = TinyStore({str(db_path)!r}, cfg=defaults(), user='p2', clock=lambda: NOW)\n"
            "s.update('D-1501', lambda c: ops.log(c, 'me', 'from a process', NOW, 'p2'))\n"
            "s.close()\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert big.refresh() == {"D-1501"}
    big.close()
    assert not db_path.with_name(db_path.name + ".journal").read_bytes()  # folded at close
    plain = TinyDB(db_path, storage=JSONStorage, access_mode="r")
    try:
        cases = plain.table("cases")
        assert len(cases) == 2000
        assert cases.get(doc_id=1500)["messages"][-1]["text"] == "seen by the colleague"
        assert cases.get(doc_id=1501)["messages"][-1]["text"] == "from a process"
    finally:
        plain.close()
