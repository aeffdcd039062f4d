"""The shared-box storage against real files and real processes.

Several people SSH into one box and save into one database at once; a writer can be killed at
any instant; a file can be damaged. Each test here starts real Python processes that import the
store, and checks what a user would notice: a lost case or message, a database that no longer
opens, a file the rest of the team cannot read.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from tinydb import TinyDB

import store.backends.tinydb.storage as storage_mod
from store.validate import check_case
from store import ConflictError, DamagedDatabase, TinyStore, ops
from store.config import Config, defaults
from store.model import Case, case_id
from store.sample import sample_cases
from store.backends.tinydb.storage import decode_journal, encode_line

from tests.support import NOW, ROOT


PRELUDE = """
import json, os, sys, time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from store import TinyStore, ops
from store.config import Config, defaults
from store.model import Case, case_id
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
def new_case(title):
    return Case(id="D-0001", order="100200300", supplier="Ningbo Test Co.", reason="damaged",
                amount=Decimal("10.00"), created_at=NOW, stage_entered_at=NOW, title=title)
"""


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def spawn(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PRELUDE + code, *map(str, args)], env=child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def run(code: str, *args: str, timeout: float = 60) -> str:
    p = subprocess.run([sys.executable, "-c", PRELUDE + code, *map(str, args)], env=child_env(),
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr
    return p.stdout


def db_bytes(path: Path) -> dict[str, bytes | None]:
    out = {}
    for p in (path, path.with_name(path.name + ".journal")):
        out[p.name] = p.read_bytes() if p.exists() else None
    return out


def open_store(path: Path, user: str = "tester", **kw) -> TinyStore:
    return TinyStore(path, cfg=kw.pop("cfg", None) or defaults(), user=user, clock=kw.pop("clock", lambda: NOW), **kw)


def seed(path: Path, n: int, **kw) -> None:
    s = open_store(path)
    s.import_cases(sample_cases(n, NOW, **kw))
    s.close()


def journal(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def temps(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + ".tmp-"))


# -- several writers at once ----------------------------------------------------------------------

WRITER = """
path, name, go, seeded = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = TinyStore(path, cfg=defaults(), user=name, clock=lambda: NOW)
while not os.path.exists(go):
    time.sleep(0.001)
created, updated = [], []
for i in range(50):
    c = s.create(new_case(f"{name}-{i}"))
    created.append(c.id)
    target = case_id((i * 7 + len(name) * 3) % seeded + 1)
    text = f"{name}-u{i}"
    s.update(target, lambda c: ops.log(c, "note", text, NOW, name))
    updated.append([target, text])
print(json.dumps({"created": created, "updated": updated}))
"""


def test_three_writers_at_once_lose_nothing(db_path):
    seed(db_path, 30, messages=2, evidence=1)
    go = db_path.with_name("go")
    names = ["alice", "bobby", "chen"]
    procs = [spawn(WRITER, db_path, n, go, 30) for n in names]
    time.sleep(0.3)  # let them all start and open the database
    go.touch()
    results = {}
    for n, p in zip(names, procs):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        results[n] = json.loads(out)

    s = open_store(db_path)
    cases = s.cases()
    numbers = [c.number for c in cases]
    assert numbers == list(range(1, 30 + 150 + 1)), "every case there, ids unique and none skipped"
    by_id = {c.id: c for c in cases}
    for n in names:
        for i, cid in enumerate(results[n]["created"]):
            assert by_id[cid].title == f"{n}-{i}" and by_id[cid].created_by == n
    titles = [c.title for c in cases[30:]]
    assert len(set(titles)) == 150
    expected: dict[str, list[str]] = {}
    for n in names:
        for cid, text in results[n]["updated"]:
            expected.setdefault(cid, []).append(text)
    for cid, texts in expected.items():
        got = [m.text for m in by_id[cid].messages if m.text.startswith(tuple(n + "-u" for n in names))]
        assert sorted(got) == sorted(texts), f"{cid}: an update was lost or doubled"
        assert by_id[cid].rev == 1 + len(texts)
        # each writer's own updates stay in the order it made them
        for n in names:
            mine = [t for t in got if t.startswith(n + "-")]
            assert mine == [t for t in texts if t.startswith(n + "-")]
    assert s.last_change().user in names
    s.close()


# -- a writer killed mid-save ---------------------------------------------------------------------

KILLED = """
path, mode, rnd = sys.argv[1], sys.argv[2], sys.argv[3]
s = TinyStore(path, cfg=defaults(), user="killed", clock=lambda: NOW)
s.storage.compact_min_bytes = 2000  # fold the journal every few saves
orig = s.storage._write_snapshot
def traced(data):
    print("C", flush=True)
    orig(data)
