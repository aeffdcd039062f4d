"""The Today view: every case that needs action now, most urgent first, one line each.

(Over 500 lines: the screen and its ``TodayList`` widget; the widget belongs in ``tui/widgets/``,
left for the rest of issue 10.)

The order and the reasons come from ``store.query.today`` (snoozed cases stay out until they
wake). The list is drawn with the Line API, only the rows on screen, so 10,000 cases cost what
10 do; the triage itself (about 0.7 s for 10,000 cases) and every query filter run in thread
workers. The screen talks to the app only through messages:

* ``OpenCase(case_id)``: enter on a row; the app selects and opens that case.
* ``CasesChanged(ids)``: a bulk action saved these cases; the app reloads the board.

and the app tells it about new data by calling ``reload()`` (optionally with the cases it has
just loaded). Bulk actions (snooze, assign, tag, move) apply to the marked rows, or to the
row under the cursor when nothing is marked, one save per case (through the session) with the revision
that was on screen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Input, Static

import importlib

from store import STAGE_TITLES, STAGES, Case, Config, StoreError, ValidationError, ops
from store import dates
from store.query import Context, QueryError, Triage, parse, today

from . import case_forms, forms
from ..messages import CasesChanged, OpenCase, SaveAnswered
from .base import StoreScreen
from ..safe import clean, crop, fit, money
from ..triage import Batch

clocks_mod = importlib.import_module("store.clocks")  # `store.clocks` the name is the function

Clock = Callable[[], datetime]


# -- messages for the app ------------------------------------------------------------------------
# -- messages inside the screen ------------------------------------------------------------------
class TodayLoaded(Message):
    def __init__(self, gen: int, items: list[Triage], by_id: dict[str, Case], now: datetime,
                 elapsed: float) -> None:
        super().__init__()
        self.gen, self.items, self.by_id, self.now, self.elapsed = gen, items, by_id, now, elapsed


class TodayFiltered(Message):
    def __init__(self, gen: int, query: str, items: list[Triage]) -> None:
        super().__init__()
        self.gen, self.query, self.items = gen, query, items


class BulkDone(Message):
    """A bulk action finished: which cases were saved, which were refused and why."""

    def __init__(self, what: str, ok: list[str], failed: list[tuple[str, str]], ticket: int | None = None) -> None:
        super().__init__()
        self.what, self.ok, self.failed, self.ticket = what, ok, failed, ticket


# -- the list ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    mark: int
    id: int
    countdown: int
    why: int
    supplier: int
    amount: int


def columns(width: int, id_width: int = 6) -> Columns:
    """Cell widths of the row parts for a terminal ``width`` (gaps of one cell between).
    ``id_width`` is the longest id shown: ids are never cut (D-10000 and up take 7 cells)."""
    mark, cid, cd, amount = 2, max(6, id_width), 11, 14
    rest = max(0, width - mark - cid - cd - amount - 4)
    supplier = max(8, min(28, rest * 2 // 5))
    why = max(0, rest - supplier)
    return Columns(mark, cid, cd, why, supplier, amount)


def short_why(why: tuple[str, ...]) -> str:
    if not why:
        return ""
    return why[0] + (f"  +{len(why) - 1}" if len(why) > 1 else "")


class TodayList(ScrollView, can_focus=True):
    """One line per case, drawn line by line (only the rows on screen)."""

    DEFAULT_CSS = """
    TodayList {
        height: 1fr;
        background: $background;
        scrollbar-size-horizontal: 0;
        overflow-x: hidden;
    }
    TodayList > .today--row { background: $background; color: $foreground; }
    TodayList > .today--cursor { background: $surface; }
    TodayList:focus > .today--cursor { background: $primary 35%; }
    TodayList > .today--bar { color: $accent; text-style: bold; }
    TodayList > .today--mark { color: $warning; text-style: bold; }
    TodayList > .today--id { color: $case-id; text-style: bold; }
    TodayList > .today--supplier { text-style: bold; }
    TodayList > .today--muted { color: $text-muted; }
    TodayList > .today--ok { color: $success; }
    TodayList > .today--soon { color: $warning; }
    TodayList > .today--overdue { color: $error; }
    TodayList > .today--hard { text-style: bold; }
    TodayList > .today--empty { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "today--row", "today--cursor", "today--bar", "today--mark", "today--id", "today--supplier",
        "today--muted", "today--ok", "today--soon", "today--overdue", "today--hard", "today--empty",
    }

    class Moved(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, cfg: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cfg = cfg
        self.items: list[Triage] = []
        self.cursor = 0
        self.marks: set[str] = set()
        self.now: datetime | None = None
        self.empty_text = "loading…"
        self.id_width = 6  # the longest id in the list: the id column fits it whole
        self._urgency: dict[tuple[str, int], clocks_mod.Urgency] = {}

    # -- data ----------------------------------------------------------------------------------
    def set_items(self, items: list[Triage], now: datetime, keep: str | None = None) -> None:
        self.items = items
        self.id_width = max((len(t.case.id) for t in items), default=6)
        if self.now != now:
            self._urgency.clear()
        self.now = now
        idx = self.index_of(keep) if keep is not None else None
        self.cursor = idx if idx is not None else max(0, min(self.cursor, len(items) - 1))
        self.virtual_size = Size(self.scrollable_content_region.width, len(items))
        self.refresh()
        self.scroll_to_cursor()

    def index_of(self, case_id: str) -> int | None:
        for i, t in enumerate(self.items):
            if t.case.id == case_id:
                return i
        return None

    @property
    def current(self) -> Triage | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def move_cursor(self, index: int) -> None:
        if not self.items:
            return
        old, self.cursor = self.cursor, max(0, min(index, len(self.items) - 1))
        self._refresh_row(old)
        self._refresh_row(self.cursor)
        self.scroll_to_cursor()
        self.post_message(self.Moved(self.cursor))

    def scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        y = round(self.scroll_y)
        if self.cursor < y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        self.refresh_lines(index - round(self.scroll_y), 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.items))

    def countdown(self, case: Case) -> tuple[str, str, bool, str]:
        """(countdown, level, hard, label) of the clock that matters most now; cached per rev."""
        key = (case.id, case.rev)
        u = self._urgency.get(key)
        if u is None:
            u = self._urgency[key] = clocks_mod.urgency(case, self.cfg, self.now)
        if u.clock is None:
            return "", "ok", False, ""
        return clocks_mod.countdown(u.clock.due, self.now), u.level, u.hard, u.clock.label

    # -- drawing -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + round(self.scroll_y)
        base = self.get_component_rich_style("today--row")
        if not self.items:
            if y == 1:
                st = self.get_component_rich_style("today--empty")
                return Strip([Segment(fit("  " + self.empty_text, width), st)], width)
            return Strip.blank(width, base)
        if index >= len(self.items):
            return Strip.blank(width, base)
        return self._row(index, width)

    def _row(self, index: int, width: int) -> Strip:
        t = self.items[index]
        case = t.case
        get = self.get_component_rich_style
        cursor = index == self.cursor
        bg = base = get("today--row")
        if cursor:
            bg = base + get("today--cursor")
        cols = columns(width, self.id_width)
        cd, level, hard, _ = self.countdown(case)
        cd_style = get(f"today--{level}", partial=True)
        if hard and level != "ok":
            cd_style += get("today--hard", partial=True)
        marked = case.id in self.marks
        amount = money(case.claim, case.currency)
        if cell_len(amount) > cols.amount:
            amount = money(case.claim)
        parts: list[tuple[str, Style]] = [
            ("▌" if cursor else " ", get("today--bar", partial=True)),
            ("●" if marked else " ", get("today--mark", partial=True)),
            (fit(case.id, cols.id) + " ", get("today--id", partial=True)),
            (fit(cd or "-", cols.countdown) + " ", cd_style),
            (fit(clean(short_why(t.why)), cols.why) + " " if cols.why else "", Style()),
            (fit(clean(case.supplier), cols.supplier) + " ", get("today--supplier", partial=True)),
            (crop(amount, cols.amount).rjust(cols.amount), Style()),
        ]
        segs = [Segment(text, bg + style) for text, style in parts if text]
        return Strip(segs).adjust_cell_length(width, bg)

    def on_click(self, event) -> None:
        index = event.y + round(self.scroll_y)
        if 0 <= index < len(self.items):
            self.move_cursor(index)


