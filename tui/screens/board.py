"""The board: one virtualized column per stage (``StageColumn``), a detail pane beside them when
the terminal is wide (a screen of its own otherwise), the filter, a status line and the footer."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from store import STAGE_TITLES, STAGES, Case
from store import query as case_query

from ..case_actions import CASE_BINDINGS, CaseActions
from ..safe import clean, compact_money
from ..triage import Triage
from ..widgets.detail_pane import DetailPane
from ..widgets.stage_column import CARD_HEIGHT, StageColumn
from ..widgets.status_line import StatusLine

if TYPE_CHECKING:
    from ..app import DisputeApp

# Keys that act on the selected case (the board's and the app's actions).
CASE_ACTIONS = {"open", "move", "edit", "message", "attach", "deadline", "open_case", "statement", "offer",
                "edit_description", "message_in_editor", "copy_id"}

class BoardScreen(CaseActions, Screen):
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
        *CASE_BINDINGS,
    ]

    def __init__(self, triage: Triage) -> None:
        super().__init__(id="board-screen")
        self.triage = triage
        self.col = 0
        self.filter_text = ""
        self._filter_pred: case_query.Pred | None = None
        self.by_stage: dict[str, list[Case]] = {s: [] for s in STAGES}
        self.loaded = False
        self.totals: dict[str, tuple[int, Decimal, set[str]]] | None = None
        self.user_moved = False
        self._binding_state: str | None = "unset"
        self._detail_gen = 0

    def compose(self) -> ComposeResult:
        app: DisputeApp = self.app  # type: ignore[assignment]
        with Horizontal(id="main"):
            with Horizontal(id="board"):
                for stage in STAGES:
                    with Vertical(classes="column-box", id=f"box-{stage}"):
                        yield Static(Content(STAGE_TITLES[stage]), classes="col-header", id=f"h-{stage}")
                        yield StageColumn(stage, app.card_info, app.evidence_pending, id=f"col-{stage}")
            yield DetailPane(self.triage, id="detail-side", classes="detail")
        with Horizontal(id="filter-bar"):
            yield Static(Content("/"), id="filter-label")
            yield Input(id="filter", placeholder="words, or stage:dispute turn:me due<3d amount>500 …",
                        compact=True)
            yield Static("", id="filter-error")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        for c in self.columns:
            c.empty_text = "loading…"
        self.columns[0].set_active(True)
        self.app.board_ready()  # type: ignore[attr-defined]

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

    def _matches(self, cases: list[Case]) -> list[Case]:
        if not self.filter_text:
            return cases
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

    def _header(self, stage: str, cases: list[Case]) -> None:
        total = Decimal(0)
        currencies: set[str] = set()
        if self.totals is not None and not self.filter_text:
            count, total, currencies = self.totals.get(stage, (0, Decimal(0), set()))
        else:
            count = len(cases)
            for c in cases:
                total += c.claim
                currencies.add(c.currency)
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
        header.update(
            Content.assemble((STAGE_TITLES[stage], "bold"), ("\n", ""), (line2, "$text-muted")))

    def selection_changed(self) -> None:
        app: DisputeApp = self.app  # type: ignore[assignment]
        pane = self.query_one("#detail-side", DetailPane)
        if pane.display:
            # The board's frame first, the detail after it; of several quick moves only the
            # last one's detail is drawn.
            self._detail_gen += 1
            gen = self._detail_gen
            self.call_after_refresh(self._show_detail, gen)
        # The footer rebuilds itself on every bindings refresh: only ask when what is enabled
        # can have changed (no case selected / first or last stage).
        case = self.selected
        state = None if case is None else case.stage
        if state != self._binding_state:
            self._binding_state = state
            app.refresh_bindings()

    def _show_detail(self, gen: int) -> None:
        if gen != self._detail_gen:
            return
        pane = self.query_one("#detail-side", DetailPane)
        if not pane.display:
            return
        case = self.selected
        app: DisputeApp = self.app  # type: ignore[assignment]
        known = app.evidence_states.get(case.id) if case is not None else None
        fresh = known is not None and known[0] == case.rev and time.monotonic() - known[1] < 30
        pane.show(case, app.now, known[2] if fresh else None)
        if case is not None and not fresh:
            app.check_evidence(case)

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        for stage, col in zip(STAGES, self.columns):
            self._header(stage, col.cases)
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
        return self.selected

    def action_open(self) -> None:
        self.action_open_case()

    # -- filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        self.query_one("#filter", Input).focus()

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
        self.app.update_status()  # type: ignore[attr-defined]

    def tick(self) -> None:
        for c in self.columns:
            c.tick()
        pane = self.query_one("#detail-side", DetailPane)
        if pane.display:
            pane.tick(self.app.now)  # type: ignore[attr-defined]


# -- the app -----------------------------------------------------------------------------------