s.storage._write_snapshot = traced
if mode == "compact":
    real_replace = os.replace
    def slow_replace(src, dst):  # a slow disk: widen the window between temp file and rename
        time.sleep(0.002)
        real_replace(src, dst)
    os.replace = slow_replace
print("ready", flush=True)
i = 0
while True:
    i += 1
    tag = f"{rnd}-{i}"
    if i % 4 == 0:
        s.create(new_case(tag))
    else:
        s.update(case_id(i % 5 + 1), lambda c: ops.log(c, "note", tag, NOW, "killed"))
    if mode == "compact" and i % 2 == 0:
        s.storage.compact()
    print(i, flush=True)
"""


def _round_tags(s: TinyStore, rnd: int) -> set[int]:
    prefix = f"{rnd}-"
    seen: list[int] = []
    for c in s.cases():
        if c.title.startswith(prefix):
            seen.append(int(c.title[len(prefix):]))
        seen += [int(m.text[len(prefix):]) for m in c.messages if m.sender == "note" and m.text.startswith(prefix)]
    assert len(seen) == len(set(seen)), "a save was applied twice"
    return set(seen)


def test_writer_killed_mid_save_many_times(db_path):
    seed(db_path, 5, messages=2, evidence=1)
    rng = random.Random(20261126)
    mid_compaction = 0
    for rnd in range(30):
        mode = "compact" if rnd % 2 else "random"
        before = open_store(db_path)
        count_before = before.count()
        before.close()

        p = spawn(KILLED, db_path, mode, rnd)
        lines = []
        while True:
            line = p.stdout.readline()
            assert line, p.stderr.read()
            lines.append(line.strip())
            if mode == "random" and line.strip() == "ready":
                time.sleep(rng.uniform(0.005, 0.2))
                break
            if mode == "compact" and line.strip() == "C" and len(lines) > 2:
                time.sleep(rng.uniform(0, 0.004))
                break
        os.kill(p.pid, signal.SIGKILL)
        # Read the rest through the same buffered reader: readline() may already hold lines
        # that communicate() (which reads the raw pipe) would never see.
        lines += p.stdout.read().split()
        p.wait(timeout=10)
        p.stdout.close()
        p.stderr.close()
        assert p.returncode == -signal.SIGKILL
        acked = {int(x) for x in lines if x.isdigit()}
        if temps(db_path):
            mid_compaction += 1

        orjson.loads(db_path.read_bytes())  # the snapshot is always whole JSON
        s = open_store(db_path)  # and the database opens
        got = _round_tags(s, rnd)
        last = max(acked, default=0)
        assert acked <= got, f"round {rnd}: acknowledged saves lost: {sorted(acked - got)}"
        assert got - acked <= {last + 1}, f"round {rnd}: saves nobody made: {sorted(got - acked - {last + 1})}"
        creates = {i for i in got if i % 4 == 0}
        cases = s.cases()
        assert [c.number for c in cases] == list(range(1, count_before + len(creates) + 1))
        for c in cases:
            check_case(c)
        s.close()

    print(f"kills that left a snapshot temp file: {mid_compaction}/30")
    # Every round landed somewhere; a good share of them inside a snapshot write.
    assert mid_compaction >= 1, "no kill landed during a compaction: the test lost its teeth"
    # The next writer that writes a snapshot clears what the killed ones left.
    s = open_store(db_path)
    s.update("D-0001", lambda c: ops.log(c, "me", "after the storm", NOW, "tester"))
    s.storage.compact()
    assert temps(db_path) == []
    assert s.get("D-0001").messages[-1].text == "after the storm"
    s.close()


def test_next_save_clears_a_killed_writers_temp_file(store, db_path):
    store.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("1.00"),
                      created_at=NOW, stage_entered_at=NOW))
    stale = db_path.with_name(db_path.name + ".tmp-999999")
    stale.write_bytes(b'{"cases": {"1": {"id": "D-00')  # what a writer killed mid-compaction leaves
    store.update("D-0001", lambda c: ops.log(c, "me", "hello", NOW, "tester"))
    assert not stale.exists()


# -- damaged files --------------------------------------------------------------------------------

_STILL_OPEN: list[TinyStore] = []


def _db_with_journal(db_path: Path) -> None:
    s = open_store(db_path)
    s.import_cases(sample_cases(6, NOW, messages=2, evidence=1))
    s.storage.compact()
    for i in range(3):
        s.update(case_id(i + 1), lambda c: ops.log(c, "me", f"line {i}", NOW, "tester"))
    # Left open, as a teammate's board would be: the last process to close folds the journal in.
    _STILL_OPEN.append(s)
    assert len(journal(db_path).read_bytes().splitlines()) == 3


@pytest.mark.parametrize("damage", ["truncated", "garbage", "not a dict"])
def test_damaged_snapshot_refuses_to_open_and_is_left_alone(db_path, damage):
    _db_with_journal(db_path)
    blob = db_path.read_bytes()
    db_path.write_bytes({"truncated": blob[: len(blob) // 2], "garbage": b"\x00\xff<html>oops",
                         "not a dict": b"[1, 2, 3]"}[damage])
    before = db_bytes(db_path)
    with pytest.raises(DamagedDatabase) as exc:
        open_store(db_path)
    msg = str(exc.value)
    assert "\n" not in msg and str(db_path) in msg
    assert db_bytes(db_path) == before


def test_damaged_journal_line_in_the_middle_refuses_to_open(db_path):
    _db_with_journal(db_path)
    lines = journal(db_path).read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"line 1", b"line X")  # same length, checksum no longer matches
    journal(db_path).write_bytes(b"\n".join(lines))
    before = db_bytes(db_path)
    with pytest.raises(DamagedDatabase) as exc:
        open_store(db_path)
    msg = str(exc.value)
    assert "\n" not in msg and str(journal(db_path)) in msg
    assert db_bytes(db_path) == before
    # and a process on the box sees the same
    out = subprocess.run([sys.executable, "-c", PRELUDE + """
