"""The one lock every store call from the board takes (TinyStore is not thread-safe), and the
base of the screens that read the store themselves (Today, Outcomes, Statement). They save only
through the app's ``Session``, the one writer, so every change they make is one undo step.
``cursor_bindings``: the list-cursor keys (j/k, pages, g/G) once, for any screen with a list."""

from __future__ import annotations

import threading

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from ..session import Session


def kind(screen: object) -> str:
    """Which of the board's screens ``screen`` is: "board", "detail", "today", "help", "form" (a
    class's ``BOARD_KIND``), or "". Asked instead of ``isinstance``, so that the app, the loader
    and the palette need not import the detail's, Today's and help's modules before the first
    frame (6 ms of every start): a screen whose module is not imported yet is never on the stack."""
    return getattr(screen, "BOARD_KIND", "")


class KeptScreen:
    """For a screen installed once and pushed again (the detail, Today), or styled as it mounted
    just before it is first shown (the board, ``_styled_now``): shown, it is restyled only when
    the app's CSS changed since it was last styled (a theme picked while it was off the stack).
    Textual restyles every node of a pushed screen, which for a kept one changed nothing but
    cost a layout pass and a second frame (the scrollbars' rules applied again), as Textual
    already skips it when a screen is shown again by a pop; and every node of the default screen
    when it is first shown, just after they were styled (20-25 ms of the board's first frame).
    ``App._css_update_count`` is what ``App`` itself compares for this (textual==8.2.8, the
    pinned version)."""

    _styled_for: int | None = None

    def _styled_now(self) -> None:
        """Its widgets were styled just now (it mounted): its first showing need not again."""
        self._styled_for = getattr(self.app, "_css_update_count", None)  # type: ignore[attr-defined]

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Called before Screen's own handler (Textual walks the MRO), which reads the flag.
        count = getattr(self.app, "_css_update_count", None)
        if count is not None and count == self._styled_for:
            event.refresh_styles = False
        self._styled_for = count


class StoreLockUser:
    """For screens whose workers call the store: the app's lock, else one of their own (tests)."""

    _lock: threading.Lock | None = None

    @property
    def store_lock(self) -> threading.Lock:
        if self._lock is None:
            self._lock = getattr(self.app, "store_lock", None) or threading.Lock()  # type: ignore[attr-defined]
        return self._lock


class StoreScreen(StoreLockUser, Screen):
    """A screen whose workers read and save through the store, under the app's lock."""

    def __init__(self, store, cfg, clock, user: str | None = None, lock: threading.Lock | None = None,
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.cfg = cfg
        self.clock = clock
        self.user = user or getattr(store, "user", "")
        self._lock = lock

    _session: Session | None = None

    @property
    def session(self) -> Session:
        """The app's one writer; a screen run on its own (tests) gets one over its store."""
        if self._session is None:
            self._session = getattr(self.app, "session", None) or Session(self.store, self.clock, self.store_lock)
        return self._session


def cursor_bindings(ns: str, first: str = "First", last: str = "Last") -> list[Binding]:
    """The keys that move a list's cursor (j/k, page up/down, g/G), as ``row(step)``,
    ``page(step)``, ``first`` and ``last`` actions, with keymap ids ``<ns>.down`` and so on."""
    return [
        Binding("down,j", "row(1)", "Down", show=False, id=f"{ns}.down"),
        Binding("up,k", "row(-1)", "Up", show=False, id=f"{ns}.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{ns}.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{ns}.page_up"),
        Binding("g,home", "first", first, show=False, id=f"{ns}.first"),
        Binding("G,end", "last", last, show=False, id=f"{ns}.last"),
    ]
