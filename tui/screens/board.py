"""The board: one virtualized column per stage (``StageColumn``), a detail pane beside them when
the terminal is wide (a screen of its own otherwise), the filter, a status line and the footer."""

from __future__ import annotations

import bisect
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from store import STAGE_TITLES, STAGES, Case
from store import query as case_query

from ..case_actions import CASE_BINDINGS, HELP_BINDING, CaseActions
from ..compositor import SplitCompositor
from ..messages import BoardReady, StatusStale
from ..safe import clean, compact_money
from ..triage import Triage
from ..widgets.detail_pane import DetailPane
from ..widgets.stage_column import CARD_HEIGHT, StageColumn, remove_sorted
from ..widgets.status_line import StatusLine
from ..widgets.steady_footer import SteadyFooter
from .base import KeptScreen

AFTER_FRAME = 0.003  # seconds from a frame to the work it puts off (BoardScreen._after_frame)

if TYPE_CHECKING:
    from ..app import DisputeApp

# Keys that act on the selected case (the board's and the app's actions).
CASE_ACTIONS = {"open", "move", "edit", "message", "attach", "deadline", "open_case", "statement", "offer",
                "edit_description", "message_in_editor", "copy_id"}

_HELP_AT = CASE_BINDINGS.index(HELP_BINDING)  # the saved views go before ? in the help