try:
    TinyStore(sys.argv[1], cfg=defaults(), user="x")
except Exception as e:
    print(type(e).__name__)
""", str(db_path)], env=child_env(), capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "DamagedDatabase", out.stderr
    assert db_bytes(db_path) == before


def test_torn_journal_tail_is_ignored_then_cut_by_the_next_writer(db_path):
    _db_with_journal(db_path)
    reader = open_store(db_path, user="reader")
    torn = encode_line([["cases", "1", {"id": "D-0001", "half": "written"}]])[:-20]
    with open(journal(db_path), "ab") as fh:
        fh.write(torn)
    before = db_bytes(db_path)

    fresh = open_store(db_path)  # a reader opening now
    assert [m.text for m in fresh.get("D-0002").messages][-1] == "line 1"
    assert fresh.count() == 6
    assert db_bytes(db_path) == before, "a reader must not write"
    assert reader.refresh() == set()
    fresh.close()

    run("""
s = TinyStore(sys.argv[1], cfg=defaults(), user="writer", clock=lambda: NOW)
s.update("D-0004", lambda c: ops.log(c, "me", "after the tear", NOW, "writer"))
""", db_path)
    blob = journal(db_path).read_bytes()
    assert torn not in blob and blob.endswith(b"\n")
    txs, used = decode_journal(blob, "journal")
    assert used == len(blob) and len(txs) == 4
    assert reader.refresh() == {"D-0004"}
    for i in range(3):
        assert [m.text for m in reader.get(case_id(i + 1)).messages][-1] == f"line {i}"
    assert reader.get("D-0004").messages[-1].text == "after the tear"
    reader.close()


# -- file modes -----------------------------------------------------------------------------------

MODES = """
path, umask, group = sys.argv[1], int(sys.argv[2], 8), sys.argv[3] == "1"
os.umask(umask)
d = defaults().data
d["database"]["group_shared"] = group
s = TinyStore(path, cfg=Config(d, None), user="m", clock=lambda: NOW)
s.create(new_case("mode"))
s.storage.compact()
s.update("D-0001", lambda c: ops.log(c, "me", "hi", NOW, "m"))
s.close()
def mode(p):
    return oct(os.stat(p).st_mode & 0o777)
