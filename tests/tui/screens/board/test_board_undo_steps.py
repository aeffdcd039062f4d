"""`u` on the board after a change made on another screen reverts exactly that change: every
screen saves through the one writer (tui.session), so a Today bulk snooze and a statement save
are undo steps like any form's. Before, `u` reverted an older change, possibly on another case."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.support.board import press, running, selected, settle

from tui.screens.statement import StatementScreen
from tui.screens.today import TodayScreen


async def test_undo_after_a_today_bulk_snooze_reverts_the_snooze_and_nothing_else(app, seeded):
    async with running(app) as pilot:
        moved = selected(app)
        await pilot.press("L")  # an older change of mine, on the board
        await settle(pilot)
        assert seeded.get(moved.id).stage == "dispute"
        await press(pilot, "t")
        today = app.screen
        assert isinstance(today, TodayScreen)
        a, b = [t.case.id for t in today.today_list.items[:2]]
        await pilot.press("space", "space", "z")
        await pilot.pause()
        for ch in "2026-12-05":
            await pilot.press(ch)
        await press(pilot, "ctrl+s")
        until = datetime(2026, 12, 5, tzinfo=timezone.utc)
        assert seeded.get(a).snoozed_until == until and seeded.get(b).snoozed_until == until
        await press(pilot, "escape")
        await press(pilot, "u")
        assert seeded.get(a).snoozed_until is None and seeded.get(b).snoozed_until is None
        assert seeded.get(moved.id).stage == "dispute"  # the older change is still there
        await pilot.press("u")  # and the next u reaches it
        await settle(pilot)
        assert seeded.get(moved.id).stage == "seller"


async def test_undo_after_a_statement_save_reverts_the_statement(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        before = seeded.get(case.id).statement
        await press(pilot, "S")
        assert isinstance(app.screen, StatementScreen)
        await pilot.press("e")
        for ch in "Urgent. ":
            await pilot.press(ch)
        await press(pilot, "ctrl+s")
        assert seeded.get(case.id).statement.startswith("Urgent. ")
        await press(pilot, "escape", "escape")
        await press(pilot, "u")
        after = seeded.get(case.id)
        assert after.statement == before
        assert after.history[-1].action == "undo" and "statement" in after.history[-1].detail
        assert not any("reload and try again" in n.message for n in app._notifications)
