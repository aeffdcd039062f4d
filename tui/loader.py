"""The board's load pipeline and its one clock: what the App used to do itself.

``BoardLoader`` reads the cases in a thread worker (holding the app's ``store_lock``), sorts
them per stage by urgency, counts what the status line shows, and hands the result to the
board screen through a ``CasesLoaded`` message. The app's one timer calls ``tick``: the
minute's countdowns, the background evidence pass, and the cheap poll for other people's
changes.

Threads: ``_load_worker`` and ``recount`` run in thread workers; everything else runs on the
UI thread. The worker only reads the store (under the lock) and posts its result.

The board reads ``store.board_cases()``: the cases may be *light* (no message text, history,
description or statement). ``find`` gives the whole case (``store.get``, one document, under
the lock) to whatever shows or changes it: the detail pane and screen, forms, editors.

A colleague's save (the poll sees the file changed, ``store.refresh()`` names the ids) is
applied incrementally: only those cases are read (``store.get``) and re-ranked, and their cards
are moved or inserted by bisect into the urgency-sorted columns (``BoardScreen.update_cases``);
the other cards, the selection and the scroll stay. A load that cannot say what changed (the
first, our own saves, a refresh that returns None or many ids) reads every case again.
"""

from __future__ import annotations

import gc
import operator
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from textual.worker import NoActiveWorker, get_current_worker

from store import STAGES, Case, NotFound, StoreError
from store.summary import fill, paused_gc

from .messages import CasesLoaded, SaveFailed
from .screens.base import kind
from .triage import Batch
from .widgets.status_line import StatusFacts, StatusLine

if TYPE_CHECKING:
    from .app import DisputeApp


_first = operator.itemgetter(0)  # (a sort key in C: 30,000 calls of a Python one were 3 ms of the start)


