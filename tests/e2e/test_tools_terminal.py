"""Issue 12's board tools in a real terminal (tmux at 80x24, TERM=xterm-256color, no COLORTERM):
the editor runs with the board suspended and the board comes back; y reaches the terminal's
clipboard as OSC 52 (tmux keeps what it receives in a paste buffer)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from store import TinyStore
from store.config import defaults
from tests.support.tools import NOW, make_case

from tests.support import ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def term(tmp_path):
    db = tmp_path / "team.json"
    s = TinyStore(db, cfg=defaults(), user="tester", clock=lambda: NOW)
    s.create(make_case())
    s.close()
    sock = f"tools-{uuid.uuid4().hex[:8]}"  # a server of its own: its options and buffers are ours
    editor = tmp_path / "ed.sh"
    # A real editor would take over the screen; this one marks it, waits a moment, writes.
    editor.write_text("#!/bin/sh\nprintf '\\033[2J\\033[HIN THE EDITOR\\n'\nsleep 1\n"
                      "printf 'Carton 3 crushed.\\n' > \"$1\"\n")
    editor.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "VISUAL")}
    env.update({"PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "TZ": "UTC", "EDITOR": str(editor),
                "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")})

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=20).stdout

    cmd = f"{sys.executable} -m tui.cli --db {db}; echo EXITED $?; sleep 30"
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", cmd],
                   env=env, check=True, timeout=20)
    tmux("set-option", "-g", "set-clipboard", "on")
    try:
        yield tmux, db
    finally:
        tmux("kill-server")


def wait_for(tmux, needle: str, timeout: float = 20.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p", "-t", "t")
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen after {timeout} s:\n{screen}")


def description(db: Path) -> str:
    s = TinyStore(db, cfg=defaults(), user="reader")
    try:
        return s.get("D-0001").description
    finally:
        s.close()


def test_copy_and_editor_in_a_real_terminal(term):
    tmux, db = term
    wait_for(tmux, "D-0001")
    tmux("send-keys", "-t", "t", "y")
    wait_for(tmux, "Copied D-0001")
    assert tmux("show-buffer") == "D-0001"  # OSC 52 arrived at the terminal, decoded by tmux
    tmux("send-keys", "-t", "t", "E")
    screen = wait_for(tmux, "IN THE EDITOR")  # the board handed the terminal over
    assert "Seller contact" not in screen
    wait_for(tmux, "changed description")  # and took it back, and saved
    screen = wait_for(tmux, "Seller contact")
    assert "EXITED" not in screen
    assert description(db) == "Carton 3 crushed."
