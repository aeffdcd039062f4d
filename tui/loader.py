"""The board's load pipeline and its one clock: what the App used to do itself.

``BoardLoader`` reads the cases in a thread worker (holding the app's ``store_lock``), sorts
them per stage by urgency, counts what the status line shows, and hands the result to the
board screen through a ``CasesLoaded`` message. The app's one timer calls ``tick``: the
minute's countdowns, the background evidence pass, and the cheap poll for other people's
changes.

Threads: ``_load_worker`` and ``recount`` run in thread workers; everything else runs on the
UI thread. The worker only reads the store (under the lock) and posts its result.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from store import STAGES, Case, StoreError

from .messages import CasesLoaded, SaveFailed
from .screens.detail import DetailScreen
from .screens.today import TodayScreen

if TYPE_CHECKING:
    from .app import DisputeApp


class BoardLoader:
    QUICK_THRESHOLD = 2000  # below this many cases decoding everything is quick anyway
    QUICK_CARDS = 60  # cards per stage in the first look

    def __init__(self, app: "DisputeApp") -> None:
        self.app = app
        self.painted = threading.Event()  # the first frame with cards is on screen
        self.minute = app.now.replace(second=0, microsecond=0)
        self.gen = 0
        self.applied_gen = 0
        self.loading = False
        self.last_poll = 0.0
        self.change_info = None  # store.ChangeInfo: who changed the database last, and when
        self.counts: tuple[int, int] | None = None  # None until every case has been looked at
        self.last_load_seconds = 0.0
        self.first_paint_at: float | None = None
        self.full_loaded_at: float | None = None

    # -- time -------------------------------------------------------------------------------------
    def tick(self) -> None:
        app = self.app
        app.now = app.clock()
        minute = app.now.replace(second=0, microsecond=0)
        if minute != self.minute:
            self.minute = minute
            app.board.tick()
            for screen in app.screen_stack[1:]:
                if isinstance(screen, DetailScreen):
                    screen.pane.tick(app.now)
                elif isinstance(screen, TodayScreen):
                    screen.tick(app.now)
            app.call_after_refresh(app.recount)  # after the frame: the recount is a thread
        if self.applied_gen and not app._rechecking and (app._evidence_due is None or app.now >= app._evidence_due):
            app._evidence_due = app.now + app.evidence_every
            app._rechecking = True
            app._recheck_evidence([c for cs in app.board.by_stage.values() for c in cs])
        mono = time.monotonic()
        if mono - self.last_poll >= app.refresh_seconds - 0.05 and not self.loading:
            self.last_poll = mono
            try:
                changed = app.store.changed_on_disk()
            except OSError:
                changed = True
            if changed:
                self.load(select=None, refresh=True)

    # -- loading -------------------------------------------------------------------------------
    def load(self, select: str | None = None, refresh: bool = False, first: bool = False) -> None:
        self.gen += 1
        self.loading = True
        gen = self.gen
        self.app.run_worker(lambda: self._load_worker(gen, select, refresh, first), thread=True, group="load")

    def _load_worker(self, gen: int, select: str | None, refresh: bool, first: bool = False) -> None:
        app = self.app
        started = time.perf_counter()
        changed: set[str] | None = set()
        if first and self._quick_look(gen, started):
            # Let the first frame be drawn before decoding everything: both need the GIL.
            self.painted.wait(timeout=2.0)
        try:
            with app.store_lock:
                if refresh:
                    changed = app.store.refresh()
                cases = app.store.cases()
                self.change_info = app.store.last_change()
        except StoreError as exc:
            app.post_message(SaveFailed(f"Could not read the database: {exc}", False, None))
            self.loading = False
            return
        now = app.clock()
        by_stage: dict[str, list[Case]] = {s: [] for s in STAGES}
        for c in cases:
            by_stage.setdefault(c.stage, []).append(c)
        key = app.triage.sort_key
        for s in STAGES:
            by_stage[s].sort(key=lambda c: key(c, now))
        counts = self._count(cases, now)
        app.post_message(CasesLoaded(gen, by_stage, counts, select, changed, time.perf_counter() - started))

    def _quick_look(self, gen: int, started: float) -> bool:
        """First paint for a large database: decoding 10,000 cases takes ~1.4 s, so show the
        true column totals and the first cards of each stage now, and the rest when decoded.
        The store says what it can show cheaply (``CaseStore.first_look``)."""
        app = self.app
        try:
            with app.store_lock:
                look = app.store.first_look(self.QUICK_CARDS, self.QUICK_THRESHOLD)
        except (StoreError, ValueError, ArithmeticError):
            return False
        if look is None:
            return False
        app.post_message(CasesLoaded(gen, look.first, None, None, set(), time.perf_counter() - started,
                                     partial=True, totals=look.totals))
        return True

    def _count(self, cases: Iterable[Case], now: datetime) -> tuple[int, int]:
        triage = self.app.triage
        overdue = mine = 0
        for c in cases:
            if c.stage == "resolved":
                continue
            if triage.urgency(c, now).level == "overdue":
                overdue += 1
            if triage.turn(c) == "me":
                mine += 1
        return overdue, mine

    def on_cases_loaded(self, msg: CasesLoaded) -> None:
        app = self.app
        if msg.partial:
            if self.applied_gen or self.first_paint_at is not None:
                return  # the full load beat it
            app.board.apply(msg.by_stage, None, totals=msg.totals)
            app.update_status()
            app.call_after_refresh(self._first_paint)
            return
        if msg.gen >= self.gen:
            self.loading = False
        if msg.gen < self.applied_gen:
            return
        self.applied_gen = msg.gen
        if msg.counts is not None:
            self.counts = msg.counts
        self.last_load_seconds = msg.elapsed
        self.full_loaded_at = time.perf_counter()
        app.board.apply(msg.by_stage, msg.select)
        today = [s for s in app.screen_stack[1:] if isinstance(s, TodayScreen)]
        if today:  # Today never reads the disk itself: it gets the cases the board just loaded
            every = [c for cs in app.board.by_stage.values() for c in cs]
            for screen in today:
                screen.reload(every)
        for screen in app.screen_stack[1:]:
            if isinstance(screen, DetailScreen) and screen.pane.case is not None:
                fresh = self.find(screen.pane.case.id)
                if fresh is not None:
                    screen.pane.show(fresh, app.now)
        app.update_status()
        if self.first_paint_at is None:
            app.call_after_refresh(self._first_paint)

    def _first_paint(self) -> None:
        self.first_paint_at = time.perf_counter()
        self.painted.set()

    def find(self, case_id: str) -> Case | None:
        for cases in self.app.board.by_stage.values():
            for c in cases:
                if c.id == case_id:
                    return c
        return None

    def recount(self) -> None:
        app = self.app

        def work() -> None:
            cases = [c for cs in app.board.by_stage.values() for c in cs]
            counts = self._count(cases, app.clock())
            app.call_from_thread(self._set_counts, counts)
        app.run_worker(work, thread=True, group="count", exclusive=True)

    def _set_counts(self, counts: tuple[int, int]) -> None:
        self.counts = counts
        self.app.update_status()

    def card_info(self, case: Case):
        return self.app.triage.card(case, self.app.now)