class BoardLoader:
    QUICK_THRESHOLD = 2000  # below this many cases decoding everything is quick anyway
    QUICK_CARDS = 60  # cards per stage in the first look
    INCREMENTAL_MAX = 200  # more changed ids than this in one refresh: read everything again
    WHOLE_CACHE = 16  # whole cases kept for the detail and the case keys (by id, rev-checked)

    def __init__(self, app: "DisputeApp") -> None:
        self.app = app
        self.painted = threading.Event()  # the first frame with cards is on screen
        self.shown = threading.Event()  # the frame after a full load is on screen
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
        self.sorted_at: float | None = None  # every case on the board, sorted by urgency
        self.sort_now: datetime = app.now  # the instant the columns' order was computed at
        self.by_id: dict[str, Case] = {}  # every case on the board (possibly light)
        self._stash: dict[int, tuple[datetime, dict[str, Case]]] = {}  # a full load's extras, by gen
        self._whole: OrderedDict[str, Case] = OrderedDict()
        self._lines: dict[int, tuple[object, list[StatusLine]]] = {}  # id(screen): (screen, its status lines)
        self.full_loads = 0  # full loads applied (the tests and the bench read these two)
        self.delta_loads = 0  # incremental refreshes applied
        self.delta_gen = 0  # the newest incremental refresh applied
        self.last_delta_cpu = 0.0  # process CPU seconds of the last incremental refresh (both threads)
        # The counts' last recount: ((applied_gen, delta_loads) it counted, the instant until which
        # no open case's clock changes rank, None: never); None: no recount yet
        self._counts_hold: tuple[tuple[int, int], datetime | None] | None = None
        self._load_state: tuple[int, int] = (0, 0)  # (the full load applied, delta_loads then)
        self.recounts = 0  # recounts run (the tests read it)

    # -- time -------------------------------------------------------------------------------------
    def tick(self) -> None:
        app = self.app
        if not app.screen_stack:
            return  # the app is closing: no board to tick
        app.now = app.clock()
        minute = app.now.replace(second=0, microsecond=0)
        if minute != self.minute:
            self.minute = minute
            app.board.tick()
            for screen in app.screen_stack[1:]:
                if kind(screen) == "detail":
                    screen.pane.tick(app.now)
                elif kind(screen) == "today":
                    screen.tick(app.now)
            app.call_after_refresh(self.recount)  # after the frame: the recount is a thread
        if self.applied_gen:
            app.evidence.recheck_if_due(app.now, self.all_cases)
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
        self.app.run_worker(lambda: self._load_worker(gen, select, refresh, first), thread=True, group="load",
                            description=f"load {gen}")

    def _load_worker(self, gen: int, select: str | None, refresh: bool, first: bool = False) -> None:
        app = self.app
        started = time.perf_counter()
        cpu = time.process_time()
        changed: set[str] | None = set()
        fresh: dict[str, Case | None] | None = None
        if first and self._quick_look(gen, started):
            # Let the first frame be drawn before decoding everything: both need the GIL.
            self.painted.wait(timeout=2.0)
        try:
            with app.store_lock:
                if refresh:
                    changed = app.store.refresh()
                # Only what another process wrote comes back from refresh(): with nothing named
                # (our own write, a conflict) read everything, as before.
                if refresh and self.applied_gen and changed and len(changed) <= self.INCREMENTAL_MAX:
                    fresh = {}
                    for cid in sorted(changed | ({select} if select else set())):
                        try:
                            fresh[cid] = app.store.get(cid)
                        except NotFound:
                            fresh[cid] = None  # deleted
                else:
                    cases = app.store.board_cases()
                self.change_info = app.store.last_change()
        except StoreError as exc:
            app.post_message(SaveFailed(f"Could not read the database: {exc}", False, None))
            self.loading = False
            return
        if fresh is not None:  # outside the lock: the UI thread may take it (``find``)
            app.call_from_thread(self._apply_delta, gen, fresh, cpu)
            return
        app.store.save_summary()  # outside the lock too; after a cold start, the next start is quick
        now = app.clock()
        by_stage, counts = self._sorted(cases, now, first)
        self._stash[gen] = (now, {c.id: c for c in cases})
        self.shown.clear()
        app.post_message(CasesLoaded(gen, by_stage, counts, select, changed, time.perf_counter() - started))
        self._warm(cases, gen, first, now)

    def load_first_now(self) -> bool:
        """The first load in the UI thread, before the board's first frame, when every case is
        quick to read (``board_cases_quick``: few, or the summary cache has them; ``tui.cli``
        read them meanwhile, beside the imports): the first frame is then the sorted board. In a
        worker, the board drew its "loading…" frames first, and the sorted one 170 ms later at
        10,000 cases (30,000: 300 ms), for the same sort. False: nothing done (a cold start of
        many cases, or a read that failed): ``load(first=True)`` shows the first cards meanwhile,
        or says what is wrong."""
        app = self.app
        started = time.perf_counter()
        try:
            with app.store_lock:
                if not app.store.board_cases_quick(self.QUICK_THRESHOLD):
                    return False
                cases = app.store.board_cases()
                self.change_info = app.store.last_change()
        except (StoreError, OSError, ValueError, ArithmeticError):
            return False  # the worker's load reads them again, and says what is wrong
        self.gen += 1
        gen = self.gen
        now = app.clock()
        by_stage, counts = self._sorted(cases, now, True)
        self._stash[gen] = (now, {c.id: c for c in cases})
        self.shown.clear()
        self.on_cases_loaded(CasesLoaded(gen, by_stage, counts, None, set(), time.perf_counter() - started))

        def after() -> None:
            app.store.save_summary()  # a file write: never in the UI thread
            self._warm(cases, gen, True, now)
        app.run_worker(after, thread=True, group="load", description=f"load {gen}: warm")
        return True

    def _sorted(self, cases: list[Case], now: datetime, first: bool) -> tuple[dict[str, list[Case]], tuple[int, int]]:
        """Each stage's cases, most urgent first at ``now``, and the status line's counts."""
        by_stage: dict[str, list[Case]] = {s: [] for s in STAGES}
        with paused_gc():  # store.summary.paused_gc: a third of the sort was the collector's
            triage = self.app.triage
            keys = triage.sort_keys(cases, now)
            keyed: dict[str, list[tuple[tuple, Case]]] = {s: [] for s in STAGES}
            for c, k in zip(cases, keys):
                keyed.setdefault(c.stage, []).append((k, c))
            for s, pairs in keyed.items():
                pairs.sort(key=_first)  # (keys end with the case's number: never two alike)
                by_stage[s] = [c for _k, c in pairs]
            counts = self._count(cases, now, keys)
            if first:
                # Every case just read lives as long as the board: out of the collector's way for
                # good. Made while it was paused, they were all young, so the first collection
                # after (any frame's allocations) walked them all: 96 ms of the first sorted frame
                # at 10k. Frozen before the collector is back on: the very allocations of its
                # turning back on could start that collection first.
                gc.freeze()
        return by_stage, counts

    def _warm(self, cases: list[Case], gen: int, first: bool, now: datetime) -> None:
        """In the load's worker, once its frame is drawn: what the board did not need yet."""
        app = self.app
        # The cases from the summary cache decoded only what the sort and the columns read: the
        # rest of their fields now, once the board is drawn, so Today's first open or a search
        # does not decode 10,000 cases' fields inside a keypress (about 100 ms at 10k).
        if not self._wait_shown():
            return
        # Until when the counts it made at ``now`` hold (``recount``): the next minute's turn then
        # counts again only if a clock changes rank before it (the first turn, 100 ms at 10k).
        until = app.triage.keys_hold_until([c for c in cases if c.stage != "resolved"], now)
        try:
            app.call_from_thread(self._load_holds, gen, until)
        except RuntimeError:  # the app is closing
            return
        # And Today's triage at the board's minute, which its first open would do inside the key.
        minute = self.minute
        # (Today, opened meanwhile, decodes and triages what it reads itself: not twice.)
        stop = lambda: self._cancelled() or self._today_shown()  # noqa: E731
        stale = lambda: stop() or gen != self.gen  # noqa: E731  (a newer load's minute may differ)
        with paused_gc():
            for i in range(0, len(cases), 500):
                app.give_way(stop)  # not while keys are pressed: each chunk would slow their frames
                if stop():
                    break
                fill(cases[i:i + 500])
                time.sleep(0)  # let the UI thread take the GIL between chunks (a key pressed now)
            for i in range(0, len(cases), 200):
                app.give_way(stale)
                if stale():
                    break
                app.triage.warm_today(cases[i:i + 200], minute)
                time.sleep(0)
        if first:
            gc.freeze()  # (as above: these objects live as long as the board)

    def _today_shown(self) -> bool:
        """Today is open (its own worker triages now), or the screens cannot be read (the app is
        closing): the background pass stops either way. Read from a thread: a copy of a list."""
        try:
            return any(kind(s) == "today" for s in self.app.screen_stack)
        except Exception:  # noqa: BLE001 - a mode's stack gone at exit: never an error in a worker
            return True

    @staticmethod
    def _cancelled() -> bool:
        """This thread's worker was cancelled (the app is closing): stop, so the exit is not held."""
        try:
            return get_current_worker().is_cancelled
        except NoActiveWorker:
            return False

    def _wait_shown(self, most: float = 5.0) -> bool:
        """Until the frame after the full load is drawn (True); False when the app closes first."""
        end = time.monotonic() + most
        while not self.shown.wait(0.02):
            if self._cancelled() or time.monotonic() > end:
                return False
        return True

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

    def _count(self, cases: Iterable[Case], now: datetime, keys: list[tuple] | None = None) -> tuple[int, int]:
        """(overdue, my turn) among the open cases; ``keys``: their ``sort_keys`` at ``now``, if known."""
        triage = self.app.triage
        cases = list(cases)
        overdue = mine = 0
        for c, k in zip(cases, triage.sort_keys(cases, now) if keys is None else keys):
            if c.stage == "resolved":
                continue
            overdue += triage.overdue(k)
            mine += triage.turn(c) == "me"
        return overdue, mine

    def on_cases_loaded(self, msg: CasesLoaded) -> None:
        app = self.app
        if msg.partial:
            if self.applied_gen or self.first_paint_at is not None:
                return  # the full load beat it
            app.board.apply(msg.by_stage, None, totals=msg.totals)
            self.update_status()
            app.call_after_refresh(self._first_paint)
            return
        if msg.gen >= self.gen:
            self.loading = False
        if msg.gen < self.applied_gen:
            return
        self.applied_gen = msg.gen
        self._load_state = (msg.gen, self.delta_loads)  # what its counts counted (``_load_holds``)
        stash = self._stash.pop(msg.gen, None)
        for g in [g for g in self._stash if g < msg.gen]:
            del self._stash[g]
        if stash is not None:
            self.sort_now, self.by_id = stash
        else:
            self.by_id = {c.id: c for cs in msg.by_stage.values() for c in cs}
        if msg.counts is not None:
            self.counts = msg.counts
        self.last_load_seconds = msg.elapsed
        self.full_loaded_at = time.perf_counter()
        self.full_loads += 1
        app.board.apply(msg.by_stage, msg.select)
        if self.sorted_at is None:
            self.sorted_at = time.perf_counter()
        app.call_after_refresh(self.shown.set)
        self._others_follow(None)
        self.update_status()
        if self.delta_gen > msg.gen:
            # A colleague's change applied meanwhile may be older than this read, or not: read again.
            self.delta_gen = 0
            self.load(select=None)
        if self.first_paint_at is None:
            app.call_after_refresh(self._first_paint)

    def _first_paint(self) -> None:
        self.first_paint_at = time.perf_counter()
        self.painted.set()

    def _others_follow(self, ids: set[str] | None) -> None:
        """Today and an open detail screen follow new data (``ids``: only these changed)."""
        app = self.app
        today = [s for s in app.screen_stack[1:] if kind(s) == "today"]
        if today:  # Today never reads the disk itself: it gets the cases the board just loaded
            every = self.all_cases()
            for screen in today:
                screen.reload(every)
        for screen in app.screen_stack[1:]:
            if kind(screen) == "detail" and screen.pane.case is not None:
                if ids is not None and screen.pane.case.id not in ids:
                    continue
                screen.follow(self.find(screen.pane.case.id), app.now)

    def _apply_delta(self, gen: int, fresh: dict[str, Case | None], cpu: float) -> None:
        """A colleague's save (UI thread): re-rank only the cases in ``fresh`` (None: deleted)
        and move their cards; a case older than the one on the board is ignored."""
        app = self.app
        if gen >= self.gen:
            self.loading = False
        triage, now = app.triage, self.sort_now
        changes: dict[str, tuple[Case | None, Case | None]] = {}
        for cid, new in fresh.items():
            old = self.by_id.get(cid)
            if new is not None and old is not None and new.rev < old.rev:
                continue
            if new is None and old is None:
                continue
            if new is not None and old is not None and new.rev == old.rev and new.stage == old.stage:
                continue
            changes[cid] = (old, new)
            if new is None:
                del self.by_id[cid]
            else:
                self.by_id[cid] = new
            self._whole.pop(cid, None)
        if changes:
            if self.counts is not None:
                overdue, mine = self.counts
                for old, new in changes.values():
                    if old is not None:
                        o, m = self._count([old], app.now)
                        overdue, mine = overdue - o, mine - m
                    if new is not None:
                        o, m = self._count([new], app.now)
                        overdue, mine = overdue + o, mine + m
                self.counts = (max(0, overdue), max(0, mine))
            app.board.update_cases(changes, lambda c: triage.sort_key(c, now))
            self._others_follow(set(changes))
            # The status line after the cards' frame: drawn in one frame with a column, the two
            # made Textual redraw every widget of the board (the box around both is the screen).
            app.call_after_refresh(self.update_status)
        self.delta_loads += 1
        self.delta_gen = max(self.delta_gen, gen)
        self.last_delta_cpu = time.process_time() - cpu

    def all_cases(self) -> list[Case]:
        """Every case on the board, most urgent first per stage (possibly light)."""
        return Batch(c for cs in self.app.board.by_stage.values() for c in cs)

    def find(self, case_id: str) -> Case | None:
        """The whole case ``case_id`` as the board knows it (its revision): the board's own
        object when it is whole, else ``store.get`` (one document, under the store lock)."""
        case = self.by_id.get(case_id)
        if case is None:
            case = next((c for cs in self.app.board.by_stage.values() for c in cs if c.id == case_id), None)
            if case is None:
                return None
        return self.whole(case)

    def whole(self, case: Case) -> Case:
        """``case`` itself when it is whole; else the stored case of that id (cached by rev)."""
        if not getattr(case, "light", False):
            return case
        hit = self._whole.get(case.id)
        if hit is not None and hit.rev == case.rev:
            self._whole.move_to_end(case.id)
            return hit
        try:
            with self.app.store_lock:
                full = self.app.store.get(case.id)
        except (NotFound, StoreError):
            return case
        self._whole[case.id] = full
        while len(self._whole) > self.WHOLE_CACHE:
            self._whole.popitem(last=False)
        return full

    def recount(self) -> None:
        """The status line's counts again, at the minute's turn: in a thread, and only when a
        clock of an open case has changed rank since they were made (``Triage.keys_hold_until``)
        or the cases changed (a load, a colleague's save). Every minute, all 30,000 cases were
        counted again (120 ms of CPU), for counts that change a few times a day."""
        app = self.app
        cases_now = (self.applied_gen, self.delta_loads)
        held = self._counts_hold
        if held is not None and held[0] == cases_now and (held[1] is None or app.now < held[1]):
            return

        self.recounts += 1

        def work() -> None:
            cases = [c for cs in app.board.by_stage.values() for c in cs]
            now = app.clock()
            counts = self._count(cases, now)
            until = app.triage.keys_hold_until([c for c in cases if c.stage != "resolved"], now)
            app.call_from_thread(self._set_counts, counts, (cases_now, until))
        app.run_worker(work, thread=True, group="count", exclusive=True, description="recount")

    def _load_holds(self, gen: int, until: datetime | None) -> None:
        """The full load ``gen``'s counts hold until ``until`` (UI thread): unless a newer load,
        or a colleague's change, has been applied since, or the minute's recount ran."""
        if gen == self.applied_gen and self._load_state[0] == gen and (
                self._counts_hold is None or self._counts_hold[0][0] != gen):
            self._counts_hold = (self._load_state, until)

    def _set_counts(self, counts: tuple[int, int], hold: tuple[tuple[int, int], datetime | None] | None = None) -> None:
        self.counts = counts
        self._counts_hold = hold
        self.update_status()

    def update_status(self) -> None:
        """Tell every status line what to show now."""
        app, info = self.app, self.change_info  # read by the load worker, never here on the UI thread
        board = app.screen_stack[0] if app.screen_stack else None
        filtering = board is not None and bool(getattr(board, "filter_text", ""))
        facts = StatusFacts(
            self.counts, app.now, app.store.user, app.store.location,
            filter_text=board.filter_text if filtering else "",  # type: ignore[union-attr]
            filtered=sum(len(c.cases) for c in board.columns) if filtering else 0,  # type: ignore[union-attr]
            changed_at=info.at if info is not None else None, changed_by=info.user if info is not None else "",
            problem=getattr(app.store, "housekeeping_problem", lambda: None)())  # one open(), ENOENT when healthy
        for screen in app.screen_stack:
            for line in self._status_lines(screen):
                line.post_message(StatusLine.Show(facts))

    def _status_lines(self, screen) -> list[StatusLine]:
        """The screen's status lines, looked up once (a query walks every node of the screen)."""
        got = self._lines.get(id(screen))
        if got is not None and got[0] is screen:
            return got[1]
        lines = list(screen.query(StatusLine).results(StatusLine))
        if lines:  # (none yet: a screen still composing; asked again next time)
            self._lines[id(screen)] = (screen, lines)
        return lines

    def card_info(self, case: Case):
        return self.app.triage.card(case, self.app.now)
