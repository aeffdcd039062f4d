"""Typing a query that cannot be compared into the board's `/` is a query error beside the box,
not a crash: the board keeps the last good filter and goes on working."""

from __future__ import annotations

from tests.support.board import board, column_ids, press, running, settle

from store import STAGES


async def test_a_query_that_cannot_be_compared_is_shown_as_an_error(app):
    async with running(app) as pilot:
        for typed in ("amount>NaN", "due<99999999999d", "hard<" + "9" * 330 + "d"):
            await pilot.press("slash", *typed[:8])  # typed, then the rest pasted
            board(app).query_one("#filter").value = typed
            await settle(pilot)
            error = str(board(app).query_one("#filter-error").render())
            assert "column 1" in error and ("not a number" in error or "too long" in error), typed
            assert app.is_running and app.return_code is None  # no crash
            await press(pilot, "escape", "j")
            assert app.is_running and sum(len(column_ids(app, s)) for s in STAGES) == 40
