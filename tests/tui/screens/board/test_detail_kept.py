"""enter shows the one detail screen, kept between openings (composing it was most of enter's
cost at 10,000 cases): every opening looks as a fresh screen did, with the case asked for, at
the top, with the countdowns of now."""

from __future__ import annotations

from datetime import timedelta

from store import ops
from tests.support.board import (
    NOW,
    as_colleague,
    one_tick,
    press,
    screen_text,
    selected,
    settle,
)
from tui.screens.detail import DetailScreen


async def test_enter_again_shows_the_same_screen_with_the_next_case_from_the_top(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first_case = selected(app)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.pane.case.id == first_case.id
        screen.pane.scroll_end(animate=False)
        await pilot.pause()
        assert screen.pane.scroll_y > 0
        await press(pilot, "escape")
        await press(pilot, "j")
        second = selected(app)
        assert second.id != first_case.id
        await press(pilot, "enter")
        assert app.screen is screen  # the kept screen, not a new one
        assert screen.pane.case.id == second.id and screen.pane.scroll_y == 0
        text = screen_text(app)
        assert second.id in text and first_case.id not in text


async def test_countdowns_are_current_when_the_same_case_is_opened_again(seeded, cfg):
    from tui.app import DisputeApp

    clock = [NOW]
    app = DisputeApp(seeded, cfg, clock=lambda: clock[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.timer.pause()  # the test says when time passes
        case = next(c for c in seeded.cases() if c.stage != "resolved" and any(
            not k.met and k.due > NOW + timedelta(hours=3) for k in app.triage.clocks(c)))
        app.board.select_case(case.id)
        await press(pilot, "enter")
        screen = app.screen
        before = screen_text(app)
        await press(pilot, "escape")
        clock[0] = NOW + timedelta(hours=2)  # time passes while the detail is hidden: no tick reaches it
        app.now = clock[0]
        await press(pilot, "enter")
        assert app.screen is screen and screen.pane.case.id == case.id
        assert screen_text(app) != before  # the deadlines count from the new now


async def test_a_colleagues_change_made_while_it_was_hidden_shows_on_reopening(app, seeded, db_path, cfg):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first_case = selected(app)
        await press(pilot, "enter")
        screen = app.screen
        await press(pilot, "escape")
        as_colleague(db_path, cfg, first_case.id, lambda c: ops.tag(c, ["seen-by-alice"], []))
        await one_tick(app, pilot, poll=True)
        await press(pilot, "enter")
        assert app.screen is screen and not screen.gone
        assert "seen-by-alice" in screen_text(app)  # the colleague's change, not the copy first shown


async def test_shown_again_a_kept_screen_is_not_restyled_unless_the_theme_changed(app):
    """Textual restyles every node of a pushed screen; a kept one changed nothing but cost a
    layout pass and a second frame. A theme picked while it was off the stack still reaches it."""
    from tui.screens.today import TodayScreen

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("enter", "t"):
            await press(pilot, key)
            screen = app.screen
            assert isinstance(screen, (DetailScreen, TodayScreen))
            await press(pilot, "escape")
            restyled = []
            original = screen.update_node_styles
            screen.update_node_styles = lambda *a, **k: (restyled.append(1), original(*a, **k))[1]
            await press(pilot, key)
            assert app.screen is screen and not restyled
            await press(pilot, "escape")
            app.theme = "dispute-light" if app.theme != "dispute-light" else "dispute-dark"
            await settle(pilot)
            await press(pilot, key)
            assert app.screen is screen and restyled
            await press(pilot, "escape")


async def test_enter_again_on_the_same_case_in_the_same_minute_draws_nothing_again(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await press(pilot, "escape")
        drawn = []
        original = screen.pane._draw_body
        screen.pane._draw_body = lambda now: (drawn.append(now), original(now))[1]
        await press(pilot, "enter")
        assert app.screen is screen and not drawn
        await press(pilot, "escape")
        app.now = NOW + timedelta(minutes=1)
        await press(pilot, "enter")
        assert drawn == [NOW + timedelta(minutes=1)]  # a new minute: the countdowns of now
