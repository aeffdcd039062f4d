"""The status line at the foot of the board and the detail: overdue and waiting-on-me counts, the
filter, who changed the database last, who you are, and a failing backup first of all.

The widget is told what to show (``StatusLine.Show``, posted by the app with a ``StatusFacts``)
and draws it itself; ``status_content`` is the pure renderer (testable without Pilot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ..safe import clean


@dataclass(frozen=True)
class StatusFacts:
    counts: tuple[int, int] | None  # (overdue, waiting on me); None while counting
    now: datetime
    user: str
    location: str
    filter_text: str = ""
    filtered: int = 0  # cases the filter shows
    changed_at: datetime | None = None  # the database's last change, and by whom
    changed_by: str = ""
    problem: str | None = None  # backup/compaction failing


def status_content(f: StatusFacts) -> Content:
    if f.counts is None:
        parts: list = [("counting…  ", "$text-muted")]
    else:
        overdue, mine = f.counts
        parts = [(f"{overdue} overdue", "bold $error" if overdue else "$text-muted"), ("  ", ""),
                 (f"{mine} waiting on me", "bold $warning" if mine else "$text-muted"), ("  ", "")]
    if f.filter_text:
        parts += [("filter ", "$text-muted"), (clean(f.filter_text), "bold"), (f" ({f.filtered})  ", "")]
    if f.changed_at is not None:
        when = f.changed_at.astimezone()
        fmt = "%H:%M" if when.date() == f.now.astimezone().date() else "%m-%d %H:%M"
        parts += [("changed ", "$text-muted"), (when.strftime(fmt), ""),
                  (" by ", "$text-muted"), (clean(f.changed_by), "")]
    parts += [("  ", ""), (clean(f.user), "bold"), ("@", "$text-muted"), (clean(f.location), "$text-muted")]
    if f.problem:  # first, so a narrow terminal still shows it
        parts[:0] = [(clean(f"backup/compaction failing: {f.problem}")[:100], "bold $error"), ("  ", "")]
    return Content.assemble(*parts)


class StatusLine(Static):
    class Show(Message):
        """Show these facts (to this line only: it does not bubble)."""

        bubble = False

        def __init__(self, facts: StatusFacts) -> None:
            super().__init__()
            self.facts = facts

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="status")
        self._shown: Content | None = None

    def on_status_line_show(self, msg: Show) -> None:
        content = status_content(msg.facts)
        if content == self._shown:
            return  # nothing on the line changed (a colleague's save told of again)
        self._shown = content
        # One line high (app.tcss .status): new text never needs a layout pass, which redrew
        # the whole screen on every colleague's save.
        self.update(content, layout=False)
