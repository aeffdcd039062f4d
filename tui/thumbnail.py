"""The evidence preview in the case detail: a thumbnail of a photo, the details of anything else.

``load_preview`` (no Textual, runs in a thread worker) reads the file once with ``O_NOFOLLOW``,
checks its size and SHA-256 against what was recorded when it was attached, and only then
decodes those same bytes at thumbnail size (``Image.draft`` lets libjpeg scale a JPEG down by
1/2, 1/4 or 1/8 while decoding: a 4032x3024 photo decodes at 504x378, several times
cheaper than a full decode; `bench/thumbnail.py` measures it). A missing,
unreadable or changed file gives no picture at all: never an old one.

``EvidencePreview`` shows the result with textual-image, with the best method the terminal
offers (Sixel, the kitty graphics protocol, else coloured half-blocks; plain Unicode when not on
a terminal at all). textual-image asks the terminal what it supports when it is first imported,
and the answers must be read before the app starts (Textual's input thread would take them). So
the board asks textual-image's two questions itself, in one write, in a thread while the rest
of the board is imported and the database opened (``tui.terminal_question``, ``tui.cli.board``): kitty's
query (which xterm, VTE and tmux never answer: textual-image waited its 0.1 s timeout for it)
and the primary device attributes, which every terminal answers, last. Their answer ends the
read: one round trip. textual-image itself (and PIL, 40-60 ms of imports) is
imported when the first picture is to be shown, in the preview's worker (``prepare_pictures``),
told those answers and asking nothing (``_import_image``). This module imports neither, so the board imports it without
asking anything.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from store import Case, Evidence
from store.files import link_instead, open_evidence

from .safe import clean, file_size
from .terminal_question import _ANSWERS, TerminalAnswers

if TYPE_CHECKING:
    from PIL import Image as PILImage

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
# The formats those names are (Pillow's names and the plugins that read them). Only these are
# tried: left to itself, a file that is none of Pillow's five common formats (a placeholder named
# .jpg, a damaged photo) made Pillow import all of its ~45 plugins to try each, 8 MB of the
# board's memory from then on, and handed an attacker's file named .jpg to readers no buyer needs
# (EPS among them, which runs Ghostscript where it is installed).
DECODERS = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "GIF": "GifImagePlugin",
            "WEBP": "WebPImagePlugin", "BMP": "BmpImagePlugin", "TIFF": "TiffImagePlugin"}
MAX_BYTES = 64 << 20  # a larger file is described, not decoded
# Enough for Sixel/kitty in the 36x10-cell box (360x200 px at 10x20-px cells); half-blocks need
# 36x20. A 4032x3024 JPEG drafts at 1/8 (504x378) for this: the cheapest decode libjpeg has.
THUMB_PX = (480, 360)


_IMAGE: list[type] = []  # textual-image's widget class for this terminal, once imported
_IMAGE_LOCK = threading.Lock()


def prepare_pictures() -> None:
    """Import textual-image now: in the preview's worker, when it has the first picture to show.
    40-60 ms of imports (it and PIL) and 2.6 MB that every board start paid before its first
    frame, for a preview many sessions never show."""
    _terminal_image()


def _terminal_image() -> type:
    """textual-image's widget for this terminal (imported once, by whichever thread asks first;
    the others wait for it)."""
    with _IMAGE_LOCK:
        if not _IMAGE:
            _IMAGE.append(_import_image(_ANSWERS[0] if _ANSWERS else _UNASKED))
        return _IMAGE[0]


_UNASKED = object()  # ask_terminal never ran (a host app, a test): textual-image asks for itself


def _import_image(answers: object) -> type:
    """textual-image's widget class picked from ``answers`` (``_probe_terminal``'s), imported
    without asking the terminal anything: the app owns the terminal by now, and an answer would
    reach the board as keys.

    textual-image (pinned below 0.13 in pyproject.toml) asks when its modules are imported and
    offers no way to pass an answer in. Its questions go through ``capture_terminal_response``
    (read from ``textual_image._terminal`` when its renderable modules are imported), which is
    replaced for the import only by one that answers "no" before anything is written. Its cell
    size in pixels then comes from the terminal's size report (TIOCGWINSZ), as textual-image
    asks first, else its default (10x20): it matters for Sixel and kitty pictures only."""
    if not isinstance(answers, TerminalAnswers):  # not a terminal, or never asked: the usual import
        from textual_image.widget import Image

        return Image
    from textual_image import _terminal

    original = getattr(_terminal, "capture_terminal_response", None)

    @contextmanager
    def asked_already(start_marker: str, end_marker: str, timeout: float | None = None):
        raise TimeoutError("asked before the app ran (tui.terminal_question.ask_terminal)")
        yield  # (a generator: a context manager that refuses at entry, before the question is written)

    if original is not None:
        _terminal.capture_terminal_response = asked_already
    try:
        import textual_image.widget as widget
    finally:
        if original is not None:
            _terminal.capture_terminal_response = original
    return {"sixel": widget.SixelImage, "tgp": widget.TGPImage}.get(answers.method, widget.HalfcellImage)


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
        with PILImage.open(io.BytesIO(data), formats=_formats()) as im:
            source = im.size
            im.draft("RGB", px)  # JPEG: decode at 1/2..1/8 scale; other formats ignore it
            im.thumbnail(px, PILImage.Resampling.BILINEAR)
            thumb = im.convert("RGB")
    except PILImage.UnidentifiedImageError:  # (its message names the in-memory buffer: nothing for a person)
        return Preview(index, "undecodable", detail="cannot decode it: not a picture format this can read")
    except Exception as exc:  # noqa: BLE001 - any decoder failure (bomb, truncated, unknown) is one answer
        return Preview(index, "undecodable", detail=f"cannot decode it: {clean(str(exc))[:80]}")
    return Preview(index, "image", thumb, decode_ms=(time.perf_counter() - t0) * 1000, source_px=source)


def _formats() -> tuple[str, ...]:
    """``DECODERS``' formats, their plugins imported (so Pillow, finding each registered, imports
    no other to look for it)."""
    import importlib

    for module in DECODERS.values():
        importlib.import_module(f"PIL.{module}")
    return tuple(DECODERS)


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
        # The picture's widget (textual-image's) is mounted with the first picture: the board's
        # start composes this pane, and textual-image is imported only for a picture.

    @property
    def image(self) -> PILImage.Image | None:
        """The picture shown, if any."""
        found = self.query("#ev-image")
        return found.first().image if found else None

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
        preview = load_preview(e, index)
        if preview.image is not None:
            prepare_pictures()  # the first picture: textual-image imported here, not in the UI thread
        self.post_message(PreviewReady(case_id, rev, preview))

    async def on_preview_ready(self, msg: PreviewReady) -> None:
        msg.stop()
        if not self._answers(msg):
            return  # an answer for a file no longer shown
        if msg.preview.image is not None and not self.query("#ev-image"):
            # The first picture: its widget mounted empty, then given the picture, as every later
            # one is (given it at construction, textual-image's widget took no height at its
            # first layout: nothing was drawn).
            await self.mount(_terminal_image()(None, id="ev-image"))
            if not self._answers(msg):
                return
        self.preview = msg.preview
        self._set_image(msg.preview.image)
        self._caption()

    def _answers(self, msg: PreviewReady) -> bool:
        return self.case is not None and msg.case_id == self.case.id and msg.rev == self.case.rev and \
            msg.preview.index == self.index

    def _set_image(self, image: PILImage.Image | None) -> None:
        found = self.query("#ev-image")
        if found:
            found.first().image = image
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
