"""Frame marks for the process benchmarks (bench/figures.py): a mixin for a Textual App that,
when ``$BENCH_MARK_FD`` names an inherited pipe, writes one line per milestone to it:

    first <t>            the first frame handed to the terminal driver
    cards <t>            the frame the app's ``first_paint_at`` follows (first cards drawn), when
                         it has that attribute; at the latest the sorted frame, which shows cards
    sorted <t> <n> <s>   the first frame after ``full_loaded_at`` was set: every case decoded and
                         sorted by urgency in its column; n = cases held in ``board.by_stage``,
                         s = the app's ``last_load_seconds``; an app without ``full_loaded_at``:
                         the first frame after its ``counts`` are known

t is ``time.monotonic()`` (CLOCK_MONOTONIC: the same clock in every process of the box), so the
parent subtracts the instant it started the process. The attributes are read with getattr, so
a board whose load pipeline moved keeps being measurable (the app's ``loader`` is read when it has
one, else the app itself); a missing one just gives no mark.
Nothing else in the app is touched: key timings are read from the terminal's side (bench/term.py).
"""

from __future__ import annotations

import os
import time


_NONE = object()


class Marks:
    _bench_mark_fd = int(os.environ.get("BENCH_MARK_FD", "-1") or -1)
    _bench_marked: set[str] | None = None
    _bench_frames: tuple[float, ...] = ()

    def _bench_mark(self, name: str, t: float, *extra) -> None:
        if self._bench_marked is None:
            self._bench_marked = set()
        if name in self._bench_marked or self._bench_mark_fd < 0:
            return
        self._bench_marked.add(name)
        try:
            os.write(self._bench_mark_fd, (" ".join([name, repr(t), *map(str, extra)]) + "\n").encode())
        except OSError:
            self._bench_mark_fd = -1

    def _display(self, screen, renderable) -> None:  # Textual: a frame leaves for the driver
        super()._display(screen, renderable)  # type: ignore[misc]
        if renderable is None or self._bench_mark_fd < 0:
            return
        now = time.monotonic()
        self._bench_mark("first", now)
        src = getattr(self, "loader", self)  # the board keeps its load state in its loader
        painted = getattr(src, "first_paint_at", None)
        if painted is not None:  # perf_counter, converted to the monotonic clock
            # first_paint_at is taken just after the frame with cards: that frame is the mark.
            at = painted - time.perf_counter() + now
            self._bench_mark("cards", max((f for f in self._bench_frames if f <= at), default=at))
        self._bench_frames = (*self._bench_frames[-7:], now)
        loaded = getattr(src, "full_loaded_at", _NONE)
        if loaded is _NONE:  # no such attribute any more: every case looked at = counts known
            loaded = getattr(src, "counts", None)
        if loaded is not None:
            held = -1
            try:
                held = sum(len(cs) for cs in self.board.by_stage.values())  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - a renamed attribute: the mark without the count
                pass
            if held > 0:  # a sorted frame shows cards: the first of them, when none came before
                self._bench_mark("cards", now)  # (a board whose first frame is sorted sets
                #                                 first_paint_at after it, with no frame to follow)
            self._bench_mark("sorted", now, held, getattr(src, "last_load_seconds", -1.0))
