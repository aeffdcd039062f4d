"""The evidence preview in the case detail: a thumbnail of a photo, the details of anything else.

``load_preview`` (no Textual, runs in a thread worker) reads the file once with ``O_NOFOLLOW``,
checks its size and SHA-256 against what was recorded when it was attached, and only then
decodes those same bytes at thumbnail size (``Image.draft`` lets libjpeg scale a JPEG down by
1/2, 1/4 or 1/8 while decoding: a 4032x3024 photo decodes at 504x378, several times
cheaper than a full decode; `bench/thumbnail.py` measures it). A missing,
unreadable or changed file gives no picture at all: never an old one.

``EvidencePreview`` shows the result with textual-image, which picks the best method the
terminal offers (Sixel, the kitty graphics protocol, else coloured half-blocks; plain Unicode
when not on a terminal at all). textual-image asks the terminal what it supports when it is
first imported, and that must happen before the app starts (Textual's input thread would take
the answers): ``ask_terminal`` does it in a thread while the rest of the board is imported and
the database opened (``tui.cli.board``), so its waits overlap that work instead of adding to it.
Kitty's question (the graphics protocol) is one xterm, VTE and tmux never answer: textual-image
waits its 0.1 s timeout for it, longer than the board takes to import and read 1,000 cases. So
the thread first asks it together with the primary device attributes, which every terminal
answers, and after them (``_probe_graphics``): the answer to both comes back in one round trip,
and when no graphics answer came before the attributes, textual-image's own wait is skipped
(``_answered_already``). This module imports neither textual-image nor PIL itself, so the board
imports it without asking anything.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import select
import stat
import sys
import termios
import threading
import time
import tty
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from store import Case, Evidence
from store.files import link_instead, open_evidence

from .safe import clean, file_size

if TYPE_CHECKING:
    from PIL import Image as PILImage

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
MAX_BYTES = 64 << 20  # a larger file is described, not decoded
# Enough for Sixel/kitty in the 36x10-cell box (360x200 px at 10x20-px cells); half-blocks need
# 36x20. A 4032x3024 JPEG drafts at 1/8 (504x378) for this: the cheapest decode libjpeg has.
THUMB_PX = (480, 360)


def ask_terminal() -> Callable[[], None]:
    """Import textual-image in a thread: the import asks the terminal what it can draw (Sixel,
    kitty graphics, the cell size in pixels), up to 0.1 s a question. Call what this returns
    before the app runs: it waits for the answers (and raises what the import raised).

    While the thread runs, the caller must not import textual-image or PIL itself (two threads
    importing the same modules at once can each meet the other's half-done): the rest of the
    board does not, and this module's own imports (textual.app) leave textual-image nothing else
    to import (tests/tui/test_startup_imports.py checks both)."""
    # The answers are read a byte at a time, each byte taking the GIL back from the importing
    # thread: at Python's 5 ms switch interval, the 16 bytes of two answers cost 80 ms.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    thread = threading.Thread(target=_ask, name="ask-terminal", daemon=True)
    thread.start()

    def answered() -> None:
        thread.join()
        sys.setswitchinterval(interval)
        _terminal_image()  # a dict lookup when the thread imported it; else the thread's error, raised here

    return answered


def _ask() -> None:
    try:
        graphics = _probe_graphics()
    except (OSError, ValueError, termios.error):  # no terminal to ask after all: textual-image finds out itself
        graphics = None
    try:
        with _answered_already(graphics):
            _terminal_image()
    except Exception:  # noqa: BLE001 - the caller imports it again after the join and meets the error itself
        pass


# Kitty's graphics query as textual-image sends it (a 1x1 RGB image, query only: nothing is
# stored or drawn), then the primary device attributes, which every terminal answers, in order.
_GRAPHICS_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_DA1_QUERY = b"\x1b[c"
_DA1_ANSWER_HEAD = b"\x1b[?"
_PROBE_TIMEOUT = 0.1  # textual-image's own, for a terminal that answers nothing at all


def _probe_graphics(timeout: float = _PROBE_TIMEOUT) -> bool | str | None:
    """Whether the terminal answered kitty's graphics query with OK (True) or answered the
    device attributes after it without a word about graphics (False); "silent": no answer at
    all in ``timeout`` (none of textual-image's questions will have one either); None: not a
    terminal (textual-image asks nothing there).

    Both questions go out in one write; terminals answer in the order asked, so once the
    attributes' answer is in, no graphics answer is still coming. Bytes are read one at a time
    up to the end of the attributes' answer, so a key typed meanwhile stays for the board."""
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
                return "silent" if not got else None  # (half an answer: let textual-image ask itself)
            byte = os.read(fd, 1)
            if not byte:
                return None
            got += byte
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    before = bytes(got[:head])
    start = before.find(b"\x1b_G")
    return start >= 0 and before[start:].split(b"\x1b\\", 1)[0].endswith(b";OK")


@contextmanager
def _answered_already(graphics: bool | str | None):
    """While textual-image is imported: its graphics question (the only one it waits out on
    xterm, VTE and tmux) answered "no" at once when ``_probe_graphics`` just saw the terminal
    answer the attributes and not that (``graphics`` False); every question of it answered "no"
    at once when the terminal answered nothing at all ("silent": it would wait 0.1 s for each of
    three). Its other questions, and every question when ``graphics`` is True or None, go to
    the terminal as before.

    textual-image (pinned below 0.13 in pyproject.toml) offers no way to pass an answer in: its
    question functions read ``capture_terminal_response`` when its renderable modules are
    imported, so the name is replaced for that import only, and the replacement passes every
    later call through. A version without that name is asked the usual way."""
    if graphics is not False and graphics != "silent":
        yield
        return
    try:
        from textual_image import _terminal
    except ImportError:
        yield
        return
    original = getattr(_terminal, "capture_terminal_response", None)
    if original is None:
        yield
        return
    importing = [True]

    @contextmanager
    def capture(start_marker: str, end_marker: str, timeout: float | None = None):
        if importing[0] and (start_marker == "\x1b_G" or graphics == "silent"):
            yield SimpleNamespace(sequence="")
            raise TimeoutError("no such answer: asked together with the device attributes a moment ago")
        with original(start_marker, end_marker, timeout) as response:
            yield response

    _terminal.capture_terminal_response = capture
    try:
        yield
    finally:
        importing[0] = False
        _terminal.capture_terminal_response = original


def _terminal_image() -> type:
    from textual_image.widget import Image  # the import asks the terminal: see ask_terminal

    return Image


def is_image(e: Evidence) -> bool:
    return Path(e.path).suffix.lower() in IMAGE_SUFFIXES


@dataclass
class Preview:
    index: int
    state: str  # image | missing | changed | not_image | too_large | undecodable
    image: PILImage.Image | None = None
    detail: str = ""
    decode_ms: float = 0.0
    source_px: tuple[int, int] | None = None
    meta: dict = field(default_factory=dict)


def _read(path: str, limit: int) -> bytes:
    # A link planted where the file was is not followed, a FIFO not waited on (the packet's
    # and the check's rule: store.files.open_evidence).
    with open_evidence(path) as fh:
        return fh.read(limit + 1)


def load_preview(e: Evidence, index: int, px: tuple[int, int] = THUMB_PX) -> Preview:
    """What the preview shows for evidence ``e``. Pure I/O and decoding: call it off the UI thread."""
    image = is_image(e)
    try:
        st = os.stat(e.path, follow_symlinks=False)
    except OSError:
        return Preview(index, "missing", detail="the file is not there any more")
    instead = link_instead(e.path) if stat.S_ISLNK(st.st_mode) else None
    if instead is not None:
        return Preview(index, "changed", detail=instead)
    if st.st_size != e.size:
        return Preview(index, "changed", detail=f"size is {st.st_size} bytes, {e.size} when attached")
    if st.st_size > MAX_BYTES:
        return Preview(index, "too_large", detail="too large to preview")
    try:
        data = _read(e.path, MAX_BYTES)
    except OSError as exc:
        return Preview(index, "missing", detail=f"cannot read it: {exc.strerror or exc}")
    if len(data) != e.size or hashlib.sha256(data).hexdigest() != e.sha256:
        return Preview(index, "changed", detail="its SHA-256 differs from the one recorded when attached")
    if not image:
        return Preview(index, "not_image")
    from PIL import Image as PILImage  # decoding only (~10 ms of import); here a worker thread, after ask_terminal

    t0 = time.perf_counter()
    try:
        with PILImage.open(io.BytesIO(data)) as im:
            source = im.size
            im.draft("RGB", px)  # JPEG: decode at 1/2..1/8 scale; other formats ignore it
            im.thumbnail(px, PILImage.Resampling.BILINEAR)
            thumb = im.convert("RGB")
    except PILImage.UnidentifiedImageError:  # (its message names the in-memory buffer: nothing for a person)
        return Preview(index, "undecodable", detail="cannot decode it: not a picture format this can read")
    except Exception as exc:  # noqa: BLE001 - any decoder failure (bomb, truncated, unknown) is one answer
        return Preview(index, "undecodable", detail=f"cannot decode it: {clean(str(exc))[:80]}")
    return Preview(index, "image", thumb, decode_ms=(time.perf_counter() - t0) * 1000, source_px=source)


class PreviewReady(Message):
    def __init__(self, case_id: str, rev: int, preview: Preview) -> None:
        super().__init__()
        self.case_id, self.rev, self.preview = case_id, rev, preview


class EvidencePreview(Vertical):
    """One evidence file of the case: ``show(case, index)``; the picture comes from a worker."""

    DEFAULT_CSS = """
    EvidencePreview { height: auto; padding: 0 1; border-top: hkey $panel; }
    EvidencePreview #ev-caption { height: auto; }
    EvidencePreview #ev-image { width: 36; height: auto; max-height: 16; display: none; }
    EvidencePreview.-has-image #ev-image { display: block; }
    """

    def __init__(self, enabled: bool = True, **kw) -> None:
        super().__init__(**kw)
        self.enabled = enabled
        self.case: Case | None = None
        self.index = 0
        self.preview: Preview | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="ev-caption")
        yield _terminal_image()(None, id="ev-image")  # imported, the terminal asked, before the app ran

    @property
    def evidence(self) -> Evidence | None:
        if self.case is None or not self.case.evidence:
            return None
        return self.case.evidence[self.index % len(self.case.evidence)]

    def show(self, case: Case | None, index: int | None = None) -> None:
        same = case is not None and self.case is not None and case.id == self.case.id and case.rev == self.case.rev
        if index is None:
            index = self.index if same else 0
        if same and index == self.index and self.preview is not None:
            return
        self.case, self.index = case, index
        self.preview = None
        self._set_image(None)
        self.display = bool(case is not None and case.evidence)
        if not self.display:
            return
        self._caption()
        e = self.evidence
        if self.enabled and e is not None:
            self._load(case.id, case.rev, e, self.index)  # type: ignore[union-attr]

    def step(self, delta: int) -> None:
        if self.case is not None and self.case.evidence:
            self.show(self.case, (self.index + delta) % len(self.case.evidence))

    @work(thread=True, exclusive=True, group="evidence-preview")
    def _load(self, case_id: str, rev: int, e: Evidence, index: int) -> None:
        self.post_message(PreviewReady(case_id, rev, load_preview(e, index)))

    def on_preview_ready(self, msg: PreviewReady) -> None:
        msg.stop()
        if self.case is None or msg.case_id != self.case.id or msg.rev != self.case.rev or \
                msg.preview.index != self.index:
            return  # an answer for a file no longer shown
        self.preview = msg.preview
        self._set_image(msg.preview.image)
        self._caption()

    def _set_image(self, image: PILImage.Image | None) -> None:
        widget = self.query_one("#ev-image")
        widget.image = image
        self.set_class(image is not None, "-has-image")

    def _caption(self) -> None:
        e, case = self.evidence, self.case
        if e is None or case is None:
            return
        n = len(case.evidence)
        p = self.preview
        parts: list = [(f"Evidence {self.index % n + 1}/{n}", "bold underline"), ("  ", ""),
                       (e.kind, "bold"), ("  ", ""), (clean(Path(e.path).name), "")]
        if p is None:
            state = "checking…" if self.enabled else ("thumbnails off ([board] thumbnails)" if is_image(e) else "")
            parts += [("\n", ""), (state, "$text-muted")] if state else []
        elif p.state == "missing":
            parts += [("\nMISSING  ", "bold $error"), (clean(p.detail), "")]
        elif p.state == "changed":
            parts += [("\nCHANGED  ", "bold $warning"), (clean(p.detail), ""),
                      ("\nnot shown: it is not the file that was attached", "$text-muted")]
        elif p.state == "image" and p.image is not None and p.source_px:
            parts += [("\n", ""), (f"{p.source_px[0]}x{p.source_px[1]} px · {file_size(e.size)} · sha256 "
                                   f"{e.sha256[:12]}", "$text-muted")]
        elif p.state in ("too_large", "undecodable"):
            parts += [("\n", ""), (clean(p.detail), "$warning")]
        if p is None or p.state != "image":
            mime = mimetypes.guess_type(e.path)[0] or "unknown type"
            parts += [("\n", ""), (f"{mime} · {file_size(e.size)} · added {e.added_at:%Y-%m-%d} · sha256 "
                                   f"{e.sha256[:12]}", "$text-muted")]
            parts += [("\n", ""), (clean(e.path), "")]
        if e.note:
            parts += [("\n", ""), (clean(e.note), "$text-muted")]
        keys = "p copy path" + ("  v next file" if n > 1 else "")
        parts += [("\n", ""), (keys, "$text-muted")]
        self.query_one("#ev-caption", Static).update(Content.assemble(*parts))


__all__ = ["EvidencePreview", "Preview", "PreviewReady", "load_preview", "is_image", "THUMB_PX"]
