"""The case on a screen of its own, with a preview of one evidence file."""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from store import Case, statement

from ..case_actions import CASE_BINDINGS, CaseActions
from ..safe import clean
from ..thumbnail import EvidencePreview
from ..triage import Triage
from ..widgets.detail_pane import DetailPane
from ..widgets.status_line import StatusLine
from ..widgets.steady_footer import SteadyFooter
from .base import KeptScreen

class CoveringScreen:
    """For an opaque screen pushed over the board: what the board repaints beneath it is not
    drawn again on top. Textual keeps the screen just below the top one painting (it could show
    through a translucent top screen): each repaint of it asks the top screen to repaint the
    regions it touched (``Screen._compositor_refresh``, its only caller with regions), and the
    board, refreshed by the push itself, repaints again on the next message it gets (the status
    line's update after the frame, an evidence answer). With the top screen opaque those regions
    never show: the repaint was a second, identical frame, ~30 ms after the first (enter at 10k:
    settled p50 55 ms, first frame 18 ms). Opaque is Textual's own test for a screen hiding the
    ones below (``App._background_screens``)."""

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if regions and not layout and not recompose and self.styles.background.a == 1:  # type: ignore[attr-defined]
            return self  # only a screen beneath asks with regions: hidden under this one
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)  # type: ignore[misc]


class DetailScreen(CoveringScreen, KeptScreen, CaseActions, Screen):
    """The case on a screen of its own (enter on the board; the only way when narrow), with a
    preview of one evidence file below it (``v`` the next file, ``p`` copies its path)."""
    BOARD_KIND = "detail"

    BINDINGS = [
        Binding("Y", "copy('order')", "Copy order no.", show=False, id="detail.copy_order"),
        Binding("c", "copy('statement')", "Copy statement", show=False, id="detail.copy_statement"),
        Binding("p", "copy('path')", "Copy evidence path", show=False, id="detail.copy_path"),
        Binding("v", "next_evidence", "Evidence preview (again: next file)", show=False,
                id="detail.next_evidence"),
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="detail.scroll_down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="detail.scroll_up"),
        Binding("pagedown", "page('down')", "Page down", show=False, id="detail.page_down"),
        Binding("pageup", "page('up')", "Page up", show=False, id="detail.page_up"),
        *CASE_BINDINGS,
    ]

    def __init__(self, triage: Triage, case: Case, now: datetime, states: dict[int, str] | None = None) -> None:
        super().__init__()
        self.triage = triage
        self._initial = (case, now, states)
        self.gone = False
        self._drawn_at: datetime | None = None  # the instant the case shown was drawn for

    def on_mount(self) -> None:
        case, now, states = self._initial
        self.pane.show(case, now, states)
        self._drawn_at = now

    def reopen(self, case: Case, now: datetime, states: dict[int, str] | None = None) -> None:
        """Show ``case`` as a fresh screen would: at the top, its first evidence file, the
        countdowns of ``now`` (kept off the stack, this screen saw no minute turn). The same
        case at the minute it was drawn at is not drawn again: on the stack too the detail's
        countdowns change only when the minute turns (``BoardLoader.tick``)."""
        self.gone = False
        self._initial = (case, now, states)
        if not self.is_mounted:
            return  # on_mount shows it
        pane = self.pane
        if pane.case is not case:
            pane.show(case, now, states)
        elif _minute(now) != _minute(self._drawn_at):
            pane.tick(now)
        self._drawn_at = now
        pane.scroll_home(animate=False)

    def compose(self) -> ComposeResult:
        yield DetailPane(self.triage, preview=True, id="detail-full", classes="detail")
        yield StatusLine(id="status-detail")
        yield SteadyFooter()

    @property
    def pane(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def preview(self) -> EvidencePreview:
        return self.query_one(EvidencePreview)

    def current_case(self) -> Case | None:
        """The case shown, as the board last had it (None once it is gone from the board): the
        board's loader tells this screen of every newer copy (``follow``)."""
        return None if self.gone or not self.is_mounted else self.pane.case

    def follow(self, case: Case | None, now: datetime) -> None:
        """The board has a newer copy of the case shown (None: the case is gone from it)."""
        self.gone = case is None
        if case is not None:
            self.pane.show(case, now)
            self._drawn_at = now

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        case = self.pane.case if self.is_mounted else None
        if action == "next_evidence" or action == "copy" and parameters and parameters[0] == "path":
            return None if case is None or not case.evidence else True
        return self.case_check(action, parameters)

    def action_copy(self, what: str) -> None:
        """Copies to the clipboard with OSC 52 (``App.copy_to_clipboard``): works over SSH where
        the terminal allows it (tmux: ``set -g set-clipboard on``)."""
        case = self.pane.case
        if case is None:
            return
        if what == "order":
            text, label = case.order, f"order number of {case.id}"
        elif what == "statement":
            text = statement.plain(statement.current(case))
            label = f"statement of {case.id} ({text.count(chr(10)) + (not text.endswith(chr(10)))} lines)"
        else:
            e = self.preview.evidence
            if e is None:
                return
            text, label = e.path, "evidence path"
        self.app.copy_to_clipboard(text if what == "statement" else clean(text))
        self.notify(f"Copied the {clean(label)} to the clipboard", markup=False, timeout=3)

    def action_next_evidence(self) -> None:
        """Scrolls to the preview; when it is already in view, shows the next file."""
        preview, pane = self.preview, self.pane
        in_view = preview.region.height > 0 and pane.region.overlaps(preview.region)
        if in_view:
            preview.step(1)
        pane.scroll_to_widget(preview, animate=False, top=True)

    def action_scroll(self, direction: str) -> None:
        pane = self.pane
        pane.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def action_page(self, direction: str) -> None:
        pane = self.pane
        (pane.scroll_page_down if direction == "down" else pane.scroll_page_up)(animate=False)


def _minute(at: datetime | None) -> datetime | None:
    return at.replace(second=0, microsecond=0) if at is not None else None


def open_detail(app, case: Case, now: datetime) -> DetailScreen:
    """The detail screen for ``case``: installed on the first enter and kept, so every later
    enter shows it again without composing it (composing was most of enter's 170 ms at 10,000
    cases). With the detail already on the stack (enter in Today opened from a case), a fresh one."""
    states = _known_states(app, case)
    if not app.is_screen_installed("detail"):
        app.install_screen(DetailScreen(app.triage, case, now, states), "detail")
        return app.get_screen("detail")
    screen = app.get_screen("detail")
    if screen in app.screen_stack:
        return DetailScreen(app.triage, case, now, states)
    screen.reopen(case, now, states)
    return screen


def _known_states(app, case: Case) -> dict[int, str] | None:
    """What the detail shows of ``case``'s files until the check that follows the opening
    answers (``EvidenceChecks.known``, as the board's pane), so that answer redraws the case (a
    layout pass of all of it, and a second frame) only when it differs. None: not known (or a
    host app without the board's checks), the files show as being checked."""
    checks = getattr(app, "evidence", None)
    return checks.known(case) if checks is not None else None
