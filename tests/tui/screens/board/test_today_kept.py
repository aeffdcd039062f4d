"""`t` shows the one Today screen, kept between openings: opening it again composes nothing,
and what a colleague changed meanwhile is there, with only that case triaged again."""

from __future__ import annotations

from datetime import timedelta

from tests.support.board import NOW, as_colleague, one_tick, screen_text, settle

from store import ops
from store.query import today
from tui.screens.today import TodayScreen


async def test_t_again_shows_the_same_today_with_a_colleagues_snooze_applied(app, seeded, db_path, cfg):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, TodayScreen)
        top = first.today_list.items[0].case.id
        await pilot.press("j", "space", "escape", "escape")  # a mark, cleared; then back
        await settle(pilot)
        assert not isinstance(app.screen, TodayScreen)

        as_colleague(db_path, cfg, top, lambda c: ops.snooze(c, NOW + timedelta(days=3), NOW))
        await one_tick(app, pilot, poll=True)  # the board notices the colleague's save
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is first  # the kept screen, not a new one
        want = [t.case.id for t in today(seeded.cases(), cfg, NOW)]
        assert [t.case.id for t in first.today_list.items] == want and top not in want
        assert first.rows.ranked == 1  # only the colleague's case was triaged again
        assert first.today_list.cursor == 0 and not first.today_list.marks  # starts over as a new one did
        assert f"{len(want)} need action" in screen_text(app)
        assert top not in screen_text(app)


async def test_countdowns_are_current_when_today_is_shown_again(seeded, cfg):
    from tui.app import DisputeApp

    clock = [NOW]
    app = DisputeApp(seeded, cfg, clock=lambda: clock[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.timer.pause()  # the test says when time passes, not the wall clock
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        lst = screen.today_list
        row = next(t for t in lst.items[:8] if len(lst.countdown(t.case)[0].split()) == 2
                   and not lst.countdown(t.case)[0].startswith("overdue"))
        before = lst.countdown(row.case)[0]
        assert f"{row.case.id} {before}" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        clock[0] = NOW + timedelta(hours=2)  # time passes while Today is hidden; no tick reaches it
        await pilot.press("t")
        await pilot.pause()
        after = lst.countdown(row.case)[0]
        assert after != before
        assert f"{row.case.id} {after}" in screen_text(app)