bdir = path + ".backups"
print(json.dumps({"db": mode(path), "journal": mode(path + ".journal"), "lock": mode(path + ".lock"),
                  "backups_dir": mode(bdir), "backups": sorted({mode(os.path.join(bdir, n)) for n in os.listdir(bdir)}),
                  "n_backups": len(os.listdir(bdir))}))
"""


@pytest.mark.parametrize("umask, group, files, folder", [
    ("0", "0", "0o600", "0o700"),
    ("0", "1", "0o660", "0o770"),
    ("022", "0", "0o600", "0o700"),
])
def test_new_database_file_modes(db_path, umask, group, files, folder):
    got = json.loads(run(MODES, db_path, umask, group))
    assert got["n_backups"] >= 1
    assert got == {"db": files, "journal": files, "lock": files, "backups_dir": folder, "backups": [files],
                   "n_backups": got["n_backups"]}


def test_group_shared_files_under_a_usual_umask(db_path):
    got = json.loads(run(MODES, db_path, "022", "1"))
    assert (got["db"], got["journal"], got["lock"], got["backups"]) == ("0o660", "0o660", "0o660", ["0o660"])


def test_group_shared_backups_folder_under_a_usual_umask(db_path):
    got = json.loads(run(MODES, db_path, "022", "1"))
    assert got["backups_dir"] == "0o770"


def test_existing_mode_is_kept_across_compaction(store, db_path):
    store.import_cases(sample_cases(3, NOW, messages=1, evidence=1))
    os.chmod(db_path, 0o640)
    ino = os.stat(db_path).st_ino
    store.storage.compact()
    assert os.stat(db_path).st_ino != ino, "compaction replaced the file"
    assert os.stat(db_path).st_mode & 0o777 == 0o640
    store.update("D-0001", lambda c: ops.log(c, "me", "hi", NOW, "tester"))
    assert os.stat(journal(db_path)).st_mode & 0o777 == 0o640
    store.storage.backup("manual", keep=2)
    for b in (db_path.with_name(db_path.name + ".backups")).glob("*-manual.json"):
        assert os.stat(b).st_mode & 0o777 == 0o640


# -- conflicts and other people's changes ---------------------------------------------------------

BOB_WRITES = """
s = TinyStore(sys.argv[1], cfg=defaults(), user="bob", clock=lambda: NOW)
s.update(sys.argv[2], lambda c: ops.log(c, "supplier", "bob logged the supplier's reply", NOW, "bob"))
"""


def test_stale_save_is_refused_naming_the_other_user(seeded, db_path):
    alice = open_store(db_path, user="alice")
    loaded = alice.get("D-0007")
    run(BOB_WRITES, db_path, "D-0007")
    before = db_bytes(db_path)
    with pytest.raises(ConflictError) as exc:
        alice.update("D-0007", lambda c: ops.log(c, "me", "alice's stale edit", NOW, "alice"),
                     expected_rev=loaded.rev)
    assert exc.value.user == "bob"
    assert "bob" in str(exc.value) and "D-0007" in str(exc.value) and "\n" not in str(exc.value)
    assert db_bytes(db_path) == before, "a refused save wrote something"
    assert [m.text for m in alice.get("D-0007").messages][-1] == "bob logged the supplier's reply"
    # with the fresh revision it goes through
    fresh = alice.get("D-0007")
    alice.update("D-0007", lambda c: ops.log(c, "me", "alice again", NOW, "alice"), expected_rev=fresh.rev)
    alice.close()


def test_another_process_write_is_noticed(seeded, db_path, monkeypatch):
    a = seeded
    assert not a.changed_on_disk()
    assert a.refresh() == set()
    old = a.get("D-0003")
    run(BOB_WRITES, db_path, "D-0003")
    assert a.changed_on_disk()
    assert a.refresh() == {"D-0003"}
    new = a.get("D-0003")
    assert new.rev == old.rev + 1
    assert new.messages[-1].text == "bob logged the supplier's reply"
    assert [c for c in a.cases() if c.id == "D-0003"][0].rev == new.rev, "the decoded cache was refreshed"

    # nothing changed since: the file is not parsed again
    calls = []
    real = orjson

    def counting_loads(blob):
        calls.append(len(blob))
        return real.loads(blob)

    monkeypatch.setattr(storage_mod, "orjson",
                        SimpleNamespace(loads=counting_loads, dumps=real.dumps, JSONDecodeError=real.JSONDecodeError))
    assert not a.changed_on_disk()
    for _ in range(5):
        assert a.refresh() == set()
    assert calls == []
    # another change parses only the new journal line, not the snapshot
    run(BOB_WRITES, db_path, "D-0004")
    assert a.refresh() == {"D-0004"}
    assert len(calls) == 1 and calls[0] < 20_000


def test_compaction_by_another_process_is_picked_up(seeded, db_path):
    a = seeded
    run("""
