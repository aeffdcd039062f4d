"""The board in a real terminal (tmux at 80x24, 256 colours), driven by keys as a person would."""

from __future__ import annotations

import json
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
from store.sample import sample_cases
from tests.support import NOW, ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20).stdout


def wait_for(session: str, needle: str, timeout: float = 20.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen after {timeout} s:\n{screen}")


@pytest.fixture
def board(tmp_path):
    db = tmp_path / "team.json"
    s = TinyStore(db, cfg=defaults(), user="tester")
    s.import_cases(sample_cases(30, NOW, messages=3, evidence=1))
    s.close()
    session = f"board-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "TZ": "UTC",
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("COLORTERM", None)  # as over OpenSSH
    cmd = f"{sys.executable} -m tui.cli --db {db}; echo EXITED $?; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd],
                   env=env, check=True, timeout=20)
    try:
        yield session, db
    finally:
        tmux("kill-session", "-t", session)


def show(db: Path, case_id: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tui.cli", "show", case_id, "--json", "--db", str(db)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    return json.loads(out.stdout)


def test_board_in_a_real_terminal(board):
    session, db = board
    wait_for(session, "Resolved")
    screen = wait_for(session, "D-0")  # the cards arrive from a worker after the first frame
    for title in ("Seller contact", "Dispute opened", "Evidence", "Mediation", "Resolved"):
        assert title in screen
    assert "\x1b" not in screen
    first = next(line for line in screen.splitlines() if "D-0" in line).split("D-")[1][:4]
    case_id = f"D-{first}"
    assert show(db, case_id)["stage"] == "seller"
    tmux("send-keys", "-t", session, "L")
    end = time.monotonic() + 15
    while show(db, case_id)["stage"] != "dispute":
        assert time.monotonic() < end, "the move did not reach the database"
        time.sleep(0.3)
    # another process writes: the board shows it within about two seconds
    subprocess.run([sys.executable, "-m", "tui.cli", "add", "--order", "E2E-1", "--supplier", "Tmux Trading",
                    "--reason", "other", "--amount", "1", "--db", str(db)], check=True, timeout=30,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    tmux("send-keys", "-t", session, "/")
    wait_for(session, "words, or stage:")  # the filter box has the focus: typing goes there, not to keys
    tmux("send-keys", "-t", session, "-l", "Tmux")
    wait_for(session, "Tmux Trading", timeout=10)
    tmux("send-keys", "-t", session, "Escape")
    time.sleep(0.6)  # an ESC followed at once by q reads as alt+q: a person pauses, so does the test
    tmux("send-keys", "-t", session, "q")
    wait_for(session, "EXITED 0")
