"""Attaching evidence on a shared box: a link someone else planted is not followed.

Seen: in a folder a colleague can write, `disputes attach D-0010 photo.jpg` where photo.jpg was
a link to /etc/shadow recorded /etc/shadow as the evidence, hashed it, and the case's upload
packet would carry it to the platform. The kernel's protected_symlinks covers sticky
world-writable folders only (/tmp), not a team's shared folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from store import ops
from store.errors import ValidationError
from tests.support import ROOT
from tests.support.cli import state

OTHER = 41007  # a colleague's uid: the links below are made as theirs
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a link made by another user needs root to make")


@pytest.fixture
def shared(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    os.chmod(folder, 0o777)
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    os.chmod(secret, 0o600)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a real photo")
    return folder, secret, photo


def planted(link, target, uid=OTHER):
    os.symlink(target, link)
    os.lchown(link, uid, uid)
    return link


def test_a_link_someone_else_made_is_refused_naming_them_and_where_it_points(shared):
    folder, secret, _ = shared
    link = planted(folder / "photo.jpg", secret)
    with pytest.raises(ValidationError) as exc:
        ops.check_evidence_path(link)
    said = str(exc.value)
    assert "\n" not in said and str(link) in said and str(secret) in said and str(OTHER) in said


def test_a_folder_link_someone_else_made_is_refused_too(shared, tmp_path):
    folder, secret, _ = shared
    planted(folder / "evidence", tmp_path)
    with pytest.raises(ValidationError):
        ops.check_evidence_path(folder / "evidence" / "secret.txt")


def test_my_own_link_to_a_foreign_link_is_still_refused(shared, tmp_path):
    folder, secret, _ = shared
    planted(folder / "photo.jpg", secret)
    mine = tmp_path / "mine.jpg"
    os.symlink(folder / "photo.jpg", mine)
    with pytest.raises(ValidationError):
        ops.check_evidence_path(mine)


def test_my_own_links_and_roots_are_followed_to_the_file(shared, tmp_path):
    folder, _, photo = shared
    mine = tmp_path / "latest.jpg"
    os.symlink(photo, mine)
    assert ops.check_evidence_path(mine) == photo.resolve()
    system = planted(tmp_path / "by-root.jpg", photo, uid=0)
    assert ops.check_evidence_path(system) == photo.resolve()
    relative = tmp_path / "rel.jpg"
    os.symlink("photo.jpg", relative)
    assert ops.check_evidence_path(relative) == photo.resolve()


def test_the_command_line_refuses_it_in_one_line_and_records_nothing(shared, tmp_path):
    folder, secret, _ = shared
    link = planted(folder / "photo.jpg", secret)
    db = tmp_path / "d.json"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    run = lambda *a: subprocess.run([sys.executable, "-m", "tui.cli", *a, "--db", str(db)], cwd=ROOT, env=env,  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    assert run("demo", "--cases", "3").returncode == 0
    before = state(db)
    r = run("attach", "D-0001", str(link))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "made by" in r.stderr, r.stderr
    assert state(db) == before
    assert "secret" not in run("show", "D-0001").stdout


def test_a_file_swapped_for_a_link_after_it_was_attached_is_never_packed(shared, tmp_path):
    """Attached while it was the photo; a colleague then puts a link to a secret in its place.
    The check says it is not the file attached, and the packet, even forced, does not carry
    what the link points at: evidence is read without following a link."""
    import zipfile
    from datetime import datetime, timezone

    from store import packet
    from store.sample import sample_cases

    folder, secret, _ = shared
    photo = folder / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 the damaged carton")
    case = sample_cases(1, datetime(2026, 11, 26, tzinfo=timezone.utc))[0]
    case.evidence = []
    now = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    ops.attach(case, photo, "photo", "", now, "me")
    photo.unlink()
    planted(photo, secret)
    [chk] = packet.verify(case)
    assert not chk.ok
    assert "now a link" in chk.detail and str(secret) in chk.detail
    out = tmp_path / "packet.zip"
    with pytest.raises(ValidationError) as exc:
        packet.write_packet(case, out, now=now)
    assert "now a link" in str(exc.value) and not out.exists()
    made = packet.write_packet(case, out, now=now, force=True)  # --force: the file is left out
    assert [p.state for p in made.problems] == ["changed"]
    with zipfile.ZipFile(out) as zf:
        assert all(b"private key" not in zf.read(n) for n in zf.namelist())
    assert ops.evidence_verify(case.evidence[0]) != "ok"


def test_a_loop_of_links_is_no_such_file_and_a_link_through_a_linked_folder_is_followed_as_the_kernel_does(shared, tmp_path):
    folder, _, photo = shared
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    os.symlink(b, a)
    os.symlink(a, b)
    with pytest.raises(ValidationError) as exc:
        ops.check_evidence_path(a)
    assert "no such file" in str(exc.value)
    # my folder link into the shared folder, and in it a relative link someone else made
    mine = tmp_path / "inbox"
    os.symlink(folder, mine)
    planted(folder / "latest.jpg", "../secret.txt")
    with pytest.raises(ValidationError) as exc:
        ops.check_evidence_path(mine / "latest.jpg")
    assert "made by" in str(exc.value)
