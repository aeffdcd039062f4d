"""`export --output` and `packet --output` in a folder a hostile teammate can write.

Real processes, real files, planted symlinks (CI runs as root: a link to a file outside the
folder must leave that file byte- and mode-identical). Modes follow the database's privacy.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from store import files

from tests.support.cli import ROOT, ok, run

SECRET = b"alice's private notes\n"


def _add(db: Path) -> None:
    ok(db, "add", "--order", "ORD-1", "--supplier", "Ningbo", "--reason", "damaged", "--amount", "10")


@pytest.fixture
def victim(tmp_path) -> Path:
    """A private file outside the shared folder: what a planted link points at."""
    home = tmp_path / "alice"
    home.mkdir()
    v = home / "private.txt"
    v.write_bytes(SECRET)
    os.chmod(v, 0o600)
    return v


def _untouched(v: Path) -> None:
    assert v.read_bytes() == SECRET
    assert stat.S_IMODE(v.stat().st_mode) == 0o600


def _debris(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if files.is_temp(n) or ".tmp" in n)


def test_export_over_a_planted_symlink_replaces_the_link_not_the_file_it_points_at(tmp_path, victim):
    shared = tmp_path / "shared"
    shared.mkdir()
    db = shared / "d.json"
    _add(db)
    out = shared / "export.json"
    out.symlink_to(victim)
    r = run(db, "export", "--output", str(out), real=True)
    assert r.returncode == 0, r.stderr
    _untouched(victim)
    assert not out.is_symlink() and b"ORD-1" in out.read_bytes()
    assert _debris(shared) == []


def test_export_and_packet_never_follow_a_link_at_a_guessable_temp_name(tmp_path, victim):
    """The old temps were `.<name>.tmp-<pid>`: plant one for every pid the next runs may get."""
    shared = tmp_path / "shared"
    shared.mkdir()
    db = shared / "d.json"
    _add(db)
    base = os.getpid()
    for name in ("export.json", "p.zip"):
        for pid in range(base, base + 400):
            (shared / f".{name}.tmp-{pid}").symlink_to(victim)
    assert run(db, "export", "--output", str(shared / "export.json"), real=True).returncode == 0
    r = run(db, "packet", "D-0001", "--output", str(shared / "p.zip"), real=True)
    assert r.returncode == 0, r.stderr
    _untouched(victim)
    assert zipfile.ZipFile(shared / "p.zip").namelist()[0] == "statement.txt"


@pytest.mark.parametrize("db_mode, shared, want", [
    (0o600, False, 0o600),   # a private database: private exports
    (0o660, True, 0o660),    # group-shared: the group may read and write, others nothing
    (0o640, True, 0o640),    # the database's own group bits win
])
def test_exports_and_packets_take_the_databases_privacy_not_the_umask(tmp_path, db_mode, shared, want):
    db = tmp_path / "d.json"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[database]\ngroup_shared = {'true' if shared else 'false'}\n")
    env = {"DISPUTES_CONFIG": str(cfg)}
    assert run(db, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "1",
               env=env, real=True).returncode == 0
    os.chmod(db, db_mode)
    for args in (("export", "--output", str(tmp_path / "e.json")),
                 ("export", "--format", "csv", "--output", str(tmp_path / "e.csv")),
                 ("packet", "D-0001", "--output", str(tmp_path / "p.zip"))):
        old = os.umask(0o022)
        try:
            r = run(db, *args, env=env, real=True)
        finally:
            os.umask(old)
        assert r.returncode == 0, r.stderr
    for name in ("e.json", "e.csv", "p.zip"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == want, name


def test_a_killed_packet_leaves_a_temp_that_the_next_packet_sweeps(tmp_path):
    """10 killed packets left 640 MB of hidden temps: the next run removes what a dead run left,
    and never one that a live run is writing."""
    db = tmp_path / "d.json"
    _add(db)
    big = tmp_path / "video.mp4"
    with open(big, "wb") as fh:
        for _ in range(48):
            fh.write(os.urandom(1 << 20))  # random: deflate works hard, the write takes a while
    ok(db, "attach", "D-0001", str(big), "--kind", "video")
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "tui.cli", "packet", "D-0001", "--output", str(out / "p.zip"), "--db", str(db)]
    left = 0
    for _ in range(3):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until the temp holds some of the zip
            temps = [p for p in out.iterdir() if files.is_temp(p.name)]
            if temps and temps[0].stat().st_size > (4 << 20):
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = len([p for p in out.iterdir() if files.is_temp(p.name)])
        assert left >= 1  # the kill really landed mid-write
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == ["p.zip"]
    with zipfile.ZipFile(out / "p.zip") as zf:
        assert hashlib.sha256(zf.read("evidence/video.mp4")).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_sweep_leaves_a_temp_that_a_live_writer_holds(tmp_path):
    target = tmp_path / "x.json"
    with files.atomic_file(target) as fh:
        fh.write(b"half")
        (live,) = [p for p in tmp_path.iterdir() if files.is_temp(p.name)]
        assert files.sweep(tmp_path) == 0 and live.exists()
    assert target.read_bytes() == b"half" and _debris(tmp_path) == []


def test_a_failed_write_leaves_no_temp_and_the_old_file(tmp_path):
    target = tmp_path / "x.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with files.atomic_file(target) as fh:
            fh.write(b"new")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old" and _debris(tmp_path) == []


def test_export_into_a_folder_it_cannot_write_is_one_line(tmp_path):
    db = tmp_path / "d.json"
    _add(db)
    r = run(db, "export", "--output", str(tmp_path / "nowhere" / "e.json"), real=True)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1 and "does not exist" in r.stderr


def test_export_to_dash_writes_standard_output_not_a_file_named_dash(tmp_path, monkeypatch):
    """Tried: `disputes export --format csv --output -` printed nothing and left a file named "-"
    in the current folder; "-" is standard output, as everywhere."""
    from tests.support.cli import ok

    db = tmp_path / "d.json"
    ok(db, "add", "--order", "A-1", "--supplier", "Ningbo Brightway", "--reason", "damaged", "--amount", "900")
    monkeypatch.chdir(tmp_path)
    out = ok(db, "export", "--format", "csv", "--output", "-")
    assert out.startswith("id,stage,") and "Ningbo Brightway" in out
    assert not (tmp_path / "-").exists()
    assert ok(db, "export", "--output", "-").lstrip().startswith(("[", "{"))
