"""Dispute Board: the Textual kanban. The App routes: it holds the themes, the keymap (the
app-wide keys; the case keys live with the screens that show a case) and the one timer, and
hands each message to the piece that owns it.

(Over 250 lines in the class, and it should not be: the load pipeline and the tick, from
``_tick`` to ``card_info``, move to ``tui/loader.py``; that move is what is left of issue 10.)

Where things are:
- ``screens.board`` / ``screens.detail``: the two screens that show a case; their case keys and
  actions are ``case_actions.CaseActions``; every save they ask for runs in
  ``case_actions.CaseWriter`` (``self.writer``) through ``self.session`` (``tui.session``, the one
  writer: conflicts, the lock, undo and redo for every screen).
- ``evidence.EvidenceChecks`` (``self.evidence``): the card marks and the open case's hashes.
- ``widgets.status_line``: the status line, told what to show (``update_status``).
- ``commands``: the help rows and the palette.

Threads: every store call runs in a thread worker holding ``self.store_lock``; the session takes
it itself. Results come back as typed messages (``CasesLoaded``, ``CaseSaved``, ``SaveFailed``,
``EvidenceChecked``). The UI thread only reads the immutable ``Case`` snapshots those carry.

One app-level timer drives every countdown and the poll for other people's changes.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable

from textual import work
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

from store import STAGES, Case, StoreError
from store import clock

from . import commands
from .case_actions import HELP_BINDING, CaseWriter
from .evidence import EvidenceChecks
from .messages import CaseSaved, CasesChanged, CasesLoaded, EvidenceChecked, EvidenceMarked, OpenCase, SaveFailed
from .safe import clean
from .screens import forms
from .screens.board import BoardScreen
from .screens.detail import DetailScreen
from .screens.help import HelpScreen
from .screens.outcomes import OutcomesScreen
from .screens.statement import StatementScreen
from .themes import DEFAULT_THEME, builtin_themes, remember_theme, remembered_theme, user_themes
from .screens.today import TodayScreen
from .widgets.stage_column import StageColumn
from .widgets.status_line import StatusFacts, StatusLine
from .session import Session
from .triage import EVIDENCE_RECHECK_SECONDS, Triage

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return clock.now()


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
        self._painted = threading.Event()  # the first frame with cards is on screen
        self.triage = Triage(cfg)
        self.now = self.clock()
        self._minute = self.now.replace(second=0, microsecond=0)
        self._gen = 0
        self._applied_gen = 0
        self._loading = False
        self._last_poll = 0.0
        self.change_info = None  # store.ChangeInfo: who changed the database last, and when
        self.counts: tuple[int, int] | None = None  # None until every case has been looked at
        self.last_load_seconds = 0.0
        self.first_paint_at: float | None = None
        self.full_loaded_at: float | None = None
        self.started_at = time.perf_counter()
        self.board_themes: list[str] = []
        self.refresh_seconds = float(cfg.board.get("refresh_seconds", 1.0) or 1.0)
        self.timer = None
        # The background evidence pass, driven by the one timer and the app's clock (tests move
        # the clock and post ticks); the names the tick and the board read.
        self.evidence_every = timedelta(seconds=EVIDENCE_RECHECK_SECONDS)
        self._evidence_due: datetime | None = None
        self._rechecking = False
        self.last_evidence_pass: tuple[int, float] | None = None  # (cases, seconds) of the last pass
        self.evidence_states = self.evidence.states
        self.evidence_pending, self.check_evidence = self.evidence.pending, self.evidence.check
        self._recheck_evidence = self.evidence.recheck

    # -- setup ---------------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The board's own theme variables, for themes that do not set them (Textual's own)."""
        dark = self.current_theme.dark
        return {"card-selected-background": "#3a3a3a" if dark else "#d0d0d0",
                # Case ids: a colour no 16-colour terminal turns into the error red.
                "case-id": "#5fd7d7" if dark else "#008787"}

    def get_default_screen(self) -> Screen:
        return BoardScreen(self.triage)

    @property
    def board(self) -> BoardScreen:
        return self.screen_stack[0]  # type: ignore[return-value]  # the default screen, always at the bottom

    def on_mount(self) -> None:
        self._setup_themes()
        keys = self.cfg.data.get("keys")
        if isinstance(keys, dict) and keys:
            self.set_keymap({str(k): str(v) for k, v in keys.items()})

    def board_ready(self) -> None:
        """The board screen is mounted: load the cases and start the one clock."""
        self.update_status()
        self.load(select=None, refresh=False, first=True)
        if self.timer is None:
            self.timer = self.set_interval(min(1.0, self.refresh_seconds), self._tick, name="board-clock")

    def _setup_themes(self) -> None:
        for t in builtin_themes():
            self.register_theme(t)
            self.board_themes.append(t.name)
        mine, problems = user_themes()
        for t in mine:
            self.register_theme(t)
            if t.name not in self.board_themes:
                self.board_themes.append(t.name)
        for p in problems:
            self.notify(clean(p), title="Theme file skipped", severity="warning", markup=False)
        wanted = remembered_theme() or str(self.cfg.board.get("theme") or DEFAULT_THEME)
        if wanted not in self.available_themes:
            self.notify(
                f"Unknown theme {clean(wanted)!r}; using {DEFAULT_THEME}. Valid: {', '.join(self.board_themes)}",
                title="Theme", severity="warning", markup=False, timeout=8)
            wanted = DEFAULT_THEME
        self.theme = wanted

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

    # -- time -------------------------------------------------------------------------------------
    def _tick(self) -> None:
        self.now = self.clock()
        minute = self.now.replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute = minute
            self.board.tick()
            for screen in self.screen_stack[1:]:
                if isinstance(screen, DetailScreen):
                    screen.pane.tick(self.now)
                elif isinstance(screen, TodayScreen):
                    screen.tick(self.now)
            self.call_after_refresh(self.recount)  # after the frame: the recount is a thread
        if self._applied_gen and not self._rechecking and (self._evidence_due is None or self.now >= self._evidence_due):
            self._evidence_due = self.now + self.evidence_every
            self._rechecking = True
            self._recheck_evidence([c for cs in self.board.by_stage.values() for c in cs])
        mono = time.monotonic()
        if mono - self._last_poll >= self.refresh_seconds - 0.05 and not self._loading:
            self._last_poll = mono
            try:
                changed = self.store.changed_on_disk()
            except OSError:
                changed = True
            if changed:
                self.load(select=None, refresh=True)

    # -- loading -------------------------------------------------------------------------------
    def load(self, select: str | None = None, refresh: bool = False, first: bool = False) -> None:
        self._gen += 1
        self._loading = True
        self._load_worker(self._gen, select, refresh, first)

    @work(thread=True, group="load")
    def _load_worker(self, gen: int, select: str | None, refresh: bool, first: bool = False) -> None:
        started = time.perf_counter()
        changed: set[str] | None = set()
        if first and self._quick_look(gen, started):
            # Let the first frame be drawn before decoding everything: both need the GIL.
            self._painted.wait(timeout=2.0)
        try:
            with self.store_lock:
                if refresh:
                    changed = self.store.refresh()
                cases = self.store.cases()
                self.change_info = self.store.last_change()
        except StoreError as exc:
            self.post_message(SaveFailed(f"Could not read the database: {exc}", False, None))
            self._loading = False
            return
        now = self.clock()
        by_stage: dict[str, list[Case]] = {s: [] for s in STAGES}
        for c in cases:
            by_stage.setdefault(c.stage, []).append(c)
        key = self.triage.sort_key
        for s in STAGES:
            by_stage[s].sort(key=lambda c: key(c, now))
        counts = self._count(cases, now)
        self.post_message(CasesLoaded(gen, by_stage, counts, select, changed, time.perf_counter() - started))

    QUICK_THRESHOLD = 2000  # below this many cases decoding everything is quick anyway
    QUICK_CARDS = 60  # cards per stage in the first look

    def _quick_look(self, gen: int, started: float) -> bool:
        """First paint for a large database: decoding 10,000 cases takes ~1.4 s, so show the
        true column totals and the first cards of each stage now, and the rest when decoded.
        The store says what it can show cheaply (``CaseStore.first_look``)."""
        try:
            with self.store_lock:
                look = self.store.first_look(self.QUICK_CARDS, self.QUICK_THRESHOLD)
        except (StoreError, ValueError, ArithmeticError):
            return False
        if look is None:
            return False
        self.post_message(CasesLoaded(gen, look.first, None, None, set(), time.perf_counter() - started,
                                      partial=True, totals=look.totals))
        return True

    def _count(self, cases: Iterable[Case], now: datetime) -> tuple[int, int]:
        overdue = mine = 0
        for c in cases:
            if c.stage == "resolved":
                continue
            if self.triage.urgency(c, now).level == "overdue":
                overdue += 1
            if self.triage.turn(c) == "me":
                mine += 1
        return overdue, mine

    def on_cases_loaded(self, msg: CasesLoaded) -> None:
        if msg.partial:
            if self._applied_gen or self.first_paint_at is not None:
                return  # the full load beat it
            self.board.apply(msg.by_stage, None, totals=msg.totals)
            self.update_status()
            self.call_after_refresh(self._first_paint)
            return
        if msg.gen >= self._gen:
            self._loading = False
        if msg.gen < self._applied_gen:
            return
        self._applied_gen = msg.gen
        if msg.counts is not None:
            self.counts = msg.counts
        self.last_load_seconds = msg.elapsed
        self.full_loaded_at = time.perf_counter()
        self.board.apply(msg.by_stage, msg.select)
        today = self._today_screens()
        if today:  # Today never reads the disk itself: it gets the cases the board just loaded
            every = [c for cs in self.board.by_stage.values() for c in cs]
            for screen in today:
                screen.reload(every)
        for screen in self.screen_stack[1:]:
            if isinstance(screen, DetailScreen) and screen.pane.case is not None:
                fresh = self._find(screen.pane.case.id)
                if fresh is not None:
                    screen.pane.show(fresh, self.now)
        self.update_status()
        if self.first_paint_at is None:
            self.call_after_refresh(self._first_paint)

    def _first_paint(self) -> None:
        self.first_paint_at = time.perf_counter()
        self._painted.set()

    def _find(self, case_id: str) -> Case | None:
        for cases in self.board.by_stage.values():
            for c in cases:
                if c.id == case_id:
                    return c
        return None

    @work(thread=True, group="count", exclusive=True)
    def recount(self) -> None:
        cases = [c for cs in self.board.by_stage.values() for c in cs]
        counts = self._count(cases, self.clock())
        self.call_from_thread(self._set_counts, counts)

    def _set_counts(self, counts: tuple[int, int]) -> None:
        self.counts = counts
        self.update_status()

    # -- cards & status -------------------------------------------------------------------------
    def card_info(self, case: Case):
        return self.triage.card(case, self.now)

    def update_status(self) -> None:
        """Tell every status line what to show now."""
        info = self.change_info  # read by the load worker, never here on the UI thread
        board = self.screen_stack[0] if self.screen_stack else None
        filtering = isinstance(board, BoardScreen) and bool(board.filter_text)
        facts = StatusFacts(
            self.counts, self.now, self.store.user, self.store.location,
            filter_text=board.filter_text if filtering else "",  # type: ignore[union-attr]
            filtered=sum(len(c.cases) for c in board.columns) if filtering else 0,  # type: ignore[union-attr]
            changed_at=info.at if info is not None else None, changed_by=info.user if info is not None else "",
            problem=getattr(self.store, "housekeeping_problem", lambda: None)())  # one open(), ENOENT when healthy
        for screen in self.screen_stack:
            for line in screen.query(StatusLine).results(StatusLine):
                line.post_message(StatusLine.Show(facts))

    # -- routing -------------------------------------------------------------------------------
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

    def on_open_case(self, msg: OpenCase) -> None:
        """Enter on a Today row: the case on the board, its detail over Today (esc returns)."""
        self.board.select_case(msg.case_id)
        case = self._find(msg.case_id)
        if case is not None:
            self.open_detail(case)

    def on_cases_changed(self, msg: CasesChanged) -> None:
        self.load(select=None, refresh=False)

    def _today_screens(self) -> list[TodayScreen]:
        return [s for s in self.screen_stack[1:] if isinstance(s, TodayScreen)]

    # -- screens -------------------------------------------------------------------------------
    def current_case(self, screen: Screen | None = None) -> Case | None:
        screen = screen or self.screen
        return screen.current_case() if isinstance(screen, (BoardScreen, DetailScreen)) else None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("quit", "today", "stats", "view"):
            # q in a form (a button focused) must not quit and lose what was typed.
            if not isinstance(self.screen, (BoardScreen, DetailScreen)):
                return False
        return True

    def open_detail(self, case: Case) -> None:
        """The case on a screen of its own, its files re-checked."""
        self.push_screen(DetailScreen(self.triage, case, self.now))
        self.call_after_refresh(self.update_status)
        self.check_evidence(case)

    def open_statement(self, case_id: str) -> None:
        self.push_screen(StatementScreen(self.store, self.cfg, self.clock, self.store.user, case_id,
                                         lock=self.store_lock))

    def action_today(self) -> None:
        self.push_screen(TodayScreen(self.store, self.cfg, self.clock, self.store.user, lock=self.store_lock))

    def action_stats(self) -> None:
        self.push_screen(OutcomesScreen(self.store, self.cfg, self.clock, self.store.user, lock=self.store_lock))

    def action_view(self, number: int) -> None:
        """A saved view from the config: the board shows only the cases it selects."""
        views = self.cfg.data.get("views", [])
        if not 1 <= number <= len(views):
            self.notify(f"No saved view {number} (the config has {len(views)})", severity="warning")
            return
        view = views[number - 1]
        board = self.board
        if self.screen is not board:
            return
        inp = board.query_one("#filter", Input)
        board.query_one("#filter-bar").display = True
        inp.value = str(view.get("query", ""))
        self.notify(f"View {number}: {clean(str(view.get('name', '')))}", markup=False, timeout=2)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = {BoardScreen: "Keys: board", DetailScreen: "Keys: case detail",
                 forms.FormScreen: "Keys: form"}.get(type(screen), "Keys")
        self.push_screen(HelpScreen(commands.key_rows(self, screen), title))



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

        store = open_store()
        super().__init__(store, store.cfg)


if __name__ == "__main__":
    raise SystemExit(main().run() or 0)