def header_line(width: int, id_width: int = 6) -> Content:
    cols = columns(width, id_width)
    text = ("  " + fit("id", cols.id) + " " + fit("due", cols.countdown) + " "
            + (fit("why it is here", cols.why) + " " if cols.why else "")
            + fit("supplier", cols.supplier) + " " + "claimed".rjust(cols.amount))
    return Content(text)


# -- the screen ----------------------------------------------------------------------------------
class TodayScreen(StoreScreen):
    """Cases needing action now. Push it from the board (key ``t``); see the module docstring."""

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
        Binding("down,j", "row(1)", "Down", show=False, id="today.down"),
        Binding("up,k", "row(-1)", "Up", show=False, id="today.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="today.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="today.page_up"),
        Binding("g,home", "first", "First", show=False, id="today.first"),
        Binding("G,end", "last", "Last", show=False, id="today.last"),
        Binding("asterisk", "mark_all", "Mark all shown", show=False, id="today.mark_all", key_display="*"),
        Binding("r", "reload", "Reload", show=False, id="today.reload"),
        Binding("escape,t", "close", "Back", id="today.close"),
    ] + [
        Binding(str(n), f"view({n})", f"Saved view {n}", show=False, id=f"today.view_{n}")
        for n in range(1, 10)
    ]

    def __init__(self, store, cfg: Config, clock: Clock, user: str | None = None,
                 lock: threading.Lock | None = None, query: str = "") -> None:
        super().__init__(store, cfg, clock, user, lock, id="today-screen")
        self.query_text = query.strip()
        self.views: list[dict] = [v for v in (cfg.data.get("views") or []) if isinstance(v, dict)
                                  and isinstance(v.get("query"), str)][:9]
        self.all_items: list[Triage] = []
        self.by_id: dict[str, Case] = {}
        self.now: datetime | None = None
        self.loaded = False
        self.busy = False  # a bulk action is being saved
        self.last_elapsed = 0.0
        self._gen = 0
        self._fgen = 0

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
        yield Footer()

    @property
    def today_list(self) -> TodayList:
        return self.query_one(TodayList)

    def on_mount(self) -> None:
        self.today_list.focus()
        self.reload()

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_head)

    def _draw_head(self) -> None:
        lst = self.today_list
        self.query_one("#today-head", Static).update(header_line(lst.scrollable_content_region.width, lst.id_width))

    # -- loading -------------------------------------------------------------------------------
    def reload(self, cases: list[Case] | None = None) -> None:
        """Recompute the list (and every countdown) from ``cases``, or from the store when None.

        The app calls this when its own load finishes (passing the cases it loaded) and on the
        minute tick; the screen calls it itself after its own saves. On the board (an app with
        a ``loader`` that has loaded) ``None`` means the board's cases: Today reads nothing
        itself, and the triage comes from the board's cache (``tui.triage.Triage.today``)."""
        if cases is None:
            loader = getattr(self.app, "loader", None)
            if loader is not None and loader.applied_gen:
                cases = loader.all_cases()
        self._gen += 1
        self._load(self._gen, Batch(cases) if cases is not None else None)

    def tick(self, now: datetime) -> None:
        """The minute turned: redraw the countdowns on screen (cheap: only the visible rows are
        recomputed). The order and the reasons change on the next ``reload``."""
        lst = self.today_list
        lst.now = now
        lst._urgency.clear()
        lst.refresh()
        self._update_why()

    @work(thread=True, group="today-load", exclusive=True)
    def _load(self, gen: int, cases: list[Case] | None) -> None:
        started = time.perf_counter()
        try:
            if cases is None:
                with self.store_lock:
                    cases = self.store.cases()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, f"Could not read the database: {clean(exc)}",
                                      severity="error", markup=False)
            return
        now = self.clock()
        cache = getattr(self.app, "triage", None)
        if cache is not None and getattr(cache, "cfg", None) is self.cfg:
            # The board's minute: at the same minute the cached triage is reused (a 10,000-case
            # Today opens in ~10 ms instead of ~0.7 s); the order changes as the board's does.
            now = getattr(getattr(self.app, "loader", None), "minute", now)
            items = cache.today(cases, now)
        else:
            items = today(cases, self.cfg, now)
        by_id = {c.id: c for c in cases}
        self.post_message(TodayLoaded(gen, items, by_id, now, time.perf_counter() - started))

    def on_today_loaded(self, msg: TodayLoaded) -> None:
        if msg.gen != self._gen:
            return
        self.all_items, self.by_id, self.now = msg.items, msg.by_id, msg.now
        self.last_elapsed = msg.elapsed
        self.loaded = True
        self.today_list.marks &= set(msg.by_id)
        self._apply_query(self.query_text, force=True)

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
        lst = self.today_list
        t = lst.current
        if t is None:
            return
        lst.marks.symmetric_difference_update({t.case.id})
        lst._refresh_row(lst.cursor)
        if lst.cursor < len(lst.items) - 1:
            lst.move_cursor(lst.cursor + 1)
        self._update_info()

    def action_mark_all(self) -> None:
        lst = self.today_list
        ids = {t.case.id for t in lst.items}
        lst.marks = set() if ids <= lst.marks else lst.marks | ids
        lst.refresh()
        self._update_info()

    def action_reload(self) -> None:
        self.reload()

    def action_close(self) -> None:
        if self.today_list.marks:
            self.today_list.marks.clear()
            self.today_list.refresh()
            self._update_info()
            return
        self.dismiss()

    def targets(self) -> list[Case]:
        """The marked cases (as last loaded), or the one under the cursor when none is marked."""
        lst = self.today_list
        if lst.marks:
            return [self.by_id[i] for i in sorted(lst.marks, key=lambda i: self.by_id[i].number) if i in self.by_id]
        return [lst.current.case] if lst.current is not None else []

    def _what(self, cases: list[Case]) -> str:
        return cases[0].id if len(cases) == 1 else f"{len(cases)} cases"

    def action_snooze(self) -> None:
        cases = self.targets()
        if not cases:
            return

        def until(text: str) -> datetime:
            when = dates.read(text, what="snooze time", kind="ahead", order=dates.date_order(self.cfg),
                              now=self.clock())
            if when <= self.clock():
                raise ValidationError(f"{when.isoformat(timespec='minutes')} is not in the future")
            return when

        def submit(values: dict, form: forms.FormScreen) -> None:
            when = values["until"]
            self.bulk("Snoozed", cases, lambda c: (lambda case: ops.snooze(case, when, self.clock())), form.ticket)

        spec = forms.FormSpec(
            f"Snooze {self._what(cases)}", [forms.Field("until", "Until", until, placeholder="2026-12-01 or 2026-12-01T09:00+08:00")],
            None, submit, note="Out of Today until then; it comes back by itself.", key="snooze")
        self.app.push_screen(forms.FormScreen(spec))

    def action_assign(self) -> None:
        cases = self.targets()
        if not cases:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            user = values["user"]
            self.bulk("Assigned", cases, lambda c: (lambda case: ops.assign(case, user)), form.ticket)

        def who(text: str) -> str:
            return ops.box_user(text) if text.strip() else ""

        spec = forms.FormSpec(
            f"Assign {self._what(cases)}", [forms.Field("user", "To", who, self.user, placeholder="a login on this box")],
            None, submit, note="Empty: nobody.", key="assign")
        self.app.push_screen(forms.FormScreen(spec))

    def action_tag(self) -> None:
        cases = self.targets()
        if not cases:
            return

        def tags(text: str) -> tuple[list[str], list[str]]:
            add, remove = [], []
            for t in text.replace(",", " ").split():
                (remove if t.startswith("-") else add).append(t.lstrip("-+"))
            if not add and not remove:
                raise ValidationError("a tag, like urgent; -tag removes one")
            for t in add:
                if not all(ch.isalnum() or ch in "-_." for ch in t):
                    raise ValidationError(f"tag {t!r}: letters, digits, - _ . only")
            return add, remove

        def submit(values: dict, form: forms.FormScreen) -> None:
            add, remove = values["tags"]
            self.bulk("Tagged", cases, lambda c: (lambda case: ops.tag(case, add, remove)), form.ticket)

        spec = forms.FormSpec(
            f"Tag {self._what(cases)}", [forms.Field("tags", "Tags", tags, placeholder="urgent, -old (minus removes)")],
            None, submit, key="tag")
        self.app.push_screen(forms.FormScreen(spec))

    def action_move(self, step: int) -> None:
        cases = self.targets()
        if not cases:
            return
        now = self.clock()
        into_resolved = [c for c in cases if 0 <= STAGES.index(c.stage) + step < len(STAGES)
                         and STAGES[STAGES.index(c.stage) + step] == "resolved"]
        if into_resolved and len(cases) > 1:
            ids = ", ".join(c.id for c in into_resolved[:5]) + (" …" if len(into_resolved) > 5 else "")
            self.notify(f"Not moved: {ids} would go to Resolved, which needs an outcome per case. "
                        f"Unmark them, or resolve each one on its own.",
                        title="Bulk move refused", severity="warning", markup=False, timeout=8)
            return
        if into_resolved:
            case = cases[0]

            def submit(values: dict, form: forms.FormScreen) -> None:
                self.bulk("Resolved", [case], lambda c: (lambda x: ops.move(
                    x, "resolved", now, values["outcome"], values["recovered"])), form.ticket)
            self.app.push_screen(forms.FormScreen(case_forms.outcome_spec(case, now, submit)))
            return

        def change_for(c: Case):
            idx = STAGES.index(c.stage) + step
            if not 0 <= idx < len(STAGES):
                edge = "first" if step < 0 else "last"

                def refuse(case: Case) -> tuple[str, str]:
                    raise ValidationError(f"already in the {edge} stage ({STAGE_TITLES[c.stage]})")
                return refuse
            return lambda case: ops.move(case, STAGES[idx], now)

        self.bulk("Moved", cases, change_for)

    # -- saving --------------------------------------------------------------------------------
    def bulk(self, what: str, cases: list[Case], change_for, ticket: int | None = None) -> None:
        """Save ``change_for(case)`` on each case, each with the revision last loaded, in one
        worker; ``BulkDone`` reports the result (and the form holding ``ticket`` hears it)."""
        self.busy = True
        self._update_info()
        self._bulk_worker(what, [(c, change_for(c)) for c in cases], ticket)

    @work(thread=True, group="today-save")
    def _bulk_worker(self, what: str, jobs: list, ticket: int | None) -> None:
        out = self.session.bulk(jobs)  # the cases that saved are one undo step on the board
        self.post_message(BulkDone(what, out.ok, [(cid, str(exc)) for cid, exc in out.failed], ticket))

    def on_bulk_done(self, msg: BulkDone) -> None:
        self.busy = False
        lst = self.today_list
        lst.marks -= set(msg.ok)  # the refused ones stay marked, to try again
        total = len(msg.ok) + len(msg.failed)
        if msg.failed:
            lines = [f"{cid}: {clean(err)}" for cid, err in msg.failed[:6]]
            if len(msg.failed) > 6:
                lines.append(f"… and {len(msg.failed) - 6} more")
            self.notify("\n".join(lines), title=f"{msg.what} {len(msg.ok)} of {total}; {len(msg.failed)} failed",
                        severity="error" if not msg.ok else "warning", markup=False, timeout=10)
        else:
            ids = ", ".join(msg.ok[:4]) + (" …" if len(msg.ok) > 4 else "")
            self.notify(f"{msg.what} {len(msg.ok)} of {total}: {ids}", markup=False, timeout=4)
        if msg.ticket is not None:  # the form that asked (in front) closes, or says why not
            why = None if msg.ok else "; ".join(f"{cid}: {err}" for cid, err in msg.failed[:3])
            self.app.screen.post_message(SaveAnswered(msg.ticket, why))
        if msg.ok:
            self.post_message(CasesChanged(tuple(msg.ok)))
            self.reload()
        else:
            self._update_info()
        lst.refresh()

    def bulk_targets_text(self) -> str:
        return ", ".join(c.id for c in self.targets())


__all__ = ["TodayScreen", "TodayList", "BulkDone", "columns"]
