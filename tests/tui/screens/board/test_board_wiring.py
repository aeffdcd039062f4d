"""Issue 4 and 5 keys on the board: Today, Outcomes, Statement, redo, queries in /, saved views."""

from __future__ import annotations

from tests.support.board import board, column_ids, open_form, press, running, screen_text, selected, settle
from tests.support.board import submit
from textual.widgets import Input

from tui.screens.statement import StatementScreen
from tui.screens.outcomes import OutcomesScreen
from tui.screens.today import TodayScreen


async def test_slash_takes_the_query_language(app):
    async with running(app, (120, 40)) as pilot:
        await pilot.press("slash")
        for ch in "stage:dispute":
            await press(pilot, ch)
        b = board(app)
        assert all(not column_ids(app, s) for s in ("seller", "evidence", "mediation", "resolved"))
        assert column_ids(app, "dispute") == [c.id for c in b.by_stage["dispute"]]
        assert column_ids(app, "dispute")


async def test_a_bad_query_says_what_and_where_and_keeps_the_last_good_filter(app):
    async with running(app, (120, 40)) as pilot:
        await pilot.press("slash")
        box = app.query_one("#filter", Input)
        box.value = "stage:dispute"  # pasted whole: each keystroke is a query of its own
        await settle(pilot)
        box.value = "stage:dispute amount>lots"
        await settle(pilot)
        text = screen_text(app)
        assert "column 15" in text and "not a number" in text
        # what is on screen is still the last query that parsed: the dispute column only
        assert not column_ids(app, "seller") and column_ids(app, "dispute")


async def test_number_key_applies_a_saved_view(app, cfg):
    async with running(app, (120, 40)) as pilot:
        await pilot.press("1")  # "Waiting on me": turn:me
        await settle(pilot)
        assert app.query_one("#filter", Input).value == cfg.data["views"][0]["query"]
        from store.clocks import whose_turn
        shown = [c for s in ("seller", "dispute", "evidence", "mediation", "resolved")
                 for c in board(app).query_one(f"#col-{s}").cases]
        assert shown and all(whose_turn(c) == "me" for c in shown)


async def test_undo_then_redo_a_move(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        await press(pilot, "L")
        assert seeded.get(case.id).stage == "dispute"
        await press(pilot, "u")
        assert seeded.get(case.id).stage == "seller"
        assert seeded.get(case.id).history[-1].action == "undo"
        await press(pilot, "ctrl+r")
        assert seeded.get(case.id).stage == "dispute"
        assert [h.action for h in seeded.get(case.id).history][-3:] == ["move", "undo", "redo"]


async def test_today_stats_and_statement_open_from_the_board(app):
    async with running(app) as pilot:
        await press(pilot, "t")
        assert isinstance(app.screen, TodayScreen)
        assert "waiting on me" in screen_text(app) or "overdue" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "s")
        assert isinstance(app.screen, OutcomesScreen)
        await press(pilot, "escape")
        case = selected(app)
        await press(pilot, "S")
        assert isinstance(app.screen, StatementScreen)
        assert case.order in screen_text(app)


async def test_enter_on_today_opens_the_case(app):
    async with running(app) as pilot:
        await press(pilot, "t")
        today = app.screen
        first = today.query_one("TodayList").current  # the top row
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "DetailScreen"
        assert first.case.id in screen_text(app)


async def test_detail_shows_the_evidence_checklist_and_format_flags(app, seeded):
    from store.statement import missing
    case = seeded.cases("seller")[0]
    seeded.update(case.id, lambda c: (setattr(c, "reason", "damaged"), ("edit", "reason"))[1])
    case = seeded.get(case.id)
    async with running(app, (80, 60)) as pilot:
        board(app).select_case(case.id)
        await press(pilot, "enter")
        text = screen_text(app)
        assert "Checklist for damaged" in text
        for need in missing(case)[:3]:
            assert need.label[:30] in text


async def test_a_proposal_recorded_and_accepted_from_the_board(app, seeded):
    async with running(app, (100, 30)) as pilot:
        case = selected(app)
        form = await open_form(pilot, "o")
        await submit(pilot, form, amount="600.50")
        got = seeded.get(case.id)
        assert [(p.sender, p.kind, str(p.amount), p.status) for p in got.proposals] == \
            [("supplier", "partial_refund", "600.50", "open")]
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "Accept proposal":
            await pilot.press(ch if ch != " " else "space")
        await pilot.pause()
        await press(pilot, "enter")
        got = seeded.get(case.id)
        assert got.stage == "resolved" and got.outcome == "partially_refunded"
        assert str(got.recovered) == "600.50" and got.proposals[0].status == "accepted"
