"""The database files as a user and a hostile teammate meet them (issue 8, storage part).

Real files and real `disputes` processes: an empty or moved snapshot, a journal from elsewhere,
a backup copied over the file, the fold at close, housekeeping that fails after a durable save,
rotation under a wrong clock, planted symlinks and folders, a read-only folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from store import TinyStore, ops
from store.config import defaults
from store.model import Case
from store.sample import sample_cases

from tests.support import NOW, ROOT



def cli(db: Path, *args: str, now: datetime = NOW, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC", "DISPUTES_NOW": now.isoformat(), **(env or {})}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args, "--db", str(db)], capture_output=True,
                          text=True, env=e, timeout=60)


def add(db: Path, title: str = "x", **kw) -> subprocess.CompletedProcess:
    return cli(db, "add", "--order", "ORD-1", "--supplier", "Ningbo", "--reason", "damaged",
               "--amount", "10", "--title", title, **kw)


def one_line(r: subprocess.CompletedProcess, *names) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    for n in names:
        assert str(n) in lines[0], lines[0]
    return lines[0]


def folder_state(folder: Path) -> dict:
    """Every name in the folder with its kind and bytes: 'nothing written, nothing deleted'."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            out[str(p)] = ("link", os.readlink(p))
        elif stat.S_ISDIR(st.st_mode):
            out[str(p)] = ("dir", st.st_mode)
        else:
            out[str(p)] = ("file", hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mode)
    return out


