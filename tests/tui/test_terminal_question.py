"""The terminal question asked before the board starts (``tui.terminal_question.ask_terminal``), on a real
pty, answered the way real terminals answer: which picture method the board then uses, that
no answer is left behind for the board to read as keys, and that textual-image, imported later
(with the first picture, when the app owns the terminal), asks the terminal nothing.

Kitty's graphics query and the device attributes go out in one write (``_probe_terminal``), so
a terminal that never answers kitty's (xterm, VTE, tmux) costs one round trip instead of
textual-image's 0.1 s timeout: how long a start takes is measured in `make bench`, not here.
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
import json, os, select, sys, threading, time
from tui.terminal_question import ask_terminal
from tui.thumbnail import prepare_pictures, _terminal_image
usual = sys.getswitchinterval()
answered = ask_terminal()
asking = sys.getswitchinterval()
ask = next(t for t in threading.enumerate() if t.name == "ask-terminal")
ask.join(5)  # the answer is in (or the wait for it is over)
once_in = sys.getswitchinterval()
answered()
intervals = [asking < usual, once_in == usual, sys.getswitchinterval() == usual]
asked_before = "textual_image" in sys.modules
os.write(int(sys.argv[1]), b"answered\\n")  # the test notes what the terminal was asked up to here
time.sleep(0.3)
prepare_pictures()  # as the preview's worker does with the first picture
from textual_image._terminal import get_cell_size
cls = _terminal_image()
fd = sys.stdin.fileno()
left = b""
while select.select([fd], [], [], 0.2)[0]:
    left += os.read(fd, 64)
cell = get_cell_size()
import textual_image.widget as w
name = [n for n in ("SixelImage", "TGPImage", "HalfcellImage", "UnicodeImage") if getattr(w, n) is cls]
os.write(int(sys.argv[1]), json.dumps({"method": name, "imported_early": asked_before, "intervals": intervals,
                                       "cell": [cell.width, cell.height],
                                       "left": left.decode(errors="replace")}).encode())
"""

DA1 = re.compile(rb"\x1b\[c")
KITTY = re.compile(rb"\x1b_G([^;\x1b]*)(?:;[^\x1b]*)?\x1b\\")
CELLS = re.compile(rb"\x1b\[16t")


def _terminal(master: int, kind: str, done: threading.Event, asked: list[str]) -> None:
    """Answer the child's questions as a terminal of ``kind`` would, in the order asked (noted
    in ``asked`` as they come)."""
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
                reply = b"\x1b[6;17;8t"
            if reply:
                os.write(master, reply)


@pytest.mark.parametrize(("kind", "method"), [
    ("xterm", "HalfcellImage"),  # answers the attributes, never kitty's query: xterm, VTE, tmux
    ("sixel", "SixelImage"),  # says 4 (Sixel) in its attributes: foot, WezTerm, xterm -ti vt340
    ("kitty", "TGPImage"),  # answers the graphics query OK, before the attributes
    ("silent", "HalfcellImage"),  # answers nothing in 0.1 s: half-blocks, as textual-image gives it
])
def test_the_board_draws_pictures_the_way_the_terminal_answers_and_leaves_no_answer_unread(kind, method):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # no pixel size, as tmux says
    results_r, results_w = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), TERM="xterm-256color")
    done = threading.Event()
    asked: list[str] = []
    reader = threading.Thread(target=_terminal, args=(master, kind, done, asked), daemon=True)
    reader.start()
    try:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(results_w)], stdin=slave, stdout=slave,
                                 stderr=subprocess.PIPE, env=env, cwd=ROOT, pass_fds=(results_w,))
        os.close(slave)
        os.close(results_w)
        with os.fdopen(results_r, "rb") as fh:
            first = fh.readline()
            asked_then = list(asked)
            rest = fh.read()
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err.decode()
        assert first == b"answered\n"
        got = json.loads(rest)
    finally:
        done.set()
        reader.join(timeout=5)
        os.close(master)
    # No pixel size from the pty and the cell size never asked: textual-image's default. (The
    # cell size is not asked at all: an answer tmux passed on could come after the attributes'.)
    # The GIL handed over often while the answer is read a byte at a time, as usual once it is in
    # (the imports and the database's read ahead share it meanwhile).
    assert got == {"method": [method], "imported_early": False, "intervals": [True, True, True], "cell": [10, 20],
                   "left": ""}
    # two questions in one write, kitty's first, the attributes last; and nothing more after the
    # app would own the terminal (textual-image imported then asks nothing)
    assert asked_then == ["kitty", "da1"]
    assert asked == asked_then


def test_textual_image_still_asks_through_the_names_the_board_answers_for():
    """``_import_image`` answers textual-image's questions by standing in for its
    ``capture_terminal_response`` while it is imported (its cell size question too); a
    textual-image that asks another way would write its questions
    to a terminal the app owns (the answers read as keys): this says so on the upgrade instead."""
    import inspect

    from textual_image import _terminal
    from textual_image.renderable import sixel, tgp

    assert tgp.capture_terminal_response is _terminal.capture_terminal_response
    assert sixel.capture_terminal_response is _terminal.capture_terminal_response
    assert list(inspect.signature(_terminal.capture_terminal_response).parameters)[:3] == [
        "start_marker", "end_marker", "timeout"]
    assert tgp._TGP_MESSAGE_START == "\x1b_G"
    assert "capture_terminal_response" in inspect.getsource(_terminal.get_cell_size)
