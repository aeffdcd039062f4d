"""SIGKILL during `backup`, `restore` and the fold at close: no acknowledged write is lost, the
files always open, and nothing half-written is taken for a backup."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from store import TinyStore, ops
from store.config import defaults
from store.sample import sample_cases

from tests.support import NOW, ROOT

ROUNDS = 12

PRELUDE = """
import os, sys, time
from datetime import datetime, timezone
from pathlib import Path
from store import TinyStore, ops
from store.config import defaults
from store.backends.tinydb.maintenance import backup_to, restore_from
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
real_replace = os.replace
def slow_replace(*a, **kw):  # a slow disk: widen the window between temp file and rename
    time.sleep(0.003)
    real_replace(*a, **kw)
os.replace = slow_replace
"""

FOLD = PRELUDE + """
path, rnd = sys.argv[1], sys.argv[2]
s = TinyStore(path, cfg=defaults(), user="k", clock=lambda: NOW)
for i in range(1, 6):
    s.update(f"D-000{i}", lambda c: ops.log(c, "note", f"{rnd}-{i}", NOW, "k"))
    print(i, flush=True)
print("closing", flush=True)
s.close()  # the last one: folds
print("closed", flush=True)
time.sleep(60)
"""

BACKUP = PRELUDE + """
path, rnd, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
s = TinyStore(path, cfg=defaults(), user="k", clock=lambda: NOW)
print("ready", flush=True)
i = 0
while True:
    i += 1
    s.update(f"D-000{i % 5 + 1}", lambda c: ops.log(c, "note", f"{rnd}-{i}", NOW, "k"))
    print(i, flush=True)
    s.storage.backup("manual", keep=3)
    backup_to(s, out / f"copy-{rnd}-{i}.json")
"""

RESTORE = PRELUDE + """
path, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
print("ready", flush=True)
i = 0
while True:
    i += 1
    restore_from(Path(path), Path(a if i % 2 else b), defaults(), keep=3)
    print("restored", a if i % 2 else b, flush=True)
"""


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def open_store(db: Path) -> TinyStore:
    return TinyStore(db, cfg=defaults(), user="tester", clock=lambda: NOW)


def kill_after(p: subprocess.Popen, until, rng: random.Random, spread: float) -> list[str]:
    lines = []
    while True:
        line = p.stdout.readline()
        assert line, p.stderr.read()
        lines.append(line.strip())
        if until(line.strip(), lines):
            break
    time.sleep(rng.uniform(0, spread))
    os.kill(p.pid, signal.SIGKILL)
    lines += p.stdout.read().split("\n")
    p.wait(timeout=10)
    p.stdout.close()
    p.stderr.close()
    return [x for x in lines if x]


def spawn(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def notes(s: TinyStore, rnd: int) -> list[int]:
    out = [int(m.text.split("-")[1]) for c in s.cases() for m in c.messages
           if m.sender == "note" and m.text.startswith(f"{rnd}-")]
    assert len(out) == len(set(out)), "a save applied twice"
    return out


def old_temps_swept(folder: Path) -> None:
    for p in folder.rglob("*.tmp-*"):
        os.utime(p, (0, 0), follow_symlinks=False)  # as the next day's writer finds them


def test_killed_during_the_fold_at_close(db_path):
    s = open_store(db_path)
    s.import_cases(sample_cases(5, NOW, messages=1, evidence=0))
    s.close()
    rng = random.Random(8)
    broken = mid_fold = 0
    for rnd in range(ROUNDS):
        p = spawn(FOLD, db_path, rnd)
        lines = kill_after(p, lambda line, _: line == "closing", rng, 0.01)
        acked = {int(x) for x in lines if x.isdigit()}
        if "closed" not in lines:
            mid_fold += 1
        assert acked == {1, 2, 3, 4, 5}
        try:
            orjson.loads(db_path.read_bytes())
            s = open_store(db_path)
        except Exception:  # noqa: BLE001 - counted, then failed below
            broken += 1
            raise
        assert set(notes(s, rnd)) == acked, f"round {rnd}: an acknowledged save was lost"
        s.close()
    assert broken == 0
    print(f"fold at close: {mid_fold}/{ROUNDS} kills before it finished, 0 broken")
    assert mid_fold >= 1, "no kill landed inside the fold: the test lost its teeth"
    s = open_store(db_path)
    s.update("D-0001", lambda c: ops.log(c, "me", "after", NOW, "tester"))
    s.close()
    assert [p.name for p in db_path.parent.iterdir() if ".tmp-" in p.name] == []


def test_killed_during_backup(db_path, tmp_path):
    s = open_store(db_path)
    s.import_cases(sample_cases(5, NOW, messages=1, evidence=0))
    s.close()
    out = tmp_path / "copies"
    out.mkdir()
    rng = random.Random(9)
    for rnd in range(ROUNDS):
        p = spawn(BACKUP, db_path, rnd, out)
        lines = kill_after(p, lambda line, _: line == "ready", rng, 0.25)
        acked = {int(x) for x in lines if x.isdigit()}
        s = open_store(db_path)
        got = set(notes(s, rnd))
        assert acked <= got and got - acked <= {max(acked, default=0) + 1}
        s.close()
        for copy in list(out.glob("copy-*.json")) + list(db_path.with_name(db_path.name + ".backups").glob("*-manual.json")):
            data = orjson.loads(copy.read_bytes())  # a backup is whole or absent
            assert len(data["cases"]) == 5
    old_temps_swept(db_path.parent)
    s = open_store(db_path)
    s.update("D-0001", lambda c: ops.log(c, "me", "after", NOW, "tester"))
    s.storage.backup("manual", keep=3)
    s.close()
    assert list(db_path.with_name(db_path.name + ".backups").glob("*.tmp-*")) == []


def test_killed_during_restore(db_path, tmp_path):
    from store.backends.tinydb.maintenance import backup_to
    s = open_store(db_path)
    s.import_cases(sample_cases(5, NOW, messages=1, evidence=0))
    backup_to(s, tmp_path / "a.json")
    s.import_cases(sample_cases(3, NOW, messages=1, evidence=0, start_id=6))
    backup_to(s, tmp_path / "b.json")
    s.close()
    rng = random.Random(10)
    seen = set()
    restores = 0
    for rnd in range(ROUNDS):
        p = spawn(RESTORE, db_path, tmp_path / "a.json", tmp_path / "b.json")
        restores += sum(x.startswith("restored") for x in kill_after(p, lambda line, _: line == "ready", rng, 0.3))
        s = open_store(db_path)  # always opens
        n = s.count()
        assert n in (5, 8), "a restore is whole: one backup or the other, never a mix"
        seen.add(n)
        s.update("D-0001", lambda c: ops.log(c, "note", f"{rnd}-1", NOW, "tester"))  # acknowledged
        s.close()
        again = open_store(db_path)
        assert notes(again, rnd) == [1], "the acknowledged save after the kill is there"
        again.close()
    print(f"restore: {ROUNDS} kills after {restores} finished restores, 0 broken, states seen {sorted(seen)}")
    assert restores >= ROUNDS, "the kills did not land among restores"
