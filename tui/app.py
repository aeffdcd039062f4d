"""Dispute Board: the Textual kanban. The App routes: it holds the themes, the keymap (the
app-wide keys; the case keys live with the screens that show a case) and the one timer, and
hands each message to the piece that owns it. Attributes down, messages up: the app and its
parts call the screens' methods; screens and widgets post messages (``tui.messages``).

Where things are:
- ``loader.BoardLoader`` (``self.loader``): the load pipeline, the one clock's work (countdowns,
  the poll for other people's changes), the counts and the status lines.
- ``screens.board`` / ``screens.detail``: the two screens that show a case; their case keys and
  actions are ``case_actions.CaseActions``; every save they ask for runs in
  ``case_actions.CaseWriter`` (``self.writer``) through ``self.session`` (``tui.session``, the one
  writer: conflicts, the lock, undo and redo for every screen).
- ``evidence.EvidenceChecks`` (``self.evidence``): the card marks and the open case's hashes.
- ``commands``: the help rows and the palette.

Threads: every store call runs in a thread worker holding ``self.store_lock``; the session takes
it itself. Results come back as typed messages (``CasesLoaded``, ``CaseSaved``, ``SaveFailed``,
``EvidenceChecked``). The UI thread only reads the immutable ``Case`` snapshots those carry.
"""

from __future__ import annotations

import gc
import os
import select
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from textual import events, work
from textual.app import App
from textual.screen import Screen

from store import Case
from store import clock

from . import commands
from .case_actions import HELP_BINDING, CaseWriter
from .evidence import EvidenceChecks
from .loader import BoardLoader
from .messages import (BoardReady, CaseSaved, CasesChanged, CasesLoaded, EvidenceChecked, EvidenceMarked, OpenCase,
                       OpenStatement, SaveFailed, StatusStale)
from .safe import clean
from .screens import forms
from .screens.base import kind
from .screens.board import BoardScreen
from .session import Session
from .themes import DEFAULT_THEME, board_themes, remember_theme, remembered_theme
from .triage import Triage
from .widgets.stage_column import StageColumn

Clock = Callable[[], datetime]