s = TinyStore(sys.argv[1], cfg=defaults(), user="bob", clock=lambda: NOW)
s.update("D-0005", lambda c: ops.log(c, "me", "before compaction", NOW, "bob"))
s.storage.compact()
s.update("D-0006", lambda c: ops.log(c, "me", "after compaction", NOW, "bob"))
""", db_path)
    changed = a.refresh()
    assert changed is None or {"D-0005", "D-0006"} <= changed
    assert a.get("D-0005").messages[-1].text == "before compaction"
    assert a.get("D-0006").messages[-1].text == "after compaction"
    assert a.count() == 40


# -- backups and migration ------------------------------------------------------------------------

def test_daily_backup_after_first_write_of_the_day_and_rotation(db_path):
    clock = {"now": NOW}
    d = defaults().data
    d["database"]["backups_keep"] = 3
    s = open_store(db_path, cfg=Config(d, None), clock=lambda: clock["now"])
    folder = db_path.with_name(db_path.name + ".backups")

    def daily():
        return sorted(p.name for p in folder.glob("*-daily.json")) if folder.exists() else []

    assert daily() == []
    c = s.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("1.00"),
                      created_at=NOW, stage_entered_at=NOW))
    assert daily() == ["disputes-20261126T090000Z-daily.json"]
    clock["now"] = NOW + timedelta(hours=3)
    s.update(c.id, lambda c: ops.log(c, "me", "same day", clock["now"], "tester"))
    assert len(daily()) == 1, "one daily backup a day"
    for day in range(1, 5):
        clock["now"] = NOW + timedelta(days=day)
        s.update(c.id, lambda c: ops.log(c, "me", f"day {day}", clock["now"], "tester"))
    assert daily() == [f"disputes-202611{d}T090000Z-daily.json" for d in (28, 29, 30)], "keeps the newest 3"
    latest = orjson.loads((folder / daily()[-1]).read_bytes())
    assert latest["cases"]["1"]["messages"][-1]["text"] == "day 4", "a backup holds the whole database"
    s.close()


def _plain_tinydb(db_path: Path, amounts: list) -> None:
    db = TinyDB(db_path)  # TinyDB's own JSONStorage, as a script would write it
    t = db.table("cases")
    for i, amount in enumerate(amounts, 1):
        t.insert({"id": case_id(i), "order": f"ORD-{i}", "supplier": f"Supplier {i}", "reason": "damaged",
                  "amount": amount, "created_at": "2026-11-01T08:00:00+08:00",
                  "stage_entered_at": "2026-11-02T00:00:00+00:00", "stage": "seller"})
    db.close()


def test_migration_from_a_plain_tinydb_file(db_path):
    _plain_tinydb(db_path, ["12.50", "0.10", "1999.99"])
    original = json.loads(db_path.read_text())
    assert "meta" not in original
    s = open_store(db_path)
    cases = s.cases()
    assert [c.id for c in cases] == ["D-0001", "D-0002", "D-0003"]
    assert [c.amount for c in cases] == [Decimal("12.50"), Decimal("0.10"), Decimal("1999.99")]
    assert cases[0].created_at == datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)
    assert cases[0].platform == "alibaba" and cases[0].messages == []
    pre = list(db_path.with_name(db_path.name + ".backups").glob("*-pre-migration-v0.json"))
    assert len(pre) == 1 and json.loads(pre[0].read_text()) == original
    s.update("D-0002", lambda c: ops.log(c, "me", "migrated fine", NOW, "tester"))
    new = s.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("1.00"),
                        created_at=NOW, stage_entered_at=NOW))
    assert new.id == "D-0004"
    s.close()
    again = open_store(db_path)  # a second open does not migrate again
    assert len(list(db_path.with_name(db_path.name + ".backups").glob("*-pre-migration-v0.json"))) == 1
    assert again.count() == 4
    again.close()


def test_migration_keeps_amounts_stored_as_json_numbers_exact(db_path):
    _plain_tinydb(db_path, [19.99, 12])
    s = open_store(db_path)
    assert s.get("D-0001").amount == Decimal("19.99")
    s.update("D-0001", lambda c: ops.log(c, "me", "can I still save?", NOW, "tester"))
    s.close()


BACKUP_LOOP = """
from store.backends.tinydb.storage import JournalStorage
path = sys.argv[1]
s = JournalStorage(path, fsync=False)
print("ready", flush=True)
while not os.path.exists(path + ".go"):
    time.sleep(0.001)