class BoardScreen(KeptScreen, CaseActions, Screen):
    BOARD_KIND = "board"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    BINDINGS = [
        Binding("enter", "open", "Open", id="board.open"),
        Binding("left,h", "column(-1)", "Left", show=False, id="board.left"),
        Binding("right,l", "column(1)", "Right", show=False, id="board.right"),
        Binding("up,k", "row(-1)", "Up", show=False, id="board.up"),
        Binding("down,j", "row(1)", "Down", show=False, id="board.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="board.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="board.page_down"),
        Binding("g,home", "first", "First card", show=False, id="board.first"),
        Binding("G,end", "last", "Last card", show=False, id="board.last"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        *CASE_BINDINGS[:_HELP_AT],
        # One line in the help for all nine: "1  Saved views 1-9 (config)". (The ids are the
        # keymap's names, kept from when the app held these.)
        *[Binding(str(i), f"view({i})", "Saved views 1-9 (config)" if i == 1 else "", show=False,
                  id=f"app.view{i}") for i in range(1, 10)],
        *CASE_BINDINGS[_HELP_AT:],
    ]

    def __init__(self, triage: Triage, width: int | None = None) -> None:
        # Born with the breakpoint class of the terminal's ``width``: given it only at the first
        # resize, every widget of the board was styled twice before the first frame (13-25 ms).
        super().__init__(id="board-screen", classes=" ".join(self._get_breakpoint_classes(
            width, self.HORIZONTAL_BREAKPOINTS)) if width is not None else None)
        self._compositor = SplitCompositor()  # (tui.compositor: a key beside the detail pane draws two places)
        self.triage = triage
        self.col = 0
        self.filter_text = ""
        self._filter_pred: case_query.Pred | None = None
        self.by_stage: dict[str, list[Case]] = {s: [] for s in STAGES}
        self.loaded = False
        self.totals: dict[str, tuple[int, Decimal, set[str]]] | None = None
        self.user_moved = False
        self._binding_state: object = "unset"
        self._detail_gen = 0
        self._sums: dict[str, tuple[Decimal, dict[str, int]]] = {}  # per column: claimed, cards per currency
        self._heads: dict[str, Content] = {}  # per column: the header's text as last drawn

    def compose(self) -> ComposeResult:
        app: DisputeApp = self.app  # type: ignore[assignment]
        with Horizontal(id="main"):
            with Horizontal(id="board"):
                for stage in STAGES:
                    with Vertical(classes="column-box", id=f"box-{stage}"):
                        yield Static(Content(STAGE_TITLES[stage]), classes="col-header", id=f"h-{stage}")
                        yield StageColumn(stage, app.loader.card_info, app.evidence.pending, id=f"col-{stage}")
            yield DetailPane(self.triage, id="detail-side", classes="detail")
        with Horizontal(id="filter-bar"):
            yield Static(Content("/"), id="filter-label")
            yield Input(id="filter", placeholder="words, or stage:dispute turn:me due<3d amount>500 …",
                        compact=True)
            yield Static("", id="filter-error")
        yield StatusLine(id="status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        for c in self.columns:
            c.empty_text = "loading…"
        self.columns[0].set_active(True)
        self._styled_now()  # shown first just after: not restyled whole (KeptScreen), 20-25 ms
        self.app.loader.load_first_now()  # type: ignore[attr-defined]  # before the first frame, when quick
        self.post_message(BoardReady())

    # -- structure -------------------------------------------------------------------------------
    @property
    def columns(self) -> list[StageColumn]:
        return [self.query_one(f"#col-{s}", StageColumn) for s in STAGES]

    @property
    def column(self) -> StageColumn:
        return self.query_one(f"#col-{STAGES[self.col]}", StageColumn)

    @property
    def selected(self) -> Case | None:
        return self.column.current

    # -- data ------------------------------------------------------------------------------------
    def apply(self, by_stage: dict[str, list[Case]], select: str | None = None,
              totals: dict[str, tuple[int, Decimal, set[str]]] | None = None) -> None:
        """New data from the store: keep the selection (by id) and each column's scroll.

        After the quick first look (``totals`` given) the full, urgency-sorted load replaces
        it: if the user has not moved yet the selection goes to the top, the most urgent."""
        if self.totals is not None and totals is None and not self.user_moved:
            keep = select
            for c in self.columns:
                c.cursor = 0
                c.scroll_to(y=0, animate=False, immediate=True)
        else:
            keep = select or (self.selected.id if self.selected else None)
        self.totals = totals
        self.by_stage = by_stage
        self.loaded = True
        self._fill(keep, follow=select is not None)

    def update_cases(self, changes: dict[str, tuple[Case | None, Case | None]],
                     key: Callable[[Case], tuple]) -> None:
        """Some cases changed (``id: (old, new)``, None for absent): move only their cards, by
        bisect on ``key`` (the order the columns are sorted in). The other cards, each column's
        scroll and the selection (by id) stay; only the touched columns' headers are redrawn."""
        keep = self.selected.id if self.selected else None
        touched: dict[str, tuple[list[Case], list[Case]]] = {}
        cols = {s: c for s, c in zip(STAGES, self.columns)}
        for old, new in changes.values():
            if old is not None:
                remove_sorted(self.by_stage.get(old.stage, []), old, key)
                col = cols.get(old.stage)
                if col is not None and col.remove_case(old, key, resize=False):
                    touched.setdefault(old.stage, ([], []))[0].append(old)
            if new is not None:
                bisect.insort(self.by_stage.setdefault(new.stage, []), new, key=key)
                col = cols.get(new.stage)
                if col is not None and self._matches([new]):
                    col.insert_case(new, key, resize=False)
                    touched.setdefault(new.stage, ([], []))[1].append(new)
        for stage, delta in touched.items():
            cols[stage].resize()  # once, after the batch: a card moved within a column resizes nothing
            self._header(stage, cols[stage].cases, delta)
        selected = self.selected
        if keep is not None and (selected is None or selected.id != keep):
            for i, col in enumerate(self.columns):
                idx = col.index_of(keep)
                if idx is not None:
                    if i != self.col:
                        self.column.set_active(False)
                        self.col = i
                        col.set_active(True)
                    col.move_cursor(idx)
                    break
            self.selection_changed()
        elif keep is not None and keep in changes:
            self.selection_changed()  # the detail beside the board shows the new revision

    def _matches(self, cases: list[Case]) -> list[Case]:
        if not self.filter_text:
            return list(cases)
        if self._filter_pred is None:  # plain words: the quick search key
            needle = self.filter_text.casefold()
            key = self.triage.search_key
            return [c for c in cases if needle in key(c)]
        app = self.app
        ctx = case_query.Context(app.now, app.cfg, app.store.user, self.triage.clocks)  # type: ignore[attr-defined]
        pred = self._filter_pred
        return [c for c in cases if pred(c, ctx)]

    def _fill(self, keep: str | None, follow: bool = False) -> None:
        for c in self.columns:
            c.empty_text = "no matches" if self.filter_text else "no cases"
        found = None
        for i, (stage, col) in enumerate(zip(STAGES, self.columns)):
            cases = self._matches(self.by_stage.get(stage, []))
            col.set_cases(cases, keep)
            if keep is not None and col.current is not None and col.current.id == keep:
                found = i
            self._header(stage, cases)
        if found is None and not self.column.cases:
            # The selected case is filtered out and its column is empty: select the first case
            # shown (leftmost column), so the case keys act on a card the user can see.
            found = next((i for i, col in enumerate(self.columns) if col.cases), None)
        if found is not None and (follow or found != self.col):
            if found != self.col:
                self.column.set_active(False)
                self.col = found
                self.column.set_active(True)
            col = self.column
            self.call_after_refresh(lambda: col.scroll_to_cursor(center=follow))
        self.selection_changed()

    def _header(self, stage: str, cases: list[Case], delta: tuple[list[Case], list[Case]] | None = None,
                same: bool = False) -> None:
        """The column's title, count and sum claimed. ``delta``: (removed, added) cards since
        the last full header of this column: the sums move by those alone (a colleague's save
        at 10,000 cases must not re-add every claim). ``same``: the same cards as the last
        header's (only the width changed): the sums are the last ones."""
        if self.totals is not None and not self.filter_text:
            count, total, currencies = self.totals.get(stage, (0, Decimal(0), set()))
        else:
            sums = self._sums.get(stage)
            if same and sums is not None:
                total, curs = sums
            elif delta is None or sums is None:
                total = Decimal(0)
                curs: dict[str, int] = {}
                for c in cases:
                    total += c.claim
                    curs[c.currency] = curs.get(c.currency, 0) + 1
            else:
                total, curs = sums[0], dict(sums[1])
                for c in delta[0]:
                    total -= c.claim
                    curs[c.currency] = curs.get(c.currency, 0) - 1
                for c in delta[1]:
                    total += c.claim
                    curs[c.currency] = curs.get(c.currency, 0) + 1
                curs = {k: v for k, v in curs.items() if v > 0}
            self._sums[stage] = (total, curs)
            count = len(cases)
            currencies = set(curs)
        cur = next(iter(currencies)) if len(currencies) == 1 else ("mixed" if currencies else "")
        shown = f"{count}"
        if self.filter_text:
            shown += f"/{len(self.by_stage.get(stage, []))}"
        header = self.query_one(f"#h-{stage}", Static)
        room = header.content_region.width or 999
        line2 = ""
        for candidate in (f"{shown} · {compact_money(total)} {clean(cur)}".rstrip(),
                          f"{shown} · {compact_money(total)}", shown):
            line2 = candidate
            if len(candidate) <= room:
                break
        # Two lines, its width the column's (app.tcss): new text never needs a layout pass, which
        # would redraw the whole screen on every colleague's save.
        text = Content.assemble((STAGE_TITLES[stage], "bold"), ("\n", ""), (line2, "$text-muted"))
        if self._heads.get(stage) != text:  # (a colleague's note changes no count nor sum: no redraw)
            self._heads[stage] = text
            header.update(text, layout=False)

    def selection_changed(self) -> None:
        app: DisputeApp = self.app  # type: ignore[assignment]
        pane = self.query_one("#detail-side", DetailPane)
        if pane.display:
            # The pane takes the case now and makes its lines when the frame draws them: one
            # frame for the board and the pane (a second one waited a frame period more), and
            # of several quick moves only the last one's case is made. The files' re-check
            # starts after that frame.
            self._detail_gen += 1
            self._show_detail()
            self.call_after_refresh(self._after_frame, self._detail_gen)
        # The footer rebuilds itself on every bindings refresh: only ask when what is enabled
        # can have changed (no case selected / first or last stage).
        case = self.selected
        # Only move(-1)/move(1) depend on the stage (dimmed at the first and the last): h/l
        # between the middle columns must not rebuild the footer (~100 ms at 80x24).
        at = STAGES.index(case.stage) if case is not None and case.stage in STAGES else -1
        state = None if case is None else (at == 0, at == len(STAGES) - 1)
        if state != self._binding_state:
            self._binding_state = state
            app.refresh_bindings()

    def _show_detail(self) -> None:
        pane = self.query_one("#detail-side", DetailPane)
        case = self.selected
        pane.show(case, self.app.now, self.app.evidence.known(case) if case is not None else None)  # type: ignore[attr-defined]

    def _after_frame(self, gen: int) -> None:
        """The frame is with the terminal driver's writer thread, which needs the interpreter's
        lock to write it: the files' re-check and the lines made ahead wait a moment (an idle
        event loop lets go of the lock), instead of holding it ~1 ms before the frame leaves
        (pty, 160x45, j/k at 1,000 cases: the writer started 1.1 ms after the frame was handed
        to it, at the median)."""
        if gen == self._detail_gen:
            self.set_timer(AFTER_FRAME, partial(self._check_evidence, gen))

    def _check_evidence(self, gen: int) -> None:
        """After the frame: the selected case's files re-hashed (a worker), unless a check this
        recent is known; then the lines of the cards j and k move to made ahead."""
        if gen != self._detail_gen:
            return
        case = self.selected
        app: DisputeApp = self.app  # type: ignore[assignment]
        pane = self.query_one("#detail-side", DetailPane)
        if case is None or not pane.display:
            return
        if app.evidence.recent(case) is None:
            app.evidence.check(case)
        unknown = self._make_ahead(pane)
        if unknown:  # their files statted first (a worker), then their lines made
            app.evidence.ahead(unknown, partial(self._ahead_statted, gen))

    def _make_ahead(self, pane: DetailPane) -> list[Case]:
        """The lines of the cards j and k move to, made now for those whose files' states are
        known; the cases with evidence not known are returned (nothing made for them)."""
        col = self.column
        unknown = []
        for i in (col.cursor + 1, col.cursor - 1):
            if 0 <= i < len(col.cases):
                near = col.cases[i]
                states = self.app.evidence.known(near)  # type: ignore[attr-defined]
                if states is None and near.evidence:
                    unknown.append(near)
                else:
                    pane.ahead(near, self.app.now, states)  # type: ignore[attr-defined]
        return unknown

    def _ahead_statted(self, gen: int) -> None:
        if gen == self._detail_gen and self.is_attached:
            pane = self.query_one("#detail-side", DetailPane)
            if pane.display:
                self._make_ahead(pane)

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        for stage, col in zip(STAGES, self.columns):
            self._header(stage, col.cases, same=True)
        self.selection_changed()

    # -- navigation ------------------------------------------------------------------------------
    def action_column(self, step: int) -> None:
        self.user_moved = True
        old = self.column
        target_index = self.col + step
        if not 0 <= target_index < len(STAGES):
            return
        screen_y = old.cursor * CARD_HEIGHT - round(old.scroll_y)
        old.set_active(False)
        self.col = target_index
        new = self.column
        if new.cases:
            index = (round(new.scroll_y) + max(0, screen_y)) // CARD_HEIGHT
            new.cursor = max(0, min(index, len(new.cases) - 1))
        new.set_active(True)
        new.scroll_to_cursor()
        self.selection_changed()

    def action_row(self, step: int) -> None:
        self.user_moved = True
        col = self.column
        col.move_cursor(col.cursor + step)
        self.selection_changed()

    def action_page(self, step: int) -> None:
        self.user_moved = True
        col = self.column
        per_page = max(1, col.scrollable_content_region.height // CARD_HEIGHT)
        col.move_cursor(col.cursor + step * per_page)
        self.selection_changed()

    def action_first(self) -> None:
        self.user_moved = True
        self.column.move_cursor(0)
        self.selection_changed()

    def action_last(self) -> None:
        self.user_moved = True
        col = self.column
        col.move_cursor(len(col.cases) - 1)
        self.selection_changed()

    def select_case(self, case_id: str) -> bool:
        for i, col in enumerate(self.columns):
            idx = col.index_of(case_id)
            if idx is not None:
                self.column.set_active(False)
                self.col = i
                col.move_cursor(idx)
                col.set_active(True)
                self.selection_changed()
                return True
        return False

    def on_stage_column_clicked(self, event: StageColumn.Clicked) -> None:
        self.column.set_active(False)
        self.col = STAGES.index(event.column.stage)
        event.column.move_cursor(event.index)
        event.column.set_active(True)
        self.selection_changed()

    def current_case(self) -> Case | None:
        """The selected case, whole: the board's may be light, the case keys need all of it."""
        case = self.selected
        loader = getattr(self.app, "loader", None)
        return loader.whole(case) if case is not None and loader is not None else case

    def checked_case(self) -> Case | None:
        return self.selected

    def action_open(self) -> None:
        self.action_open_case()

    # -- filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        self.query_one("#filter", Input).focus()

    def action_view(self, number: int) -> None:
        """A saved view from the config (``[[views]]``): the board shows only the cases it selects."""
        views = self.app.cfg.data.get("views", [])  # type: ignore[attr-defined]
        if not 1 <= number <= len(views):
            self.notify(f"No saved view {number} (the config has {len(views)})", severity="warning")
            return
        view = views[number - 1]
        self.query_one("#filter-bar").display = True
        self.query_one("#filter", Input).value = str(view.get("query", ""))
        self.notify(f"View {number}: {clean(str(view.get('name', '')))}", markup=False, timeout=2)

    def action_clear_filter(self) -> None:
        inp = self.query_one("#filter", Input)
        if self.filter_text or inp.value:
            inp.value = ""
            self._set_filter("")
        self.query_one("#filter-bar").display = False
        self.set_focus(None)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "clear_filter":
            return bool(self.filter_text) or self.query_one("#filter-bar").display
        if action == "open":
            return self.selected is not None
        return self.case_check(action, parameters)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._set_filter(event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#filter-bar").display = False
        self.set_focus(None)

    def on_key(self, event) -> None:
        # esc inside the filter box clears it and gives the keys back to the board.
        if event.key == "escape" and isinstance(self.focused, Input) and self.focused.id == "filter":
            event.stop()
            self.action_clear_filter()
            return
        if self.selected is None and not isinstance(self.focused, Input):
            # A case key is disabled (dimmed) with no case selected: say why instead of nothing.
            for _, bindings in self._modal_binding_chain:
                for b in bindings.key_to_bindings.get(event.key, ()):
                    if b.action.split("(")[0] in CASE_ACTIONS:
                        why = "no case matches the filter" if self.filter_text else "no cases here"
                        self.app.notify(f"No case selected ({why}): {b.description or b.action} needs one",
                                        severity="warning", markup=False, timeout=3)
                        event.stop()
                        return

    def _set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        # The query language (stage:dispute turn:me due<3d ...); plain words keep the quick path.
        pred = None
        if text and not case_query.is_plain(text):
            try:
                pred = case_query.parse(text)
            except case_query.QueryError as exc:
                # Said beside the box while typing; the last good filter stays on screen.
                self.query_one("#filter-error", Static).update(Content(str(exc)))
                return
        self.query_one("#filter-error", Static).update("")
        self._filter_pred = pred
        keep = self.selected.id if self.selected else None
        self.filter_text = text
        self._fill(keep)
        self.post_message(StatusStale())

    def tick(self) -> None:
        for c in self.columns:
            c.tick()
        pane = self.query_one("#detail-side", DetailPane)
        if pane.display:
            pane.tick(self.app.now)  # type: ignore[attr-defined]


# -- the app -----------------------------------------------------------------------------------
