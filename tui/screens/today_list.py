"""Today's list: one line per case, drawn with the Line API, only the rows on screen, so 10,000
cases cost what 10 do. What a row says is ``today_rows.row_parts``; this widget holds the
cursor, the marks and the countdowns of the rows drawn (cached per revision and minute)."""

from __future__ import annotations

import importlib
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Case, Config
from store.query import Triage

from ..safe import fit
from .today_rows import Due, row_parts

clocks_mod = importlib.import_module("store.clocks")  # `store.clocks` the name is the function


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
        self._styles: dict[str, Style] = {}  # role -> style; looking one up walks the DOM

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
        self.refresh_row(old)
        self.refresh_row(self.cursor)
        self.scroll_to_cursor()
        self.post_message(self.Moved(self.cursor))

    def scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        y = round(self.scroll_y)
        if self.cursor < y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def refresh_row(self, index: int) -> None:
        self.refresh_lines(index - round(self.scroll_y), 1)

    def toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor, and step to the next row."""
        t = self.current
        if t is None:
            return
        self.marks.symmetric_difference_update({t.case.id})
        self.refresh_row(self.cursor)
        if self.cursor < len(self.items) - 1:
            self.move_cursor(self.cursor + 1)

    def set_marks(self, marks: set[str]) -> None:
        self.marks = marks
        self.refresh()

    def tick(self, now: datetime) -> None:
        """The minute turned: the countdowns of the rows on screen are computed again."""
        self.now = now
        self._urgency.clear()
        self.refresh()

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

    def _style(self, role: str) -> Style:
        """The style of a row part's role (``due+hard``...), kept until the styles change: the
        lookups were a third of drawing Today's rows (4 ms of every ``t`` at 120x40)."""
        style = self._styles.get(role)
        if style is None:
            style = Style()
            for part in role.split("+") if role else ():
                style += self.get_component_rich_style(f"today--{part}", partial=True)
            self._styles[role] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # a theme change, or any restyle

    def _row(self, index: int, width: int) -> Strip:
        t = self.items[index]
        cursor = index == self.cursor
        bg = self.get_component_rich_style("today--row")
        if cursor:
            bg = bg + self.get_component_rich_style("today--cursor")
        text, level, hard, _ = self.countdown(t.case)
        parts = row_parts(t, Due(text, level, hard), width, self.id_width, cursor=cursor,
                          marked=t.case.id in self.marks)
        segs = [Segment(text, bg + self._style(role)) for text, role in parts]
        return Strip(segs).adjust_cell_length(width, bg)

    def on_click(self, event) -> None:
        index = event.y + round(self.scroll_y)
        if 0 <= index < len(self.items):
            self.move_cursor(index)


__all__ = ["TodayList"]
