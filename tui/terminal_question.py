"""The terminal question asked before the board starts: what pictures it can draw (Sixel, the
kitty graphics protocol), read before Textual's input thread takes the terminal (``tui.thumbnail``
says why and how the answers are used).

Nothing here imports Textual: ``tui.cli.board`` asks first thing, so the round trip (an SSH login's
too) runs beside the board's imports, and the database's read ahead starts beside them as well,
instead of after the ~150 ms of Textual that ``tui.thumbnail`` imports.
"""

from __future__ import annotations

import os
import select
import sys
import termios
import threading
import time
import tty
from dataclasses import dataclass
from typing import Callable


def ask_terminal() -> Callable[[], None]:
    """Ask the terminal what it can draw (Sixel, kitty graphics), in a thread, while the board
    imports and the database opens. Call what this returns before the app runs: it waits for
    the answers, which must be read before Textual's input thread takes the terminal.
    textual-image is imported with the first picture (``prepare_pictures``), told these."""
    # The answers are read a byte at a time, each byte taking the GIL back from the importing
    # main thread: at Python's 5 ms switch interval, the 16 bytes of two answers cost 80 ms.
    # Back to the usual interval as soon as the answer is in: the main thread's imports and the
    # database's read ahead share the GIL meanwhile, and at 0.2 ms they handed it over 25 times
    # as often, for nothing.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    thread = threading.Thread(target=_ask, args=(interval,), name="ask-terminal", daemon=True)
    thread.start()

    def answered() -> None:
        thread.join()
        sys.setswitchinterval(interval)

    return answered


@dataclass(frozen=True)
class TerminalAnswers:
    """What the terminal said before the app ran: the picture method textual-image would pick
    from the same answers (Sixel first, then kitty's graphics protocol, else half-blocks)."""
    method: str  # "sixel" | "tgp" | "halfcell"


_ANSWERS: list[TerminalAnswers | None] = []  # set by ask_terminal's thread: None, not a terminal


def _ask(interval: float) -> None:
    try:
        got = _probe_terminal()
    except (OSError, ValueError, termios.error):  # no terminal to ask after all
        got = None
    finally:
        sys.setswitchinterval(interval)
    _ANSWERS[:] = [got]


# Kitty's graphics query as textual-image sends it (a 1x1 RGB image, query only: nothing is
# stored or drawn), then the primary device attributes, which every terminal answers, in order.
# Not the cell size in pixels (xterm's CSI 16 t): tmux answers the attributes itself but may pass
# that question on, so its answer could come after the attributes' and reach Textual as keys
# (whose parser then reads every key after it as text, until the next escape: a `q` never quits).
_GRAPHICS_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_DA1_QUERY = b"\x1b[c"
_DA1_ANSWER_HEAD = b"\x1b[?"
_PROBE_TIMEOUT = 0.1  # textual-image's own, for a terminal that answers nothing at all


def _probe_terminal(timeout: float = _PROBE_TIMEOUT) -> TerminalAnswers | None:
    """The terminal's answers to textual-image's two questions of what it can draw, asked in
    one write and read in one round trip; None: not a terminal (textual-image asks nothing
    there either).

    Terminals answer in the order asked, and every one answers the device attributes, so once
    their answer is in, no other answer is still coming: kitty's query, which xterm, VTE and
    tmux never answer, costs nothing (textual-image waited its 0.1 s timeout for it). A terminal
    that answers nothing in ``timeout`` gets half-blocks, as textual-image gives it. Bytes are
    read one at a time up to the end of the attributes' answer, so a key typed meanwhile stays
    for the board."""
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or not stdin.isatty() or not stdout.isatty():
        return None
    fd = stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        stdout.flush()
        os.write(stdout.fileno(), _GRAPHICS_QUERY + _DA1_QUERY)
        got = bytearray()
        end = time.monotonic() + timeout
        while True:
            head = got.find(_DA1_ANSWER_HEAD)
            if head >= 0 and got.endswith(b"c") and len(got) > head + len(_DA1_ANSWER_HEAD):
                break
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return TerminalAnswers("halfcell")  # silent, or half an answer: no method is sure
            byte = os.read(fd, 1)
            if not byte:
                return None
            got += byte
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    before = bytes(got[:head])
    attributes = bytes(got[head + len(_DA1_ANSWER_HEAD):-1]).split(b";")
    start = before.find(b"\x1b_G")
    graphics = start >= 0 and before[start:].split(b"\x1b\\", 1)[0].endswith(b";OK")
    return TerminalAnswers("sixel" if b"4" in attributes else "tgp" if graphics else "halfcell")
