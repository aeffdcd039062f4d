"""Every fault is one line: an OSError of any kind, a bad value, a broken file beside the
database. Each is driven through `disputes` in a real process; each asserts one line on stderr,
the documented exit code, no traceback, and every byte on disk as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ok, run


def _add(db: Path, **kw) -> None:
    ok(db, "add", "--order", "ORD-1", "--supplier", "Ningbo", "--reason", "damaged", "--amount", "10", **kw)


def disk(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links as their target text), with its bytes' hash."""
    out = {}
    for root, dirs, names in os.walk(folder):
        for n in dirs + names:
            p = Path(root) / n
            if p.is_symlink():
                out[str(p)] = "-> " + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[str(p)] = "dir"
    return out


def one_line(r: subprocess.CompletedProcess, code: int) -> str:
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("disputes: "), r.stderr
    assert r.returncode == code, (r.returncode, r.stderr)
    return lines[0]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "data" / "d.json"
    path.parent.mkdir()
    _add(path)
    return path


@pytest.mark.parametrize("query, says", [
    ("amount>NaN", "not a number"),
    ("amount<sNaN", "not a number"),
    ("amount>Infinity", "not a number"),
    ("due<99999999999d", "too long a duration"),
    ("hard>" + "9" * 400 + "d", "too long a duration"),
    ("due<-99999999999w", "too long a duration"),
])
def test_queries_that_cannot_be_compared_are_refused_as_query_errors(db, query, says):
    before = disk(db.parent)
    r = run(db, "list", "--query", query, real=True)
    assert says in one_line(r, 1)
    assert disk(db.parent) == before


def test_a_file_name_that_is_not_utf8_is_refused_by_attach(db, tmp_path):
    name = os.fsdecode(b"\xff\xfe-photo.jpg")
    (tmp_path / name).write_bytes(b"jpeg")
    before = disk(db.parent)
    r = run(db, "attach", "D-0001", str(tmp_path / name), "--kind", "photo", real=True)
    assert "not valid UTF-8" in one_line(r, 1)
    assert disk(db.parent) == before
    assert "evidence (" not in ok(db, "show", "D-0001")


@pytest.mark.parametrize("which", ["journal", "lock"])
@pytest.mark.parametrize("how", ["folder", "dangling", "loop"])
def test_a_journal_or_lock_that_is_not_a_file_is_one_line_exit_3(db, which, how):
    side = db.with_name(f"{db.name}.{which}")
    side.unlink(missing_ok=True)
    if how == "folder":
        side.mkdir()
    elif how == "dangling":
        side.symlink_to(db.parent / "nothing-here")
    else:
        side.symlink_to(side.name)  # a link to itself: ELOOP
    before = disk(db.parent)
    for args in (("list",), ("show", "D-0001"), ("add", "--order", "O2", "--supplier", "S", "--reason",
                                                  "damaged", "--amount", "5")):
        r = run(db, *args, real=True)
        line = one_line(r, 3)
        assert which in line or db.name in line, line
        assert disk(db.parent) == before


@pytest.fixture
def readonly_mount(tmp_path):
    """A real read-only file system (tmpfs remounted ro); skipped where mounting is not allowed."""
    where = tmp_path / "ro"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_read_only_file_system_gives_one_line_never_a_traceback(readonly_mount):
    db = readonly_mount / "d.json"
    _add(db, real=True)
    ok(db, "log", "D-0001", "--from", "me", "hello", real=True)
    assert subprocess.run(["mount", "-o", "remount,ro", str(readonly_mount)]).returncode == 0
    before = disk(readonly_mount)
    for args in (("list",), ("show", "D-0001"), ("digest",), ("export",),
                 ("add", "--order", "O2", "--supplier", "S", "--reason", "damaged", "--amount", "5"),
                 ("log", "D-0001", "--from", "me", "again"),
                 ("export", "--output", str(readonly_mount / "e.json"))):
        r = run(db, *args, real=True)
        if r.returncode == 0:  # reading a read-only database may work (the store's choice)
            assert args[0] in ("list", "show", "digest", "export") and "--output" not in args
            assert r.stderr.count("\n") <= 1 and "Traceback" not in r.stderr
        elif "--output" in args and "e.json" in r.stderr:
            one_line(r, 1)  # the database was read; the output file could not be written
        else:  # a write refused: "you may read this database but not change it" (1), or unreadable (3)
            one_line(r, r.returncode)
            assert r.returncode in (1, 3)
        assert disk(readonly_mount) == before


@pytest.mark.parametrize("text", [
    '[database]\ngroup_shared = "false"\n',
    "database = 5\n",
    "[database]\npath = 5\n",
    "[board]\nrefresh_seconds = nan\n",
    '[[views]]\nname = "broken"\nquery = "amount>NaN"\n',
    "[keys]\n\"board.new\" = 5\n",
    "this is = = not toml\n",
])
def test_a_bad_config_is_one_line_exit_1_before_anything_is_written(tmp_path, text):
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    db = tmp_path / "data" / "d.json"
    db.parent.mkdir()
    before = disk(tmp_path)
    r = run(db, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "1",
            env={"DISPUTES_CONFIG": str(cfg)}, real=True)
    assert str(cfg) in one_line(r, 1)
    assert disk(tmp_path) == before


def test_an_unexpected_error_is_still_one_line(db, tmp_path):
    """A value nothing foresaw (here a config file that is a folder) never shows a traceback."""
    cfg = tmp_path / "cfg-folder"
    cfg.mkdir()
    r = run(db, "list", env={"DISPUTES_CONFIG": str(cfg)}, real=True)
    one_line(r, r.returncode)
    assert r.returncode in (1, 3)


def test_export_and_packet_into_a_read_only_folder_are_one_line_exit_1(readonly_mount, db):
    assert subprocess.run(["mount", "-o", "remount,ro", str(readonly_mount)]).returncode == 0
    before = disk(db.parent)
    for args in (("export", "--output", str(readonly_mount / "e.json")),
                 ("export", "--format", "csv", "--output", str(readonly_mount / "e.csv")),
                 ("packet", "D-0001", "--output", str(readonly_mount / "p.zip"))):
        r = run(db, *args, real=True)
        assert str(readonly_mount) in one_line(r, 1)
    assert os.listdir(readonly_mount) == [] and disk(db.parent) == before