class DisputeApp(App[int]):
    TITLE = "Dispute Board"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses elsewhere work too
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {commands.BoardCommands}  # what applies now, with the live keys

    # The keys of the board and the detail are ``case_actions.CASE_BINDINGS``; ``?`` works everywhere.
    BINDINGS = [HELP_BINDING]

    def __init__(self, store, cfg, clock: Clock | None = None) -> None:
        super().__init__()
        self.store = store
        self.cfg = cfg
        self.clock: Clock = clock or _utcnow
        forms.configure(cfg, self.clock)  # the one date reader: the config's date order, this clock
        # Re-entrant: the session takes it around each store call, and the load worker around
        # its reads; a worker holding it may call the session.
        self.store_lock = threading.RLock()
        self.session = Session(store, self.clock, lock=self.store_lock)  # the one writer
        self.writer = CaseWriter(self)  # runs the saves the case screens ask for
        self.evidence = EvidenceChecks(self)
        self.triage = Triage(cfg)
        self.now = self.clock()
        self.loader = BoardLoader(self)  # the load pipeline and the one clock's work
        self.started_at = time.perf_counter()
        self.board_themes: list[str] = []
        self.refresh_seconds = float(cfg.board.get("refresh_seconds", 1.0) or 1.0)
        self.timer = None
        self.input_at = 0.0  # time.monotonic() of the last key or mouse press (``give_way``)
        self._gc_was: bool | None = None  # the collector's state before the board took it over
        self._gc_ticks = 0
        self._gc_timer = None
        self._hung_up = False  # the terminal was found gone (``hung_up``): the exit is under way
        self._theme_problems = self._setup_themes()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.input_at = time.monotonic()
            self._key_pressed()
        await super().on_event(event)

    def give_way(self, stop: Callable[[], bool], quiet: float = 0.3, most: float = 2.0) -> None:
        """From a worker thread's background pass, between two small steps: wait while the user
        is pressing keys (none for ``quiet`` seconds), at most ``most`` seconds, or until
        ``stop()``. Both threads need the GIL: a pass running beside a key's redraw slows it."""
        end = time.monotonic() + most
        while (now := time.monotonic()) - self.input_at < quiet and now < end and not stop():
            time.sleep(0.02)

    # -- setup ---------------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The board's own theme variables, for themes that do not set them (Textual's own)."""
        dark = self.current_theme.dark
        return {"card-selected-background": "#3a3a3a" if dark else "#d0d0d0",
                # Case ids: a colour no 16-colour terminal turns into the error red.
                "case-id": "#5fd7d7" if dark else "#008787"}

    def get_default_screen(self) -> Screen:
        return BoardScreen(self.triage, self.size.width)

    @property
    def board(self) -> BoardScreen:
        return self.screen_stack[0]  # type: ignore[return-value]  # the default screen, always at the bottom

    def on_mount(self) -> None:
        for title, line in self._theme_problems:
            self.notify(line, title=title, severity="warning", markup=False, timeout=8)
        keys = self.cfg.data.get("keys")
        if isinstance(keys, dict) and keys:
            self.set_keymap({str(k): str(v) for k, v in keys.items()})

    def on_board_ready(self, msg: BoardReady) -> None:
        """The board screen is mounted: load the cases and start the one clock."""
        self.loader.update_status()
        if not self.loader.applied_gen:  # (the board loaded its cases as it mounted: load_first_now)
            self.loader.load(select=None, refresh=False, first=True)
        if self.timer is None:
            self.timer = self.set_interval(min(1.0, self.refresh_seconds), self._tick, name="board-clock")
            self._gc_was = gc.isenabled()
            gc.disable()  # collected by the clock when no key is pressed: ``collect_when_idle``
            fd = getattr(self._driver, "fileno", None)
            if not self.is_headless and isinstance(fd, int):
                self.set_interval(1.0, lambda: self.hung_up(fd), name="terminal-gone")

    def _tick(self) -> None:
        self.loader.tick()
        self.collect_when_idle()

    # The cyclic garbage collector runs between keys, not inside them. Left to itself it ran
    # where allocations crossed its thresholds: inside a key's frame. At 30,000 cases, 80 presses
    # of j/k with the detail pane met 22 young collections of 1.5-7 ms and a full one of 39 ms,
    # which made the slowest tenth of the frames. Now the young objects (a key makes ~600 that
    # only the collector frees) are collected ``GC_AFTER`` seconds after the last key, when its
    # frame is out; the old ones once a minute on an idle clock. Reference counting frees
    # everything else as usual. Keys held down without a pause collect every ``GC_FORCE`` objects.
    GC_AFTER = 0.05  # seconds after the last key: its frame is drawn by then
    GC_QUIET = 0.3  # seconds without a key before the clock's tick collects
    GC_FULL_EVERY = 60  # young collections between full ones
    GC_FORCE = 20_000  # young objects collected even while keys come without a pause

    def _key_pressed(self) -> None:
        if self._gc_was is None:
            return
        if self._gc_timer is not None:
            self._gc_timer.stop()
        self._gc_timer = self.set_timer(self.GC_AFTER, self._collect_young, name="collect after the key")
        if gc.get_count()[0] >= self.GC_FORCE:
            self._collect_young()

    def _collect_young(self) -> None:
        self._gc_timer = None
        if gc.get_count()[0]:
            gc.collect(1)

    def collect_when_idle(self) -> None:
        if self._gc_was is None or time.monotonic() - self.input_at < self.GC_QUIET:
            return
        self._gc_ticks += 1
        if self._gc_ticks % self.GC_FULL_EVERY == 0:
            gc.collect()
        elif gc.get_count()[0]:
            gc.collect(1)

    def on_unmount(self) -> None:
        if self._gc_was:
            gc.enable()  # as it was (a test's process runs many apps)
        self._gc_was = None

    HUNG_UP = 129  # the exit code of a process a SIGHUP ended (128 + 1)

    def hung_up(self, fd: int) -> bool:
        """The terminal is gone (its ssh session or emulator closed the other end) and no SIGHUP
        ended us (no controlling terminal, SIGHUP ignored): Textual's input thread then reads
        end-of-file in a loop, ~90% of a core for ever, the database held in use. Exit as a
        hangup would. One ``poll`` a second, which reads nothing (keys stay the input thread's)."""
        try:
            p = select.poll()
            p.register(fd, 0)  # no events asked for: a hangup or an error is always reported
            gone = any(ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, ev in p.poll(0))
        except (OSError, ValueError):
            return False
        if gone and not self._hung_up:
            self._hung_up = True
            self.exit(return_code=self.HUNG_UP)
            # Textual's writer thread dies at its first write to the gone terminal (EIO), and
            # once its queue is full the app's own exit blocks on it for ever (seen once: a
            # board stuck in stop_application_mode). Every save is durable when it returns, and
            # the locks go with the process: end it if the exit has not within 10 s.
            ender = threading.Timer(10.0, os._exit, (self.HUNG_UP,))
            ender.daemon = True
            ender.start()
        return gone

    def _setup_themes(self) -> list[tuple[str, str]]:
        """Register the board's themes and choose one, before the app runs: Textual parses its
        stylesheet with the chosen theme's colours once. Set from ``on_mount``, the change re-parsed
        every stylesheet and restyled every widget, then the board's compose parsed them all a
        third time (its cache was emptied by the change): 60-80 ms before the first frame.
        Returns what to tell the user once the app runs (title, line): a theme file skipped, an
        unknown theme."""
        themes, problems = board_themes()
        for t in themes:
            self.register_theme(t)
            if t.name not in self.board_themes:
                self.board_themes.append(t.name)
        said = [("Theme file skipped", clean(p)) for p in problems]
        wanted = remembered_theme() or str(self.cfg.board.get("theme") or DEFAULT_THEME)
        if wanted not in self.available_themes:
            said.append(("Theme", f"Unknown theme {clean(wanted)!r}; using {DEFAULT_THEME}. "
                                  f"Valid: {', '.join(self.board_themes)}"))
            wanted = DEFAULT_THEME
        self._css_unparsed = True  # (refresh_css: the theme's refresh, before anything is parsed)
        self.theme = wanted
        return said

    def refresh_css(self, animate: bool = True) -> None:
        """Textual's, except the refresh the theme set in ``__init__`` asks for, which runs before
        any stylesheet has been parsed: then the new colours are all there is to refresh. Textual
        re-parses into a fresh stylesheet and drops what that one parsed, so the first widget
        mounted after parsed app.tcss and the App's CSS a second time: 7-9 ms of every start,
        before the first frame. Every later refresh (a theme chosen, the terminal's colours) is
        Textual's own."""
        if self._css_unparsed:
            self._css_unparsed = False
            if not self.screen_stack:  # the Load event's: no screen yet, nothing parsed
                self.stylesheet.set_variables(self.get_css_variables())
                return
        super().refresh_css(animate)

    def choose_theme(self, name: str) -> None:
        self.theme = name
        self._remember(name)

    @work(thread=True, group="state")
    def _remember(self, name: str) -> None:
        try:
            remember_theme(name)
        except OSError as exc:
            self.call_from_thread(self.notify, f"Could not remember the theme: {exc}", severity="warning",
                                  markup=False)

    # -- routing: each message to the piece that owns it ----------------------------------------
    def on_cases_loaded(self, msg: CasesLoaded) -> None:
        self.loader.on_cases_loaded(msg)

    def on_status_stale(self, msg: StatusStale) -> None:
        self.loader.update_status()

    def on_stage_column_needs_evidence(self, msg: StageColumn.NeedsEvidence) -> None:
        self.evidence.mark()

    def on_evidence_marked(self, msg: EvidenceMarked) -> None:
        self.evidence.marked(msg)

    def on_evidence_checked(self, msg: EvidenceChecked) -> None:
        self.evidence.checked(msg)

    def on_case_saved(self, msg: CaseSaved) -> None:
        self.writer.saved(msg)

    def on_save_failed(self, msg: SaveFailed) -> None:
        self.writer.failed(msg)

    def on_cases_changed(self, msg: CasesChanged) -> None:
        self.loader.load(select=None, refresh=False)

    # -- screens -------------------------------------------------------------------------------
    def on_open_case(self, msg: OpenCase) -> None:
        """Enter on a card or a Today row: the case selected on the board, its detail in front
        of the screen that asked (esc returns to it), its files re-checked."""
        shown = self.board.selected  # the card (possibly light): only its id is compared
        if shown is None or shown.id != msg.case_id:
            self.board.select_case(msg.case_id)
        case = self.loader.find(msg.case_id)
        if case is not None:
            from .screens.detail import open_detail  # (on the first enter: not before the first frame)

            self.push_screen(open_detail(self, case, self.now))
            self.call_after_refresh(self.loader.update_status)
            self.evidence.check(case)

    def on_open_statement(self, msg: OpenStatement) -> None:
        from .screens.statement import StatementScreen  # the packet writer (zipfile) too: not on the first frame

        self.push_screen(StatementScreen(self.store, self.cfg, self.clock, self.store.user, msg.case_id,
                                         lock=self.store_lock))

    def current_case(self, screen: Screen | None = None) -> Case | None:
        screen = screen or self.screen
        return screen.current_case() if kind(screen) in ("board", "detail") else None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("quit", "today", "stats"):
            # q in a form (a button focused) must not quit and lose what was typed.
            if kind(self.screen) not in ("board", "detail"):
                return False
        return True

    def action_today(self) -> None:
        from .screens.today import open_today  # (on the first t: not before the first frame)

        self.push_screen(open_today(self))  # one Today, installed once and kept

    def action_stats(self) -> None:
        from .screens.outcomes import OutcomesScreen  # plotext's charts (~25 ms of import): this screen only

        self.push_screen(OutcomesScreen(self.store, self.cfg, self.clock, self.store.user, lock=self.store_lock))

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        screen = self.screen
        if kind(screen) == "help":
            return
        title = {"board": "Keys: board", "detail": "Keys: case detail", "form": "Keys: form"}.get(kind(screen), "Keys")
        self.push_screen(HelpScreen(commands.key_rows(self, screen), title))


def _utcnow() -> datetime:
    return clock.now()


# -- entry points --------------------------------------------------------------------------------
def run_board(store, cfg) -> int:
    """Run the board on ``store``; returns the process exit code."""
    app = DisputeApp(store, cfg)
    result = app.run()
    code = app.return_code
    if code is None:
        code = result if isinstance(result, int) else 0
    return int(code or 0)


class main(DisputeApp):  # noqa: N801 - the name `textual run --dev tui.app:main` looks up
    """The board on the default database and config, for ``textual run --dev tui.app:main``
    (live CSS editing). ``textual run`` instantiates an App class it finds under that name,
    so ``main`` is one; ``main().run()`` does the same from Python."""

    def __init__(self) -> None:
        from store import open_store

        from .terminal_question import ask_terminal

        ask_terminal()()  # the picture questions to the terminal, before the app takes it (tui.terminal_question)
        store = open_store()
        super().__init__(store, store.cfg)


if __name__ == "__main__":
    raise SystemExit(main().run() or 0)