errors = []
for i in range(150):
    try:
        s.backup("pre-import", keep=7, now=NOW)
    except OSError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps(errors))
"""


def test_two_people_backing_up_at_once_both_succeed(db_path):
    seed(db_path, 150)
    open_store(db_path).storage.compact()
    procs = [spawn(BACKUP_LOOP, db_path) for _ in range(2)]
    for p in procs:  # both started and waiting: their loops overlap
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    Path(str(db_path) + ".go").touch()
    errors = []
    for p in procs:
        out = p.stdout.read()
        err = p.stderr.read()
        p.wait(timeout=60)
        assert p.returncode == 0, err
        errors += json.loads(out)
    for b in db_path.with_name(db_path.name + ".backups").glob("*.json"):
        orjson.loads(b.read_bytes())
    assert errors == []


def test_migration_of_plain_documents_without_ids(db_path):
    db = TinyDB(db_path)
    db.table("cases").insert({"order": "ORD-1", "supplier": "Supplier 1", "reason": "damaged", "amount": "5.00",
                              "created_at": "2026-11-01T00:00:00+00:00",
                              "stage_entered_at": "2026-11-01T00:00:00+00:00"})
    db.close()
    try:
        s = open_store(db_path)
    except Exception as exc:  # refusing is acceptable, but as one line naming the file
        assert isinstance(exc, DamagedDatabase) and str(db_path) in str(exc), repr(exc)
    else:
        assert s.get("D-0001").order == "ORD-1"
        s.close()


def test_torn_tail_does_not_read_as_a_change_forever(seeded, db_path):
    with open(journal(db_path), "ab") as fh:
        fh.write(encode_line([["cases", "1", {"id": "D-0001"}]])[:-10])  # a writer killed mid-append
    assert seeded.refresh() == set()
    assert not seeded.changed_on_disk()


AS_USER = """
import store.backends.tinydb.store, store.backends.tinydb.storage, encodings.idna  # everything imported before giving up root
uid, gid, groups, action, path = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], sys.argv[5]
d = defaults().data
d["database"]["group_shared"] = True
cfg = Config(d, None)
os.setgroups(groups)
os.setgid(gid)
os.setuid(uid)
os.umask(0o022)
try:
    s = TinyStore(path, cfg=cfg, user=f"user{uid}", clock=lambda: NOW)
    if action == "create":
        s.create(new_case("shared"))
    else:
        s.update("D-0001", lambda c: ops.log(c, "me", f"{uid} was here", NOW, str(uid)))
        if action == "save+compact":
            s.storage.compact()
    print("ok")
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as two box users needs root")
def test_group_shared_database_survives_a_teammates_compaction():
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(dir="/tmp", prefix="disputes-shared-")
    try:
        os.chmod(folder, 0o777)
        path = os.path.join(folder, "disputes.json")
        team = 43000
        alice, bob = (41001, team, [team]), (41002, 41002, [41002, team])  # bob: team is not his primary group

        def as_user(who, action):
            uid, gid, groups = who
            return run(AS_USER, uid, gid, json.dumps(groups), action, path).strip()

        assert as_user(alice, "create") == "ok"
        assert as_user(bob, "save+compact") == "ok"
        assert os.stat(path).st_gid == team, "the snapshot left the team's group"
        assert as_user(alice, "save") == "ok"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