def journal(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def open_store(db: Path, user: str = "tester", **kw) -> TinyStore:
    return TinyStore(db, cfg=kw.pop("cfg", None) or defaults(), user=user, clock=kw.pop("clock", lambda: NOW), **kw)


def new_case(title: str = "t") -> Case:
    return Case(id="D-0001", order="1", supplier="S", reason="damaged", amount=Decimal("1.00"),
                created_at=NOW, stage_entered_at=NOW, title=title)


def seeded_with_journal(db: Path, n: int = 50) -> TinyStore:
    """n cases, some in the snapshot and some only in the journal; the returned store (a board
    left open) keeps the journal from being folded."""
    board = open_store(db, user="board")
    board.import_cases(sample_cases(n - 2, NOW, messages=1, evidence=0))
    board.storage.compact()
    board.create(new_case("only in the journal 1"))
    board.create(new_case("only in the journal 2"))
    assert journal(db).stat().st_size > 0
    return board


def backed_up_then_changed(db: Path, dest: Path, note: str) -> TinyStore:
    """10 cases (some only in the journal) backed up to ``dest`` with ``disputes backup``, then a
    message logged on D-0003 and a case created, both saying ``note``: the open board."""
    board = seeded_with_journal(db, 10)
    assert cli(db, "backup", str(dest)).returncode == 0
    board.update("D-0003", lambda c: ops.log(c, "me", note, NOW, "board"))
    board.create(new_case(note))
    return board


# -- 1. an empty snapshot is not an empty database ------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"  \n\t "])
def test_empty_snapshot_is_refused_not_read_as_empty(db_path, content):
    board = seeded_with_journal(db_path)
    board.close()
    db_path.write_bytes(content)
    before = folder_state(db_path.parent)
    for args in (("list",), ("add", "--order", "1", "--supplier", "S", "--reason", "damaged", "--amount", "1")):
        r = cli(db_path, *args)
        assert r.returncode == 3, r
        assert "empty" in one_line(r, db_path)
        assert r.stdout == ""
    assert folder_state(db_path.parent) == before, "nothing written"


# -- 2. the journal is bound to its snapshot ------------------------------------------------------

def test_moved_database_file_does_not_come_back_from_its_journal(db_path):
    board = seeded_with_journal(db_path)
    moved = db_path.with_name("old.json")
    os.rename(db_path, moved)
    before = folder_state(db_path.parent)
    for args in (("list",), ("add", "--order", "1", "--supplier", "S", "--reason", "damaged", "--amount", "1")):
        r = cli(db_path, *args)
        assert r.returncode == 3, r
        one_line(r, db_path, journal(db_path))
    assert folder_state(db_path.parent) == before, "nothing written, nothing deleted"
    assert not db_path.exists()
    board.storage.discard()


def test_deleted_database_file_does_not_come_back(db_path):
    board = seeded_with_journal(db_path)
    board.storage.discard()
    db_path.unlink()
    r = add(db_path)
    assert r.returncode == 3 and not db_path.exists()
    one_line(r, db_path, journal(db_path))


def test_journal_from_another_database_is_never_applied(tmp_path):
    a, b = tmp_path / "a" / "disputes.json", tmp_path / "b" / "disputes.json"
    board_a = seeded_with_journal(a, 5)
    board_b = seeded_with_journal(b, 5)
    shutil.copy(journal(a), journal(b))  # a's journal planted beside b's snapshot
    before = folder_state(b.parent)
    for args in (("list",), ("show", "D-0001")):
        r = cli(b, *args)
        assert r.returncode == 3, r
        assert "another database" in one_line(r, b, journal(b))
    assert folder_state(b.parent) == before
    board_a.close()
    board_b.storage.discard()


def test_a_backup_copied_over_the_file_does_not_get_the_journal_replayed(db_path, tmp_path):
    copy = tmp_path / "copy.json"
    board = backed_up_then_changed(db_path, copy, "after the backup")
    shutil.copy(copy, db_path)  # "restore" by hand, the journal still beside it
    before = folder_state(db_path.parent)
    r = cli(db_path, "list")
    assert r.returncode == 3, r
    one_line(r, db_path, journal(db_path))
    assert folder_state(db_path.parent) == before
    # `disputes restore` is the way, even over the refused pair: the backup as it was
    board.storage.discard()
    r = cli(db_path, "restore", str(copy))
    assert r.returncode == 0, r.stderr
    fresh = open_store(db_path)
    assert fresh.count() == 10
    assert "after the backup" not in [m.text for m in fresh.get("D-0003").messages]
    fresh.close()
    kept = sorted(p.name for p in db_path.with_name(db_path.name + ".backups").glob("*pre-restore*"))
    assert [n.rsplit(".", 1)[1] for n in kept] == ["journal", "json"], "the refused files were kept"


def test_a_journal_that_a_finished_compaction_folded_in_is_recognised(db_path):
    board = seeded_with_journal(db_path, 10)
    board.update("D-0004", lambda c: ops.log(c, "me", "once", NOW, "board"))
    lines = journal(db_path).read_bytes()
    board.storage.compact()
    journal(db_path).write_bytes(lines)  # as if killed between the snapshot rename and emptying the journal
    fresh = open_store(db_path)
    assert [m.text for m in fresh.get("D-0004").messages].count("once") == 1
    assert fresh.count() == 10
    fresh.update("D-0005", lambda c: ops.log(c, "me", "next", NOW, "tester"))
    assert lines not in journal(db_path).read_bytes(), "the next writer cleared the folded lines"
    again = open_store(db_path)
    assert [m.text for m in again.get("D-0004").messages].count("once") == 1
    assert again.get("D-0005").messages[-1].text == "next"
    for s in (again, fresh, board):
        s.close()


def test_an_older_snapshot_beside_a_newer_journal_is_refused(db_path):
    board = seeded_with_journal(db_path, 6)
    old = db_path.read_bytes()
    board.storage.compact()
    board.update("D-0002", lambda c: ops.log(c, "me", "newer", NOW, "board"))
    db_path.write_bytes(old)  # generation N beside a journal of N+1
    before = folder_state(db_path.parent)
    r = cli(db_path, "list")
    assert r.returncode == 3
    one_line(r, db_path, journal(db_path))
    assert folder_state(db_path.parent) == before
    board.storage.discard()


# -- 3. fold at close: with nothing running the file is the whole database ------------------------

def test_with_nothing_running_the_file_alone_is_the_whole_database(db_path, tmp_path):
    for i in range(5):
        assert add(db_path, f"case {i}").returncode == 0
    assert cli(db_path, "log", "D-0002", "--from", "me", "a note").returncode == 0
    assert journal(db_path).stat().st_size == 0, "the last process folded the journal in"
    copy = tmp_path / "plain.json"
    shutil.copy(db_path, copy)  # what a user does for a backup
    plain = TinyDB(copy)
    titles = sorted(d["title"] for d in plain.table("cases").all())
    assert titles == [f"case {i}" for i in range(5)]
    plain.close()


def test_an_open_board_keeps_the_journal_and_its_close_folds_it(db_path):
    board = open_store(db_path, user="board")
    assert add(db_path, "while the board is open").returncode == 0
    assert journal(db_path).stat().st_size > 0, "another process is open: no fold"
    assert board.refresh() == {"D-0001"}
    board.close()
    assert journal(db_path).stat().st_size == 0
    data = orjson.loads(db_path.read_bytes())
    assert data["cases"]["1"]["title"] == "while the board is open"


# -- 4. a write succeeds once it is durable --------------------------------------------------------

def test_a_backup_that_cannot_be_written_is_one_warning_exit_0_and_retried(db_path):
    assert add(db_path, "first").returncode == 0
    backups = db_path.with_name(db_path.name + ".backups")
    shutil.rmtree(backups)
    backups.write_text("not a folder")  # the daily backup cannot go there
    r = add(db_path, "second", now=NOW + timedelta(days=1))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "D-0002"
    assert one_line(r, backups).startswith("disputes: warning:")
    r = cli(db_path, "check")
    assert r.returncode == 3 and str(backups) in r.stderr
    # saved once: a retry by the user is not needed, and the next save retries the backup
    store = open_store(db_path)
    assert [c.title for c in store.cases()] == ["first", "second"]
    store.close()
    backups.unlink()
    r = add(db_path, "third", now=NOW + timedelta(days=1, hours=1))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert len(list(backups.glob("*-daily.json"))) == 1
    assert cli(db_path, "check").returncode == 0, "the recorded problem is cleared once a backup works"


def test_disk_full_when_saving_says_nothing_was_saved_and_loses_nothing(db_path, monkeypatch):
    import store.backends.tinydb.storage as storage_mod
    from store.errors import StoreError
    s = open_store(db_path)
    s.import_cases(sample_cases(5, NOW))
    s.update("D-0001", lambda c: ops.log(c, "me", "before", NOW, "tester"))
    real = storage_mod._write_all

    def full(fd, blob, fsync):
        os.write(fd, blob[: len(blob) // 2])  # what a full disk lets through: half a line
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_mod, "_write_all", full)
    with pytest.raises(StoreError) as err:
        s.update("D-0002", lambda c: ops.log(c, "me", "lost to the full disk", NOW, "tester"))
    assert str(err.value) == f"{journal(db_path)}: cannot save (No space left on device); nothing was saved"
    monkeypatch.setattr(storage_mod, "_write_all", real)
    s.close()
    other = open_store(db_path, user="other")  # the torn half line is not read as a change
    assert "lost to the full disk" not in [m.text for m in other.get("D-0002").messages]
    assert [m.text for m in other.get("D-0001").messages].count("before") == 1
    other.update("D-0003", lambda c: ops.log(c, "me", "after", NOW, "other"))  # the next save works
    other.close()
    fresh = open_store(db_path, user="third")
    assert "after" in [m.text for m in fresh.get("D-0003").messages]
    assert "lost to the full disk" not in [m.text for m in fresh.get("D-0002").messages]
    fresh.close()


def test_disk_full_during_compaction_after_a_durable_save(db_path, monkeypatch, capsys):
    import store.backends.tinydb.storage as storage_mod
    s = open_store(db_path)
    s.import_cases(sample_cases(5, NOW))
    s.storage.compact_min_bytes = 1  # every save compacts
    real = storage_mod._writev_all

    def full(fd, parts):
        if parts and bytes(parts[0]).startswith(b'{"_storage"'):  # the snapshot's first write
            raise OSError(28, "No space left on device")
        real(fd, parts)

    monkeypatch.setattr(storage_mod, "_writev_all", full)
    s.update("D-0001", lambda c: ops.log(c, "me", "durable", NOW, "tester"))  # no exception
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("disputes: warning:") and "No space" in err[0]
    assert [p.name for p in db_path.parent.iterdir() if ".tmp-" in p.name] == []
    monkeypatch.setattr(storage_mod, "_writev_all", real)
    other = open_store(db_path, user="other")
    assert [m.text for m in other.get("D-0001").messages].count("durable") == 1
    s.update("D-0002", lambda c: ops.log(c, "me", "retried", NOW, "tester"))
    assert journal(db_path).stat().st_size == 0, "compaction retried on the next save"
    other.close()
    s.close()


# -- 5. rotation keeps the newest by when they were made ------------------------------------------

def test_rotation_after_the_clock_was_a_week_ahead_keeps_new_backups(db_path):
    cfg = defaults()
    cfg.data["database"]["backups_keep"] = 3
    clock = {"now": NOW + timedelta(days=7)}
    s = open_store(db_path, cfg=cfg, clock=lambda: clock["now"])
    c = s.create(new_case())
    for day in range(1, 4):  # the clock is a week ahead for a few days
        clock["now"] = NOW + timedelta(days=7 + day)
        s.update(c.id, lambda x: ops.log(x, "me", f"ahead {day}", clock["now"], "tester"))
    clock["now"] = NOW + timedelta(days=1)  # corrected
    s.update(c.id, lambda x: ops.log(x, "me", "corrected", clock["now"], "tester"))
    folder = db_path.with_name(db_path.name + ".backups")
    names = sorted(p.name for p in folder.glob("*-daily.json"))
    assert "disputes-20261127T090000Z-daily.json" in names, names
    assert len(names) == 3
    newest = orjson.loads((folder / "disputes-20261127T090000Z-daily.json").read_bytes())
    assert newest["cases"]["1"]["messages"][-1]["text"] == "corrected"
    s.close()


# -- 6. nothing in the folder is followed or guessed ----------------------------------------------

@pytest.mark.parametrize("which", ["lock", "journal", "inuse", "snapshot"])
def test_a_planted_symlink_is_refused_and_its_target_untouched(db_path, tmp_path, which):
    assert add(db_path, "mine").returncode == 0
    victim = tmp_path / "elsewhere" / "private.txt"
    victim.parent.mkdir()
    victim.write_text("alice's secret\n")
    os.chmod(victim, 0o600)
    vstat = os.stat(victim)
    name = {"lock": ".lock", "journal": ".journal", "inuse": ".inuse", "snapshot": ""}[which]
    planted = db_path.with_name(db_path.name + name)
    if planted.exists():
        planted.unlink()
    os.symlink(victim, planted)
    for args in (("list",), ("add", "--order", "1", "--supplier", "S", "--reason", "damaged", "--amount", "1")):
        r = cli(db_path, *args)
        assert r.returncode == 3, (args, r)
        assert "symbolic link" in one_line(r, planted)
    assert victim.read_text() == "alice's secret\n"
    after = os.stat(victim)
    assert (after.st_mode, after.st_uid, after.st_gid, after.st_size) == (
        vstat.st_mode, vstat.st_uid, vstat.st_gid, vstat.st_size)


@pytest.mark.parametrize("which", ["lock", "journal"])
@pytest.mark.parametrize("kind", ["folder", "dangling", "loop"])
def test_a_lock_or_journal_that_is_not_a_file_is_one_line(db_path, which, kind):
    assert add(db_path, "mine").returncode == 0
    p = db_path.with_name(db_path.name + "." + which)
    p.unlink()
    if kind == "folder":
        p.mkdir()
    elif kind == "dangling":
        os.symlink(db_path.parent / "nowhere", p)
    else:
        os.symlink(p, p)
    for args in (("list",), ("add", "--order", "1", "--supplier", "S", "--reason", "damaged", "--amount", "1")):
        r = cli(db_path, *args)
        assert r.returncode == 3, (args, r)
        one_line(r, p)


def test_temp_names_are_unguessable_and_stale_ones_are_swept(db_path):
    s = open_store(db_path)
    s.create(new_case())
    folder = db_path.with_name(db_path.name + ".backups")
    stale_db = db_path.with_name(db_path.name + ".tmp-4242")
    stale_db.write_bytes(b"{half")
    stale_bk = folder / "disputes-20261126T090000Z-daily.json.tmp-4242"
    stale_bk.write_bytes(b"x" * 1000)
    os.utime(stale_bk, (0, 0))  # from a writer killed long ago
    live = db_path.parent / "victim"
    live.write_text("keep")
    planted = db_path.with_name(db_path.name + ".tmp-dead")
    os.symlink(live, planted)
    s.update("D-0001", lambda c: ops.log(c, "me", "sweep", NOW, "tester"))
    s.storage.backup("manual")
    assert not stale_db.exists() and not stale_bk.exists() and not os.path.lexists(planted)
    assert live.read_text() == "keep"
    seen = set()
    real_open = os.open

    def spy(path, flags, *a, **kw):
        if ".tmp-" in str(path):
            seen.add(str(path))
            assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
        return real_open(path, flags, *a, **kw)

    os.open = spy
    try:
        s.storage.compact()
        s.storage.backup("manual")
    finally:
        os.open = real_open
    assert len(seen) >= 2
    for name in seen:
        suffix = name.rsplit(".tmp-", 1)[1]
        assert len(suffix) == 16 and str(os.getpid()) not in suffix
    s.close()


def test_a_refused_import_leaves_no_pre_import_backup(db_path, tmp_path):
    assert add(db_path, "mine").returncode == 0
    export = tmp_path / "export.json"
    assert cli(db_path, "export", "--output", str(export)).returncode == 0
    folder = db_path.with_name(db_path.name + ".backups")
    before = sorted(p.name for p in folder.iterdir())
    r = cli(db_path, "import", str(export))  # D-0001 is already there
    assert r.returncode == 1
    assert sorted(p.name for p in folder.iterdir()) == before


# -- 7. a read-only folder can still be read -------------------------------------------------------

AS_USER = """
import os, sys, json
import encodings.idna, tui.cli, tui.cli.cases, tui.cli.data, tui.cli.db, store.backends.tinydb.maintenance
import store.dates, store.query, store.clocks, store.export, datetime, decimal, zlib, importlib.readers, tomllib
import hashlib, locale  # (the checkout is under root's folder: what a command imports when first used, imported here)
from store.config import load; load()
uid = int(sys.argv[1])
os.setgroups([uid]); os.setgid(uid); os.setuid(uid)
from tui.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="a folder root cannot write into needs another user")
def test_a_read_only_folder_can_be_read_and_refuses_writes_in_one_line():
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="disputes-rofolder-"))
    try:
        db = folder / "disputes.json"
        assert add(db, "readable").returncode == 0
        for p in (db.with_name(db.name + ".lock"), db.with_name(db.name + ".inuse")):
            p.unlink()  # nobody has it open: the viewer cannot even create a lock
        for p in folder.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(folder, 0o755)
        before = folder_state(folder)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPUTES_NOW": NOW.isoformat(), "TZ": "UTC",
               "DISPUTES_CONFIG": str(folder / "no-config.toml"), "HOME": str(folder)}

        def as_viewer(*args):
            return subprocess.run([sys.executable, "-c", AS_USER, "41005", *args, "--db", str(db)],
                                  capture_output=True, text=True, env=env, timeout=60)

        r = as_viewer("list")
        assert r.returncode == 0 and "readable" in r.stdout and r.stderr == "", r
        r = as_viewer("show", "D-0001")
        assert r.returncode == 0, r
        r = as_viewer("log", "D-0001", "--from", "me", "hello")
        assert r.returncode != 0
        one_line(r, db)
        assert folder_state(folder) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- 8. backup, restore, check --------------------------------------------------------------------

def test_backup_is_whole_with_a_board_open_private_and_never_overwrites(db_path, tmp_path):
    board = seeded_with_journal(db_path, 20)
    dest = tmp_path / "out" / "copy.json"
    dest.parent.mkdir()
    r = cli(db_path, "backup", str(dest))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    plain = TinyDB(dest)
    assert len(plain.table("cases")) == 20, "the journal's cases are in the copy"
    plain.close()
    before = dest.read_bytes()
    r = cli(db_path, "backup", str(dest))
    assert r.returncode == 1
    assert "exists" in one_line(r, dest)
    assert dest.read_bytes() == before
    link = tmp_path / "out" / "link.json"
    target = tmp_path / "target.txt"
    target.write_text("mine")
    os.symlink(target, link)
    assert cli(db_path, "backup", str(link)).returncode == 1 and target.read_text() == "mine"
    assert [p.name for p in dest.parent.iterdir() if ".tmp-" in p.name] == []
    board.close()


def test_restore_replaces_the_database_and_an_open_board_notices(db_path, tmp_path):
    saved = tmp_path / "saved.json"
    board = backed_up_then_changed(db_path, saved, "to be rolled back")
    assert board.count() == 11
    r = cli(db_path, "restore", str(saved))
    assert r.returncode == 0, r.stderr
    assert board.changed_on_disk()
    assert board.refresh() is None
    assert board.count() == 10
    assert "to be rolled back" not in [m.text for m in board.get("D-0003").messages]
    pre = list(db_path.with_name(db_path.name + ".backups").glob("*-pre-restore.json"))
    assert len(pre) == 1 and len(orjson.loads(pre[0].read_bytes())["cases"]) == 11
    # the board can keep working on the restored database, and the journal binds to it
    board.update("D-0003", lambda c: ops.log(c, "me", "after restore", NOW, "board"))
    fresh = open_store(db_path)
    assert fresh.count() == 10 and fresh.get("D-0003").messages[-1].text == "after restore"
    fresh.close()
    board.close()
    r = cli(db_path, "restore", str(tmp_path / "nope.json"))
    assert r.returncode == 1
    one_line(r, "nope.json")


def test_restore_refuses_a_file_that_is_not_a_backup(db_path, tmp_path):
    assert add(db_path, "mine").returncode == 0
    bad = tmp_path / "bad.json"
    # (tried: a plain TinyDB file of another program, {"_default": {}}, "restored 0 cases" over
    # the database's own; it names no case and no board state: not a backup of a board database)
    for blob in (b"", b"[1]", b'{"cases": {"1": {"title": 5}}}', b'{"_default": {}}', b'{}'):
        bad.write_bytes(blob)
        before = folder_state(db_path.parent)
        r = cli(db_path, "restore", str(bad))
        assert r.returncode == 1, r
        one_line(r, bad)
        assert folder_state(db_path.parent) == before


def test_check_healthy_then_one_line_per_problem(db_path, tmp_path):
    ev = tmp_path / "photo.jpg"
    ev.write_bytes(b"jpeg")
    assert add(db_path, "mine").returncode == 0
    assert cli(db_path, "attach", "D-0001", str(ev)).returncode == 0
    r = cli(db_path, "check")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    ev.write_bytes(b"changed!")
    bad_backup = db_path.with_name(db_path.name + ".backups") / "disputes-20261101T000000Z-daily.json"
    bad_backup.write_bytes(b"{trunc")
    r = cli(db_path, "check")
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert any(str(ev) in x for x in lines) and any(str(bad_backup) in x for x in lines)
    db_path.write_bytes(b"")
    r = cli(db_path, "check")
    assert r.returncode == 3
    one_line(r, db_path)


def test_a_reader_that_saw_folded_lines_sees_the_next_writers_lines(db_path):
    board = seeded_with_journal(db_path, 6)
    board.update("D-0002", lambda c: ops.log(c, "me", "folded", NOW, "board"))
    lines = journal(db_path).read_bytes()
    board.storage.compact()
    journal(db_path).write_bytes(lines)  # a compaction killed before it emptied the journal
    reader = open_store(db_path, user="reader")
    assert reader.refresh() == set()
    board.update("D-0003", lambda c: ops.log(c, "me", "new line", NOW, "board"))  # clears, then appends
    assert reader.refresh() == {"D-0003"}
    assert reader.get("D-0003").messages[-1].text == "new line"
    assert [m.text for m in reader.get("D-0002").messages].count("folded") == 1
    reader.close()
    board.close()


def test_a_database_from_before_identities_opens_and_is_bound_on_the_next_save(db_path):
    from store.backends.tinydb.storage import encode_line
    s = open_store(db_path)
    s.import_cases(sample_cases(3, NOW, messages=1, evidence=0))
    s.close()
    data = orjson.loads(db_path.read_bytes())
    data.pop("_storage")  # as the previous version wrote it
    doc = dict(data["cases"]["2"], title="changed in the old journal")
    db_path.write_bytes(orjson.dumps(data))
    journal(db_path).write_bytes(encode_line([["cases", "2", doc]]))  # a line naming no snapshot
    s = open_store(db_path)
    assert s.get("D-0002").title == "changed in the old journal"
    s.update("D-0003", lambda c: ops.log(c, "me", "bound now", NOW, "tester"))
    assert "_storage" in orjson.loads(db_path.read_bytes()), "the first save gave it an identity"
    s.close()
    again = open_store(db_path)
    assert again.get("D-0002").title == "changed in the old journal"
    assert again.get("D-0003").messages[-1].text == "bound now"
    again.close()
