"""A board whose terminal goes away exits, as a hangup would end it.

When the other end of its terminal closes (the ssh session dropped, the emulator closed) and no
SIGHUP reaches the board (no controlling terminal, SIGHUP ignored), Textual's input thread reads
end-of-file in a loop: the board spun at ~90% of a core for ever, keeping the database in use.
Found on the bench box: two such boards, an hour old, took 1.6 of its 2 cores. A real process on
a real pty, the pty's master closed."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import time

from tests.support import ROOT
from tests.support.cli import ok


def test_the_board_exits_when_its_terminal_is_gone(tmp_path):
    db = tmp_path / "d.json"
    ok(db, "demo", "--cases", "5")
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COLORTERM"))}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(db)], stdin=slave, stdout=slave,
                            stderr=slave, env=env, start_new_session=True)  # no controlling terminal: no SIGHUP
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"D-0001" not in seen and time.monotonic() < deadline and proc.poll() is None:
            try:
                seen += os.read(master, 65536)  # blocks until the board draws (a real process)
            except OSError:
                break
        assert b"D-0001" in seen, seen[-2000:]
        os.close(master)
        master = -1
        code = proc.wait(timeout=30)  # the board looks once a second
        assert code == 129
        assert "D-0001" in ok(db, "list"), "the database is as it was, and free"
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
