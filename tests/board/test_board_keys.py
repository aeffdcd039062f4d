"""Pilot tests of the board's key flows, on the seeded 40-case database with a fixed clock."""

from __future__ import annotations

from board_helpers import board, column_ids, screen_text, selected, settle

from store import STAGES, STAGE_TITLES


async def test_board_shows_every_stage_with_counts(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for stage in STAGES:
            assert STAGE_TITLES[stage] in text
        total = sum(len(column_ids(app, s)) for s in STAGES)
        assert total == 40
        first = column_ids(app, "seller")
        assert f"{len(first)} · " in text
        assert selected(app).id == first[0]
        assert "overdue" in text and "waiting on me" in text
