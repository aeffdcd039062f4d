"""No worker the board starts is described by the repr of the cases it is handed.

Textual describes a worker by ``repr(work)`` when not told otherwise, and the ``@work``
decorator by the repr of its arguments: a slice of the background evidence round (a partial
over 150 cases at 30,000) made a dataclass repr of each case every second, most of an idle
board's CPU (2.4% of a core at 30k; 0.55 s of a 20 s profile). A save's worker repr'd its
case, Today's bulk save every job's."""

from __future__ import annotations

from store.model import Case
from tests.support.board import one_tick, press, running
from tui.screens.today import TodayScreen


async def test_no_worker_reprs_a_case(app, monkeypatch):
    made: list[str] = []
    monkeypatch.setattr(Case, "__repr__", lambda self: (made.append(self.id), f"<case {self.id}>")[1])
    async with running(app, (160, 45)) as pilot:
        await press(pilot, "j", "j", "k")  # the pane, its check, the cards ahead statted
        await one_tick(app, pilot)  # a slice of the background round
        assert app.evidence.done, "the round statted a slice"
        await press(pilot, "enter")  # the detail's check
        await press(pilot, "escape", "L")  # a save
        await press(pilot, "t", "space", "greater_than_sign")  # Today's bulk save of the marked row
        assert isinstance(app.screen, TodayScreen)
        assert made == []
