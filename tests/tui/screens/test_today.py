"""The Today view: order and reasons, the query box, saved views, bulk actions, hostile text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from tests.support.host import NOW, Host, assert_no_controls, screen_text, settle

from store import Case, TinyStore, ops
from store.query import Context, parse, today
from store.sample import sample_cases
from tui.screens.today import TodayScreen


def make(store, cfg, **kw):
    return Host(lambda: TodayScreen(store, cfg, lambda: NOW, "tester", **kw))


def ids(screen) -> list[str]:
    return [t.case.id for t in screen.today_list.items]


async def test_order_and_reasons_are_those_of_store_today(seeded, cfg):
    expected = today(seeded.cases(), cfg, NOW)
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert ids(screen) == [t.case.id for t in expected]
        text = screen_text(app)
        lines = [ln for ln in text.splitlines() if " D-0" in ln]
        assert [ln.split()[0].lstrip("▌●") or ln.split()[1] for ln in lines[:3]] == [t.case.id for t in expected[:3]]
        first = expected[0]
        assert first.why[0][:20] in lines[0]  # the reason, cropped to its column
        assert f"{len(expected)} need action" in text
        # the full reasons of the row under the cursor, below the list
        assert "; ".join(first.why)[:70] in text.replace("\n", "")
        await pilot.press("j")
        assert "; ".join(expected[1].why)[:60] in screen_text(app).replace("\n", "")
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [expected[1].case.id]


async def test_query_filters_and_a_bad_query_says_what_and_where(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("slash")
        for ch in "stage:evidence":
            await pilot.press(ch)
        await settle(pilot)
        shown = [t.case for t in screen.today_list.items]
        assert shown and all(c.stage == "evidence" for c in shown)
        assert len(shown) < len(screen.all_items)
        assert f"{len(shown)} shown" in screen_text(app)
        before = ids(screen)
        screen.query_one("#today-query").value = "stage:evidence amount>abc"
        await settle(pilot)
        text = screen_text(app)
        assert "column 16: amount 'abc' is not a number" in text
        assert ids(screen) == before  # the last good filter stays
        await pilot.press("escape")  # clears the box
        await settle(pilot)
        assert ids(screen) == [t.case.id for t in screen.all_items]
        assert "column 16" not in screen_text(app)


async def test_number_keys_pick_the_saved_views(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        text = screen_text(app)
        assert "1 Waiting on me" in text and "2 Overdue" in text
        await pilot.press("2")
        await settle(pilot)
        pred = parse("overdue")
        ctx = Context(NOW, cfg, "tester")
        assert ids(screen) == [t.case.id for t in screen.all_items if pred(t.case, ctx)]
        assert screen.query_one("#today-query").value == "overdue"
        assert "Overdue" in screen_text(app).splitlines()[0]


async def test_bulk_snooze_marks_two_and_both_are_snoozed(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        a, b = ids(screen)[:2]
        await pilot.press("space", "space", "z")
        await pilot.pause()
        assert "Snooze 2 cases" in screen_text(app)
        for ch in "2026-12-05":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await settle(pilot)
        until = datetime(2026, 12, 5, tzinfo=timezone.utc)
        assert seeded.get(a).snoozed_until == until
        assert seeded.get(b).snoozed_until == until
        assert a not in ids(screen) and b not in ids(screen)  # today() leaves snoozed cases out
        assert [set(ids_) for ids_ in app.changed] == [{a, b}]
        assert not screen.today_list.marks


async def test_bulk_snooze_in_the_past_stays_in_the_form(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("z")
        for ch in "2026-11-01":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not in the future" in screen_text(app)
        assert app.screen.query_one("#f-until").value == "2026-11-01"


async def test_bulk_tag_reports_which_failed_and_why(seeded, db_path, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        a, b = ids(screen)[:2]
        await pilot.press("space", "space")
        other = TinyStore(db_path, cfg=cfg, user="colleague", clock=lambda: NOW)
        other.update(b, lambda c: ops.tag(c, ["theirs"]))  # b changes under us
        other.close()
        await pilot.press("T")
        for ch in "urgent":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seeded.get(a).tags == ["urgent"]
        assert seeded.get(b).tags == ["theirs"]  # refused: nothing overwritten
        notes = [n.message + " " + (n.title or "") for n in app._notifications]
        assert any("Tagged 1 of 2" in n and b in n and "changed by colleague" in n for n in notes), notes
        assert screen.today_list.marks == {b}  # the refused one stays marked


async def test_bulk_move_into_resolved_is_refused(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        mediation = [c.id for c in screen.by_id.values() if c.stage == "mediation"][:1]
        seller = [t.case.id for t in screen.all_items if t.case.stage == "seller"][:1]
        assert mediation and seller
        screen.today_list.marks |= {mediation[0], seller[0]}
        revs = {i: seeded.get(i).rev for i in mediation + seller}
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert {i: seeded.get(i).rev for i in revs} == revs  # nothing saved
        assert any("Resolved" in n.message for n in app._notifications)
        screen.today_list.marks.discard(mediation[0])
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert seeded.get(seller[0]).stage == "dispute"


async def test_hostile_supplier_shows_literally(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([Case(id="D-0001", order="[REF-42]", supplier="[b]x[/b] \x1b[2J", reason="damaged",
                         amount=Decimal("10.00"), created_at=NOW - timedelta(days=3),
                         stage_entered_at=NOW - timedelta(days=3), title="[@click=app.quit]t[/] \x1b]0;x\x07",
                         received_at=NOW - timedelta(days=3), rev=1)])
    app = make(s, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[b]x[/b] ␛[2J" in text
        assert "[@click=app.quit]t[/] ␛]0;x␇" in text
        assert_no_controls(app)
    s.close()


async def test_ten_thousand_cases_jump_to_the_end_and_filter(seeded, cfg):
    # How quick is measured in `make bench`, not here: a timed assertion fails on a loaded machine.
    cases = sample_cases(10_000, NOW, messages=4, evidence=0)
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.reload(cases)  # what the app does with the cases it has loaded
        await settle(pilot)
        n = len(screen.all_items)
        assert n > 5000
        await pilot.press("G")
        await pilot.pause()
        assert screen.today_list.cursor == n - 1
        assert screen.today_list.items[-1].case.id in screen_text(app)
        for q in ("s", "st", "stage:ev", "stage:evidence"):  # typing: each query replaces the last
            screen.query_one("#today-query").value = q
        await settle(pilot)
        assert ids(screen) == [t.case.id for t in screen.all_items if t.case.stage == "evidence"]


async def test_assign_takes_only_a_login_on_this_box(seeded, cfg):
    from store.users import login_name

    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cid = ids(app.screen)[0]
        await pilot.press("A")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-user").value == "tester"  # the screen's user, not on this box
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no user 'tester' on this box" in screen_text(app)
        form.query_one("#f-user").value = login_name()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seeded.get(cid).owner == login_name()


async def test_tick_moves_the_countdowns_on(seeded, cfg):
    app = make(seeded, cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        lst = screen.today_list
        # a row on screen whose countdown is still running (under 10 days: hours are shown)
        row = next(t for t in lst.items[:8]
                   if lst.countdown(t.case)[0] and not lst.countdown(t.case)[0].startswith("overdue")
                   and len(lst.countdown(t.case)[0].split()) == 2)
        before = lst.countdown(row.case)[0]
        screen.tick(NOW + timedelta(hours=2))
        await pilot.pause()
        after = lst.countdown(row.case)[0]
        assert after != before
        assert f"{row.case.id} {after}" in screen_text(app)


async def test_todays_rows_take_the_new_theme_when_it_changes(seeded, cfg):
    """Today keeps its rows' styles between draws; a theme change must reach them."""
    from tests.support.board import settle
    from tests.support import NOW
    from tui.app import DisputeApp

    app = DisputeApp(seeded, cfg, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "dispute-dark"
        await pilot.press("t")
        await settle(pilot)
        lst = app.screen.today_list
        before = lst.render_line(1)
        app.theme = "dispute-light"
        await settle(pilot)
        after = lst.render_line(1)
        lst._styles.clear()
        fresh = lst.render_line(1)  # every style looked up again
        assert [s.text for s in before] == [s.text for s in after]
        assert [s.style.color for s in before] != [s.style.color for s in fresh]  # the themes differ there
        assert [s.style for s in after] == [s.style for s in fresh]
