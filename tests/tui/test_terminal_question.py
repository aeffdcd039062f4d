"""The terminal question asked before the board starts (``tui.thumbnail.ask_terminal``), on a real
pty, answered the way real terminals answer: which picture method the board then uses, and that
no answer is left behind for the board to read as keys.

Kitty's graphics query is asked together with the device attributes (``_probe_graphics``), so a
terminal that never answers it (xterm, VTE, tmux) costs one round trip instead of textual-image's
0.1 s timeout: how long a start takes is measured in `make bench` (the board at 1,000 cases), not
here.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import threading

import pytest

from tests.support import ROOT

CHILD = """
import json, os, select, sys
from tui.thumbnail import ask_terminal, _terminal_image
answered = ask_terminal()
answered()
import textual_image.renderable as r
_terminal_image()
fd = sys.stdin.fileno()
left = b""
while select.select([fd], [], [], 0)[0]:
    left += os.read(fd, 64)
os.write(int(sys.argv[1]), json.dumps({"method": r.Image.__module__.rsplit(".", 1)[-1],
                                       "left": left.decode(errors="replace")}).encode())
"""

DA1 = re.compile(rb"\x1b\[c")
KITTY = re.compile(rb"\x1b_G([^;\x1b]*)(?:;[^\x1b]*)?\x1b\\")
CELLS = re.compile(rb"\x1b\[16t")


def _terminal(master: int, kind: str, done: threading.Event) -> list[str]:
    """Answer the child's questions as a terminal of ``kind`` would, in the order asked."""
    asked: list[str] = []
    buf = b""
    while not done.is_set():
        if not select.select([master], [], [], 0.05)[0]:
            continue
        try:
            buf += os.read(master, 4096)
        except OSError:
            break
        while True:
            hits = [(m.start(), name, m) for name, rx in (("da1", DA1), ("kitty", KITTY), ("cells", CELLS))
                    if (m := rx.search(buf))]
            if not hits:
                break
            _, name, m = min(hits, key=lambda h: h[0])
            buf = buf[m.end():]
            asked.append(name)
            reply = b""
            if name == "da1" and kind != "silent":
                reply = b"\x1b[?62;4;22c" if kind == "sixel" else b"\x1b[?62;22c"
            elif name == "kitty" and kind == "kitty":
                ident = re.search(rb"i=(\d+)", m.group(1))
                reply = b"\x1b_Gi=" + (ident.group(1) if ident else b"1") + b";OK\x1b\\"
            elif name == "cells" and kind != "silent":
                reply = b"\x1b[6;20;10t"
            if reply:
                os.write(master, reply)
    return asked


@pytest.mark.parametrize(("kind", "method"), [
    ("xterm", "halfcell"),  # answers the attributes, never kitty's query: xterm, VTE, tmux
    ("sixel", "sixel"),  # says 4 (Sixel) in its attributes: foot, WezTerm, xterm -ti vt340
    ("kitty", "tgp"),  # answers the graphics query OK, before the attributes
    ("silent", "halfcell"),  # answers nothing: asked the usual way, and every question times out
])
def test_the_board_draws_pictures_the_way_the_terminal_answers_and_leaves_no_answer_unread(kind, method):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # no pixel size, as tmux says
    results_r, results_w = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), TERM="xterm-256color")
    done = threading.Event()
    asked: list[str] = []
    reader = threading.Thread(target=lambda: asked.extend(_terminal(master, kind, done)), daemon=True)
    reader.start()
    try:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(results_w)], stdin=slave, stdout=slave,
                                 stderr=subprocess.PIPE, env=env, cwd=ROOT, pass_fds=(results_w,))
        os.close(slave)
        os.close(results_w)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err.decode()
        with os.fdopen(results_r, "rb") as fh:
            got = json.loads(fh.read())
    finally:
        done.set()
        reader.join(timeout=5)
        os.close(master)
    assert got == {"method": method, "left": ""}
    # kitty's query goes out with the attributes' question, first of all
    assert asked[:2] == ["kitty", "da1"]


def test_textual_image_still_asks_through_the_function_the_board_answers_for():
    """``_answered_already`` answers kitty's question by standing in for textual-image's
    ``capture_terminal_response`` while it is imported; a textual-image that asks another way
    would be asked the slow way again, silently: this says so on the upgrade instead."""
    import inspect

    from textual_image import _terminal
    from textual_image.renderable import tgp

    assert tgp.capture_terminal_response is _terminal.capture_terminal_response
    assert list(inspect.signature(_terminal.capture_terminal_response).parameters)[:3] == [
        "start_marker", "end_marker", "timeout"]
    assert tgp._TGP_MESSAGE_START == "\x1b_G"
