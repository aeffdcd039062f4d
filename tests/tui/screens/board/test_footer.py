"""The footer is one widget drawing one line (no widget per key), redrawn only when the keys it
shows change, and not at all while an opaque screen (Today, the detail) covers it."""

from __future__ import annotations

import threading

from tests.support.board import press, running, screen_text, settle

from tui.screens.today import TodayScreen
from tui.screens.today_rows import TodayRows
from tui.widgets.steady_footer import SteadyFooter


def footer(screen) -> SteadyFooter:
    return screen.query_one(SteadyFooter)


async def test_the_footer_is_one_widget_and_shows_the_keys(app):
    async with running(app, (120, 40)) as pilot:
        f = footer(app.screen)
        assert not f.children  # no FooterKey per key: resuming a screen restyles one node
        assert [k.description for k in f.keys][:2] == ["Open", "Filter"]
        assert f.palette is not None and "^p palette" in screen_text(app)
        await press(pilot, "t")
        today = footer(app.screen)
        assert not today.children and "Snooze" in [k.description for k in today.keys]
        assert len(list(app.screen.walk_children())) <= 14


async def test_the_boards_footer_is_not_redrawn_under_today(app):
    """The app dims t below Today: the board's footer, hidden, used to rebuild its keys at each
    push and pop, repainting Today on top twice."""
    async with running(app, (120, 40)) as pilot:
        board = app.screen
        f = footer(board)
        shown = f.keys
        redraws = []
        original = f.refresh
        f.refresh = lambda *a, **k: (redraws.append(1), original(*a, **k))[1]
        await press(pilot, "t")
        assert isinstance(app.screen, TodayScreen)
        assert f.keys is shown and not redraws
        await press(pilot, "escape")
        assert app.screen is board and f.keys == shown


async def test_a_click_on_a_key_presses_it(app):
    async with running(app, (120, 40)) as pilot:
        f = footer(app.screen)
        start, _end, key = next(s for s in f._spans if s[2].description == "Today")
        await pilot.click(SteadyFooter, offset=(start + 1, 0))
        await pilot.pause()
        assert key.action == "app.today" or key.key == "t"
        assert isinstance(app.screen, TodayScreen)


async def test_todays_keys_are_shown_enabled_once_its_rows_land(app, monkeypatch):
    """Today's row keys (open, mark, snooze...) are dimmed until its first load lands; the
    footer said so until the next time Today was shown (then redrawn a frame after the key).
    Its load is held here until Today's first frames are drawn, as 30,000 cases hold it."""
    gate = threading.Event()
    rebuild = TodayRows.rebuild
    monkeypatch.setattr(TodayRows, "rebuild", lambda self, *a: (gate.wait(10), rebuild(self, *a))[1])
    async with running(app, (120, 40)) as pilot:
        await pilot.press("t")
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, TodayScreen) and not app.screen.loaded
        assert not {k.action: k.enabled for k in footer(app.screen).keys}["open"]
        gate.set()
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen) and today.loaded and today.today_list.current is not None
        keys = {k.action: k.enabled for k in footer(today).keys}
        assert keys["open"] and keys["snooze"], keys
        await press(pilot, "escape")
        f = footer(today)
        shown, redraws = f.keys, []
        original = f.refresh
        f.refresh = lambda *a, **k: (redraws.append(1), original(*a, **k))[1]
        await press(pilot, "t")  # shown again: the same keys, not drawn again
        assert f.keys == shown and not redraws
