"""The Today view: every case that needs action now, most urgent first, one line each.

Where its parts are: the pure row model and row text in ``today_rows`` (``TodayRows``,
``row_parts``: testable without a terminal), the list widget in ``today_list``, the bulk
actions and their forms in ``today_bulk``; this module is the screen.

One screen per board, kept: ``open_today(app)`` installs it the first time ``t`` is pressed and
pushes the same screen every time after, so opening Today composes nothing. Each time it is
shown (``t``, or back from a case opened from it) it brings its rows up to the board's cases:
at the board's minute only the cases whose revision changed are triaged again (10,000 cases:
a few ms on the UI thread; more than ``DIRECT_MAX`` changed ones go to a worker); at a new
minute every case is triaged again in a thread worker (about 0.7 s at 10,000) while the rows
of the last minute stay on screen, their countdowns already current.

The order and the reasons are ``store.query.today``'s (snoozed cases stay out until they
wake). The list draws only the rows on screen; query filters run in a thread worker. The screen
talks to the app only through messages:

* ``OpenCase(case_id)``: enter on a row; the app selects and opens that case.
* ``CasesChanged(ids)``: a bulk action saved these cases; the app reloads the board.

and the board tells it about new data by calling ``reload(cases)`` (the loader, with every case
it holds) and ``tick(now)`` (the minute turned). Without a board (a screen on its own, in the
tests) it reads the store itself.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Callable

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.worker import get_current_worker
from textual.widgets import Input, Static

from store import STAGE_TITLES, Case, Config, StoreError
from store.query import Context, QueryError, Triage, parse

from ..safe import clean, crop
from ..messages import OpenCase
from ..triage import Batch
from ..widgets.steady_footer import SteadyFooter
from .base import KeptScreen, StoreScreen, cursor_bindings
from .detail import CoveringScreen
from .today_bulk import BulkDone, TodayBulk
from .today_list import TodayList
from .today_rows import TodayRows, columns, header_text

Clock = Callable[[], datetime]


def header_line(width: int, id_width: int = 6) -> Content:
    return Content(header_text(width, id_width))


# -- messages inside the screen ------------------------------------------------------------------
class TodayLoaded(Message):
    def __init__(self, gen: int, rows: TodayRows, elapsed: float) -> None:
        super().__init__()
        self.gen, self.rows, self.elapsed = gen, rows, elapsed


class TodayFiltered(Message):
    def __init__(self, gen: int, query: str, items: list[Triage]) -> None:
        super().__init__()
        self.gen, self.query, self.items = gen, query, items


# -- the screen ----------------------------------------------------------------------------------
class TodayScreen(CoveringScreen, KeptScreen, TodayBulk, StoreScreen):
    """Cases needing action now. Pushed from the board (key ``t``, ``open_today``); see the
    module docstring."""
    BOARD_KIND = "today"

    DIRECT_MAX = 256  # changed cases triaged on the UI thread when shown; more go to a worker

    DEFAULT_CSS = """
    TodayScreen { background: $background; }
    TodayScreen #today-title { height: 1; padding: 0 1; background: $surface; color: $foreground; }
    TodayScreen #today-qbar { height: 1; }
    TodayScreen #today-qlabel { width: 3; padding-left: 1; color: $accent; }
    TodayScreen #today-query { width: 1fr; }
    TodayScreen #today-query.-invalid { color: $error; }
    TodayScreen #today-qerror { display: none; height: auto; padding: 0 1 0 3; color: $error; }
    TodayScreen #today-qerror.-shown { display: block; }
    TodayScreen #today-views { height: 1; padding: 0 1; color: $text-muted; }
    TodayScreen #today-head { height: 1; color: $text-muted; text-style: bold; background: $background; }
    TodayScreen #today-why { height: 3; padding: 0 1; background: $surface; color: $foreground; }
    TodayScreen #today-status { height: 1; padding: 0 1; background: $surface; color: $text-muted; }
    """

    BINDINGS = [
        Binding("enter", "open", "Open", id="today.open"),
        Binding("space", "mark", "Mark", id="today.mark"),
        Binding("z", "snooze", "Snooze", id="today.snooze"),
        Binding("A", "assign", "Assign", id="today.assign"),
        Binding("T", "tag", "Tag", id="today.tag"),
        Binding("greater_than_sign", "move(1)", "Next stage", id="today.next_stage", key_display=">"),
        Binding("less_than_sign", "move(-1)", "Prev stage", show=False, id="today.prev_stage", key_display="<"),
        Binding("slash", "query", "Query", id="today.query", key_display="/"),
        *cursor_bindings("today"),
        Binding("asterisk", "mark_all", "Mark all shown", show=False, id="today.mark_all", key_display="*"),
        Binding("r", "reload", "Reload", show=False, id="today.reload"),
        Binding("escape,t", "close", "Back", id="today.close"),
    ] + [
        Binding(str(n), f"view({n})", f"Saved view {n}", show=False, id=f"today.view_{n}")
        for n in range(1, 10)
    ]

    def __init__(self, store, cfg: Config, clock: Clock, user: str | None = None,
                 lock: threading.Lock | None = None, query: str = "", *, board=None, triage=None) -> None:
        """``board``: the board's loader (``all_cases()``, ``applied_gen``, ``minute``), whose
        cases Today shows; ``triage``: the board's cache (``tui.triage.Triage``)."""
        super().__init__(store, cfg, clock, user, lock, id="today-screen")
        self.query_text = query.strip()
        self.views: list[dict] = [v for v in (cfg.data.get("views") or []) if isinstance(v, dict)
                                  and isinstance(v.get("query"), str)][:9]
        self.board = board
        cache = triage if triage is not None and getattr(triage, "cfg", None) is cfg else None
        self.rows = TodayRows(cfg, cache.today_item if cache is not None else None)
        self._keys_for: tuple | None = None  # (loaded, busy, no row) the footer was last told of
        self.loaded = False
        self.last_elapsed = 0.0
        self._gen = 0  # the newest full load asked for
        self._pending: datetime | None = None  # the instant a full load in flight is for
        self._latest: list[Case] | None = None  # cases given while it runs: applied when it lands
        self._fgen = 0
        self._seen: tuple | None = None  # the board's version the rows were last brought up to

    # the rows, by the names the tests and the bulk actions read
    all_items = property(lambda self: self.rows.items)
    by_id = property(lambda self: self.rows.by_id)
    now = property(lambda self: self.rows.now)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content("Today"), id="today-title")
        with Horizontal(id="today-qbar"):
            yield Static(Content("/"), id="today-qlabel")
            yield Input(value=self.query_text, id="today-query", compact=True,
                        placeholder="query: turn:me due<3d amount>500 supplier:ningbo …")
        yield Static("", id="today-qerror")
        yield Static(self._views_line(), id="today-views")
        yield Static("", id="today-head")
        yield TodayList(self.cfg, id="today-list")
        yield Static("", id="today-why")
        yield Static("", id="today-status")
        yield SteadyFooter()

    @property
    def today_list(self) -> TodayList:
        return self.query_one(TodayList)

    def on_mount(self) -> None:
        self.today_list.focus()

    def on_screen_resume(self) -> None:
        now = self.clock()
        if self.loaded and self.today_list.now is not None and self.today_list.now < now:
            self.tick(now)  # no tick reached a hidden screen: the countdowns on screen catch up
        self.reload()  # new data while away: only what changed is triaged again

    def opened(self) -> None:
        """``t`` on the board: the kept screen starts over as a new one did (no query, no
        marks, the cursor on the first row); its rows stay."""
        if not self.is_mounted:
            return
        lst = self.today_list
        lst.marks.clear()
        lst.cursor = 0
        lst.scroll_to(y=0, animate=False, immediate=True)
        if self.query_text or self.query_one("#today-query", Input).value:
            self.set_query("")
        lst.focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_head)

    def _draw_head(self) -> None:
        lst = self.today_list
        self.query_one("#today-head", Static).update(header_line(lst.scrollable_content_region.width, lst.id_width))

    # -- loading -------------------------------------------------------------------------------
    def _instant(self) -> datetime:
        """The instant the rows are for: the board's minute (its triage cache's), else now."""
        return self.board.minute if self.board is not None else self.clock()

    def reload(self, cases: list[Case] | None = None) -> None:
        """Bring the rows up to ``cases``, or to the board's cases when None (the store's,
        without a board): at the same instant only the changed cases are triaged again, at a
        new one (or with very many changed) every case is, in a worker."""
        now = self._instant()
        version = self._board_version()
        if cases is None and version is not None:
            if version == self._seen and now == self.rows.now and self._pending is None:
                return  # the board has not changed since: nothing to look at
            cases = self.board.all_cases()
        self._seen = version
        if cases is not None and self._pending is not None and self._pending == now:
            self._latest = cases  # applied when the load in flight lands
            return
        if cases is not None and self.rows.now == now and self._pending is None:
            changed, gone = self.rows.changes(cases)
            if len(changed) <= self.DIRECT_MAX:
                if self.rows.apply(changed, gone):
                    self._rows_changed()
                return
        self._gen += 1
        self._pending, self._latest = now, None
        self._load(self._gen, Batch(cases) if cases is not None else None, now)

    def _board_version(self) -> tuple | None:
        """What the board's loader has applied (loads, refreshes), None before its first load."""
        b = self.board
        if b is None or not b.applied_gen:
            return None
        return (b.applied_gen, getattr(b, "full_loads", None), getattr(b, "delta_loads", None))

    def tick(self, now: datetime) -> None:
        """The minute turned: redraw the countdowns on screen (cheap: only the visible rows are
        recomputed). The order and the reasons change on the next ``reload``."""
        self.today_list.tick(now)
        self._update_why()

    @work(thread=True, group="today-load", exclusive=True)
    def _load(self, gen: int, cases: list[Case] | None, now: datetime) -> None:
        started = time.perf_counter()
        try:
            if cases is None:
                with self.store_lock:
                    cases = self.store.cases()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, f"Could not read the database: {clean(exc)}",
                                      severity="error", markup=False)
            return
        rows = self.rows.copy()
        rows.rebuild(cases, now)
        self.post_message(TodayLoaded(gen, rows, time.perf_counter() - started))

    def on_today_loaded(self, msg: TodayLoaded) -> None:
        if msg.gen != self._gen:
            return
        self.rows, self.last_elapsed, self.loaded = msg.rows, msg.elapsed, True
        self._pending, latest, self._latest = None, self._latest, None
        if latest is not None:
            self.rows.update(latest, self.rows.now)
        self._rows_changed()

    def _rows_changed(self) -> None:
        self.today_list.marks &= set(self.rows.by_id)
        self._apply_query(self.query_text, force=True)

    def bulk_saved(self, saved: list[Case]) -> None:
        """Our own bulk saved these: show them as saved now (only they are triaged again)."""
        if self.rows.apply(saved):
            self._rows_changed()

    def _apply_query(self, text: str, force: bool = False) -> None:
        """Show the rows matching ``text``; a bad query leaves the list as it was and says why."""
        err = self.query_one("#today-qerror", Static)
        inp = self.query_one("#today-query", Input)
        try:
            pred = parse(text)
        except QueryError as exc:
            err.update(Content(clean(str(exc))))
            err.set_class(True, "-shown")
            inp.set_class(True, "-invalid")
            return
        err.update("")
        err.set_class(False, "-shown")
        inp.set_class(False, "-invalid")
        if text == self.query_text and not force:
            return
        self.query_text = text
        self.query_one("#today-views", Static).update(self._views_line())
        if not self.loaded:
            return
        self._fgen += 1
        if not text:
            self._show(self.all_items)
        else:
            self._filter(self._fgen, text, pred, Batch(self.all_items), self.now)

    @work(thread=True, group="today-filter", exclusive=True)
    def _filter(self, gen: int, text: str, pred, items: list[Triage], now: datetime) -> None:
        ctx = Context(now, self.cfg, self.user)
        worker = get_current_worker()
        out = []
        for i, t in enumerate(items):
            if i % 256 == 0 and (worker.is_cancelled or gen != self._fgen):
                return  # a newer query replaced this one (typing at 10,000 cases)
            if pred(t.case, ctx):
                out.append(t)
        self.post_message(TodayFiltered(gen, text, out))

    def on_today_filtered(self, msg: TodayFiltered) -> None:
        if msg.gen == self._fgen:
            self._show(msg.items)

    def _show(self, items: list[Triage]) -> None:
        lst = self.today_list
        keep = lst.current.case.id if lst.current else None
        lst.empty_text = ("no case matches the query" if self.query_text else
                          "nothing needs action now")
        lst.set_items(items, self.now, keep)
        self._draw_head()
        self._update_info()

    @property
    def shown(self) -> list[Triage]:
        return self.today_list.items

    # -- info lines ----------------------------------------------------------------------------
    def _views_line(self) -> Content:
        if not self.views:
            return Content("no saved views (config: [[views]] name, query)")
        parts: list = []
        for i, v in enumerate(self.views, 1):
            active = v["query"].strip() == self.query_text and bool(self.query_text)
            parts += [(f"{i}", "bold $accent"), (" ", ""),
                      (clean(v.get("name") or v["query"]), "bold $foreground" if active else "$text-muted"),
                      ("  ", "")]
        return Content.assemble(*parts)

    def _update_info(self) -> None:
        lst = self.today_list
        n_all, n_shown, n_marked = len(self.all_items), len(lst.items), len(lst.marks)
        view = next((v.get("name") for v in self.views if self.query_text and v["query"].strip() == self.query_text),
                    None)
        title: list = [("Today", "bold"), (f"  {n_all} need action", "")]
        if self.query_text:
            title += [("  · ", "$text-muted"), (clean(view or "query"), "bold $accent"),
                      (f" {n_shown} shown", "")]
        if n_marked:
            title += [("  · ", "$text-muted"), (f"{n_marked} marked", "bold $warning")]
        self.query_one("#today-title", Static).update(Content.assemble(*title))
        self._update_why()
        if n_marked:
            status: list = [(f"z A T > < act on the {n_marked} marked", "bold $warning"),
                            ("  space unmarks  * all shown  esc clears the marks", "$text-muted")]
        else:
            status = [("space marks rows; z A T > < act on the marked rows, else on the cursor row",
                       "$text-muted")]
        if self.busy:
            status = [("saving…", "bold $warning")]
        self.query_one("#today-status", Static).update(Content.assemble(*status))
        # The row keys are dimmed before the first load lands, while saving and with no row
        # (``check_action``): the footer is told when that changes, not at the next resume.
        keys = (self.loaded, self.busy, lst.current is None)
        if keys != self._keys_for:
            self._keys_for = keys
            self.refresh_bindings()

    def _update_why(self) -> None:
        t = self.today_list.current
        box = self.query_one("#today-why", Static)
        if t is None:
            box.update("")
            return
        width = max(10, (box.size.width or self.size.width) - 2)
        c = t.case
        head = [(c.id, "bold $accent"), (f"  {STAGE_TITLES[c.stage]}", "$text-muted"),
                ("  ", ""), (clean(c.supplier), "bold"), ("  ", ""), (clean(c.title or c.product), "$text-muted")]
        used, line1 = 0, []
        for text, style in head:  # the first line is cropped, never wrapped: the reasons get two
            room = width - used
            if room <= 0:
                break
            piece = crop(text, room)
            used += cell_len(piece)
            line1.append((piece, style))
        box.update(Content.assemble(*line1, ("\n", ""), (clean("; ".join(t.why)), "")))

    def on_today_list_moved(self, msg: TodayList.Moved) -> None:
        self._update_why()

    # -- query ---------------------------------------------------------------------------------
    @on(Input.Changed, "#today-query")
    def _query_changed(self, event: Input.Changed) -> None:
        if not event.value.isprintable():
            event.input.value = clean(event.value)  # pasted control characters never reach the screen
            return
        self._apply_query(event.value.strip())

    @on(Input.Submitted, "#today-query")
    def _query_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.today_list.focus()

    def on_key(self, event) -> None:
        focused = self.focused
        if event.key == "escape" and isinstance(focused, Input) and focused.id == "today-query":
            event.stop()
            event.prevent_default()
            if focused.value:
                focused.value = ""
            else:
                self.today_list.focus()

    def set_query(self, text: str) -> None:
        """Show the rows matching ``text`` (the query language of ``/``)."""
        inp = self.query_one("#today-query", Input)
        inp.value = text  # Input.Changed applies it
        self._apply_query(text.strip())

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "view":
            return 0 < int(parameters[0]) <= len(self.views)
        if action in ("open", "mark", "snooze", "assign", "tag", "move"):
            if not self.loaded or self.busy:
                return None
            if action in ("open", "mark") and self.today_list.current is None:
                return None
        return True

    def action_query(self) -> None:
        self.query_one("#today-query", Input).focus()

    def action_view(self, n: int) -> None:
        if 0 < n <= len(self.views):
            self.set_query(self.views[n - 1]["query"].strip())
            self.today_list.focus()

    def action_row(self, step: int) -> None:
        self.today_list.move_cursor(self.today_list.cursor + step)

    def action_page(self, step: int) -> None:
        lst = self.today_list
        lst.move_cursor(lst.cursor + step * max(1, lst.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.today_list.move_cursor(0)

    def action_last(self) -> None:
        self.today_list.move_cursor(len(self.today_list.items) - 1)

    def action_open(self) -> None:
        t = self.today_list.current
        if t is not None:
            self.post_message(OpenCase(t.case.id))

    def action_mark(self) -> None:
        self.today_list.toggle_mark()
        self._update_info()

    def action_mark_all(self) -> None:
        lst = self.today_list
        ids = {t.case.id for t in lst.items}
        lst.set_marks(set() if ids <= lst.marks else lst.marks | ids)
        self._update_info()

    def action_reload(self) -> None:
        self._seen = None  # look at every case again (only the changed ones are triaged)
        self.reload()

    def action_close(self) -> None:
        if self.today_list.marks:
            self.today_list.set_marks(set())
            self._update_info()
            return
        self.dismiss()


def open_today(app) -> TodayScreen:
    """The board's Today screen: installed on the first ``t`` and kept, so every later ``t``
    shows it again without composing it (and triages only what changed meanwhile). With Today
    already on the stack (``t`` in a case opened from it), a fresh one as before."""
    def make() -> TodayScreen:
        return TodayScreen(app.store, app.cfg, app.clock, app.store.user, lock=app.store_lock,
                           board=app.loader, triage=app.triage)

    if not app.is_screen_installed("today"):
        app.install_screen(make(), "today")
    screen = app.get_screen("today")
    if screen in app.screen_stack:
        return make()
    screen.opened()
    return screen


__all__ = ["TodayScreen", "TodayList", "BulkDone", "columns", "open_today"]