VIEWER = """
import store.backends.tinydb.store, store.backends.tinydb.storage, encodings.idna
from store.errors import StoreError
uid, gid, groups, path = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
cfg = defaults()
os.setgroups(groups)
os.setgid(gid)
os.setuid(uid)
out = {}
try:
    s = TinyStore(path, cfg=cfg, user=f"user{uid}", clock=lambda: NOW)
    out["read"] = [c.id for c in s.cases()]
    try:
        s.update("D-0001", lambda c: ops.log(c, "me", "viewer", NOW, "viewer"))
        out["save"] = "saved"
    except StoreError as exc:
        out["save"] = "StoreError: " + str(exc)
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another box user needs root")
def test_read_only_teammate_can_read_a_0640_database():
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(dir="/tmp", prefix="disputes-ro-")
    try:
        os.chmod(folder, 0o755)
        path = Path(folder) / "disputes.json"
        s = open_store(path)
        s.create(Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("1.00"),
                      created_at=NOW, stage_entered_at=NOW))
        s.close()
        for p in (path, journal(path), path.with_name(path.name + ".lock")):
            os.chown(p, 41001, 43000)
            os.chmod(p, 0o640)
        before = db_bytes(path)
        got = json.loads(run(VIEWER, 41003, 41003, json.dumps([41003, 43000]), path))
        assert got.get("read") == ["D-0001"], got
        assert got["save"].startswith("StoreError") and str(path) in got["save"], got
        assert db_bytes(path) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
