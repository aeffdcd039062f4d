"""enter draws the detail in one frame: what the board repaints beneath it is not drawn again on
top (that was a second, identical frame after every enter, ~30 ms after the first), and the
files' check that follows the opening redraws the case only when it says something new."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.color import Color

from store import TinyStore
from tests.support.board import NOW, board, one_tick, press, running, screen_text, selected, settle, spy
from tests.support.cases import case_with_files
from tui.app import DisputeApp
from tui.screens.detail import DetailScreen
from tui.screens.today import TodayScreen


def _region_refreshes(screen) -> list:
    """Regions the screen is asked to repaint (only a screen beneath it asks with regions)."""
    asked: list = []
    spy(screen, "_set_dirty", lambda *regions: asked.extend(regions))
    return asked


@pytest.mark.parametrize("key, covering", [("enter", DetailScreen), ("t", TodayScreen)])
async def test_the_board_repainting_beneath_a_covering_screen_does_not_repaint_it(app, key, covering):
    """The detail, and Today, cover the board (``CoveringScreen``): enter and t draw one frame."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(2):  # the first opening composes the screen, the second shows it again
            await press(pilot, key)
            shown = app.screen
            assert isinstance(shown, covering)
            before = screen_text(app)
            asked = _region_refreshes(shown)
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


def _count_draws(pane) -> list:
    return spy(pane, "_draw_body", lambda now: now)


async def test_files_already_statted_show_at_once_and_their_check_redraws_nothing(tmp_path, cfg):
    s = TinyStore(tmp_path / "d.json", cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(1, tmp_path), case_with_files(2, tmp_path)])
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    try:
        async with running(app, (120, 40)) as pilot:
            await one_tick(app, pilot)  # the cards' files statted: all there
            first = selected(app)
            await press(pilot, "enter")
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            await press(pilot, "escape")
            await press(pilot, "j")
            other = selected(app)
            assert other.id != first.id
            assert app.triage.stat_states(other, 60) == {0: "ok", 1: "ok"}
            drawn = _count_draws(detail.pane)
            await press(pilot, "enter")  # the re-check's answers (a stat, then the hashes) land too
            assert app.screen is detail and detail.pane.case.id == other.id
            assert len(drawn) == 1, "drawn once, with the files as the board knew them"
            assert detail.pane.states == {0: "ok", 1: "ok"}
            assert "checking" not in screen_text(app)
    finally:
        s.close()


async def test_new_states_redraw_the_case_but_not_its_history(app):
    async with running(app, (120, 40)) as pilot:
        await press(pilot, "enter")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        pane = detail.pane
        history = detail.query_one("#d-history")
        updates: list = []
        original = history.update
        history.update = lambda *a, **k: (updates.append(1), original(*a, **k))[1]
        body_before = str(detail.query_one("#d-body").visual)
        pane.set_states(pane.case.id, {i: "missing" for i in range(len(pane.case.evidence))} or {0: "missing"})
        pane.tick(NOW + timedelta(minutes=1))
        await settle(pilot)
        assert not updates
        assert str(detail.query_one("#d-body").visual) != body_before or not pane.case.evidence
        await press(pilot, "escape")
        await press(pilot, "j")
        await press(pilot, "enter")  # another case: its own history
        assert updates == [1]
