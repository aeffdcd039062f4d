"""The detail screen covers the board: what the board repaints beneath it is not drawn again on
top (that was a second, identical frame after every enter, ~30 ms after the first)."""

from __future__ import annotations

from textual.color import Color

from tests.support.board import board, press, screen_text, settle
from tui.screens.detail import DetailScreen


def _region_refreshes(screen) -> list:
    """Regions the screen is asked to repaint (only a screen beneath it asks with regions)."""
    asked: list = []
    original = screen._set_dirty
    screen._set_dirty = lambda *regions: (asked.extend(regions), original(*regions))[1]
    return asked


async def test_the_board_repainting_beneath_the_detail_does_not_repaint_the_detail(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(2):  # the first opening composes the screen, the second shows it again
            await press(pilot, "enter")
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            before = screen_text(app)
            asked = _region_refreshes(detail)
            beneath = board(app)
            beneath.refresh()  # as push_screen refreshes the screen it covers
            beneath._on_timer_update()  # what its update timer runs: it repaints as a background screen
            assert asked == []
            assert screen_text(app) == before
            await press(pilot, "escape")


async def test_a_translucent_detail_still_shows_the_board_repainting_beneath(app):
    """Textual's own test for hiding what is beneath: an opaque background."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        detail.styles.background = Color(0, 0, 0, 0.5)
        await pilot.pause()
        asked = _region_refreshes(detail)
        beneath = board(app)
        beneath.refresh()
        beneath._on_timer_update()
        assert asked  # Textual's behaviour, unchanged
