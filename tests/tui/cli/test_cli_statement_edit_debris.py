"""`statement --edit` leaves no temp file behind, however the edit ends, except when it says
where it kept the user's text."""

from __future__ import annotations

import os
import sys

import pytest

from tests.support.cli import ok, run


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "d.json"
    ok(path, "add", "--order", "ORD-1", "--supplier", "Ningbo", "--reason", "damaged", "--amount", "10")
    return path


@pytest.mark.parametrize("script, code", [
    # Ctrl-C while editing: the editor then blocks, so disputes is surely still waiting for it when
    # the interrupt lands (it stops the editor itself; the sleep never runs out)
    ("import os, signal, time; os.kill(os.getppid(), signal.SIGINT); time.sleep(60)", 130),
    ("import sys; sys.exit(3)", 1),                                     # the editor failed
    ("import sys; open(sys.argv[1], 'w').write('  \\n')", 1),           # emptied
    ("pass", 0),                                                         # left unchanged
    ("import sys; open(sys.argv[1], 'a').write('More.\\n')", 0),        # saved
])
def test_no_temp_file_is_left_in_tmpdir(db, tmp_path, script, code):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    editor = tmp_path / "ed.py"
    editor.write_text(script)
    r = run(db, "statement", "D-0001", "--edit", real=True,
            env={"EDITOR": f"{sys.executable} {editor}", "TMPDIR": str(tmpdir)})
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    assert os.listdir(tmpdir) == []
