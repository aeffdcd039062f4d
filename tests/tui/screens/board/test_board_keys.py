"""Pilot tests of the board's key flows, on the seeded 40-case database with a fixed clock.

Each asserts what a user would see on screen or what the database then holds.
"""

from __future__ import annotations

from decimal import Decimal

from tests.support.board import NOW, as_colleague, board, column_ids, open_form, press, running, screen_text
from tests.support.board import selected, settle, submit

from store import STAGE_TITLES, STAGES, ops
from tui import commands
from tui.screens.detail import DetailScreen
from tui.screens.forms import FormScreen


def first_nonempty_pair(app) -> tuple[str, str]:
    """Two neighbouring stages (not Resolved as target) that both hold cases."""
    for a, b in zip(STAGES, STAGES[1:]):
        if column_ids(app, a) and column_ids(app, b) and b != "resolved":
            return a, b
    raise AssertionError("sample data has no two neighbouring non-empty stages")


async def test_board_shows_every_stage_with_counts(app):
    async with running(app):
        text = screen_text(app)
        for stage in STAGES:
            assert STAGE_TITLES[stage] in text
        assert sum(len(column_ids(app, s)) for s in STAGES) == 40
        first = column_ids(app, "seller")
        assert f"{len(first)} · " in text
        assert selected(app).id == first[0]
        assert "overdue" in text and "waiting on me" in text
        assert "tester" in text  # the user, in the status line


async def test_arrows_and_hjkl_move_the_selection(app):
    async with running(app) as pilot:
        seller = column_ids(app, "seller")
        await pilot.press("j")
        assert selected(app).id == seller[1]
        await pilot.press("down")
        assert selected(app).id == seller[2]
        await pilot.press("k", "up")
        assert selected(app).id == seller[0]
        await pilot.press("l")
        assert selected(app).stage == "dispute"
        await pilot.press("right")
        assert selected(app).stage == "evidence"
        await pilot.press("h", "left")
        assert selected(app).stage == "seller"
        await pilot.press("G")
        assert selected(app).id == seller[-1]
        await pilot.press("g")
        assert selected(app).id == seller[0]


async def test_enter_opens_the_case_and_esc_comes_back(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert case.id in text and case.supplier in text
        assert "Deadlines" in text and "Messages" in text
        app.screen.pane.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "History" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)
        assert selected(app).id == case.id


async def test_L_moves_to_the_next_stage_and_the_selection_follows(app, seeded):
    async with running(app) as pilot:
        a, b = first_nonempty_pair(app)
        while selected(app).stage != a:
            await pilot.press("l")
        case = selected(app)
        await press(pilot, "L")
        assert seeded.get(case.id).stage == b
        assert selected(app).id == case.id and selected(app).stage == b
        assert case.id in column_ids(app, b) and case.id not in column_ids(app, a)
        await press(pilot, "H")
        assert seeded.get(case.id).stage == a
        assert selected(app).id == case.id
        await press(pilot, "greater_than_sign")
        assert seeded.get(case.id).stage == b
        await press(pilot, "less_than_sign")
        assert seeded.get(case.id).stage == a


async def test_moving_into_resolved_asks_for_the_outcome(app, seeded):
    async with running(app) as pilot:
        while selected(app) is None or selected(app).stage != "mediation":
            await pilot.press("l")
        case = selected(app)
        await open_form(pilot, "L")
        await pilot.press(*"part")
        app.screen.query_one("#f-outcome").value = "partially_refunded"
        await pilot.press("enter")  # next field: the amount
        await pilot.press(*"100.50")
        await press(pilot, "enter")
        saved = seeded.get(case.id)
        assert saved.stage == "resolved"
        assert saved.outcome == "partially_refunded" and saved.recovered == Decimal("100.50")
        assert selected(app).id == case.id


async def test_outcome_form_refuses_a_missing_amount(app, seeded):
    async with running(app) as pilot:
        while selected(app) is None or selected(app).stage != "mediation":
            await pilot.press("l")
        case = selected(app)
        await pilot.press("L")
        await pilot.pause()
        app.screen.query_one("#f-outcome").value = "compensated"
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, FormScreen)
        assert "needs the amount recovered" in screen_text(app)
        assert seeded.get(case.id).stage == "mediation"
        await pilot.press("escape")
        assert not isinstance(app.screen, FormScreen)
        assert seeded.get(case.id).rev == case.rev  # esc: no trace


async def test_new_case(app, seeded):
    async with running(app) as pilot:
        form = await open_form(pilot, "n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        assert "supplier is required" in text
        assert "nothing saved" in text
        values = {"supplier": "Acme Widgets", "order": "ORD-99", "title": "Broken hinges",
                  "amount": "1,250.00", "reason": "damaged"}
        for name, value in values.items():
            form.query_one(f"#f-{name}").value = value
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen)
        created = [c for c in seeded.cases() if c.supplier == "Acme Widgets"]
        assert len(created) == 1
        assert created[0].amount == Decimal("1250.00") and created[0].stage == "seller"
        assert selected(app).id == created[0].id


async def test_new_case_field_errors_are_shown_beside_the_field(app, seeded):
    async with running(app) as pilot:
        form = await open_form(pilot, "n")
        form.query_one("#f-amount").value = "12.5.3"
        form.query_one("#f-currency").value = "dollars"
        await pilot.pause()
        text = screen_text(app)
        assert "order amount is not a number" in text
        assert "unknown currency 'dollars'" in text
        await pilot.press("escape")
        assert len(seeded.cases()) == 40


async def test_edit(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "e")
        assert form.query_one("#f-supplier").value == case.supplier
        await submit(pilot, form, title="Retitled by the test")
        fresh = seeded.get(case.id)
        assert fresh.title == "Retitled by the test"
        assert fresh.history[-1].action == "edit"


async def test_log_a_message(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # keep "supplier"
        await pilot.press(*"We will")
        app.screen.query_one("#f-text").value += " refund tomorrow"
        await pilot.press("ctrl+s")  # the text is a text area: enter adds a line, ctrl+s saves
        await settle(pilot)
        fresh = seeded.get(case.id)
        assert fresh.messages[-1].text == "We will refund tomorrow"
        assert fresh.messages[-1].sender == "supplier"


async def test_attach_evidence_checks_the_path(app, seeded, tmp_path):
    photo = tmp_path / "crushed carton.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "a")
        await submit(pilot, form, wait=False, path=str(tmp_path / "nope.jpg"))
        assert "no such file" in screen_text(app)
        await submit(pilot, form, path=str(photo), note="carton 3")
        ev = seeded.get(case.id).evidence[-1]
        assert ev.path == str(photo.resolve()) and ev.kind == "photo" and ev.size == photo.stat().st_size
        assert len(ev.sha256) == 64


async def test_add_a_deadline(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "d")
        await submit(pilot, form, wait=False, due="next blue moon")
        assert "not a date" in screen_text(app)
        await submit(pilot, form, due="2026-12-01 18:00 +08:00")
        d = seeded.get(case.id).deadlines[-1]
        assert d.kind == "evidence_due" and d.hard
        assert d.due.isoformat() == "2026-12-01T10:00:00+00:00" and d.offset_minutes == 480


async def test_deadline_accepts_the_forms_dateutil_parses(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "d")
        await submit(pilot, form, due="Dec 3 2026 6pm", hard="no")
        d = seeded.get(case.id).deadlines[-1]
        assert d.due.isoformat() == "2026-12-03T18:00:00+00:00" and not d.hard  # TZ=UTC in tests


async def test_filter(app):
    async with running(app) as pilot:
        await pilot.press("slash")
        await pilot.press(*"hangzhou")
        await pilot.pause()
        shown = [c for s in STAGES for c in board(app).query_one(f"#col-{s}").cases]
        assert shown and all("Hangzhou" in c.supplier for c in shown)
        assert "filter hangzhou" in screen_text(app)
        await pilot.press("enter")  # back to the board, filter kept
        await pilot.press("j")
        assert "Hangzhou" in selected(app).supplier
        await pilot.press("escape")
        await pilot.pause()
        assert sum(len(column_ids(app, s)) for s in STAGES) == 40


async def test_filter_by_id_and_order(app, seeded):
    target = seeded.cases()[5]
    async with running(app) as pilot:
        await pilot.press("slash", *target.order[:3])  # typed: the filter follows each key
        board(app).query_one("#filter").value = target.order  # the rest pasted
        await pilot.pause()
        assert [c.id for s in STAGES for c in board(app).query_one(f"#col-{s}").cases] == [target.id]
        await pilot.press("escape")
        await pilot.press("slash")
        board(app).query_one("#filter").value = target.id.lower()
        await pilot.pause()
        assert target.id in [c.id for s in STAGES for c in board(app).query_one(f"#col-{s}").cases]


async def test_command_palette_offers_what_applies_now(app):
    async with running(app) as pilot:
        case = selected(app)
        titles = [c.title for c in commands.palette(app, app.screen)]
        assert f"Move {case.id} to Dispute opened" in titles
        assert not any("back to" in t for t in titles)  # Seller contact has no previous stage
        assert "Theme: dispute-light" in titles and "Theme: dispute-dark" not in titles
        assert "Clear the filter" not in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert f"Move {case.id} to Dispute opened" in screen_text(app)  # what the palette lists
        await pilot.press(*"light")
        await settle(pilot)
        await press(pilot, "enter")
        assert app.theme == "dispute-light"


async def test_help_lists_every_key(app):
    async with running(app, (80, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for desc in ("Open", "Next stage", "Prev stage", "New", "Edit", "Message", "Attach", "Deadline",
                     "Undo", "Filter", "First card", "Last card", "Quit", "Command palette"):
            assert desc in text, desc
        await pilot.press("escape")
        await pilot.pause()
        assert "Command palette" not in screen_text(app)


async def test_q_quits(app):
    async with running(app) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_save_over_someone_elses_change_is_refused(app, seeded, db_path, cfg):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "e")
        form.query_one("#f-title").value = "typed before the clash"
        as_colleague(db_path, cfg, case.id,
                     lambda c: (setattr(c, "title", "alice's title"), ("edit", "changed title"))[1])
        await press(pilot, "ctrl+s")
        assert app.screen is form  # still open
        assert form.query_one("#f-title").value == "typed before the clash"
        assert "alice" in screen_text(app)
        assert seeded.get(case.id).title == "alice's title"
        # Told who changed it, the user saves again on purpose: their version wins, alice's stays
        # in the history (and undo).
        await press(pilot, "ctrl+s")
        assert app.screen is not form
        got = seeded.get(case.id)
        assert got.title == "typed before the clash"
        assert [h.user for h in got.history][-2:] == ["alice", seeded.user]


async def test_a_message_logged_while_someone_else_writes_keeps_both(app, seeded, db_path, cfg):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "m")
        form.query_one("#f-text").value = "typed while alice wrote"
        as_colleague(db_path, cfg, case.id, lambda c: ops.log(c, "note", "alice was here", NOW, "alice"))
        await press(pilot, "ctrl+s")
        assert app.screen is not form
        texts = [m.text for m in seeded.get(case.id).messages]
        assert texts[-2:] == ["alice was here", "typed while alice wrote"]


async def test_tiny_terminal_does_not_crash(app):
    async with running(app, (40, 12)) as pilot:
        await pilot.press("j", "l", "enter")
        await pilot.pause()
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        await pilot.press("escape", "n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_case_keys_work_on_the_detail_screen(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        await press(pilot, "enter")
        await pilot.press("m", "enter")
        await submit(pilot, text="logged from the detail")
        assert isinstance(app.screen, DetailScreen)
        assert seeded.get(case.id).messages[-1].text == "logged from the detail"
        app.screen.pane.scroll_end(animate=False)
        await pilot.pause()
        assert "logged from the detail" in screen_text(app)


async def test_q_in_a_form_does_not_quit(app):
    async with running(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#form-save").focus()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, FormScreen)


async def test_the_clock_redraws_only_visible_lines(seeded, cfg):
    from datetime import timedelta

    from tui.app import DisputeApp
    from tui.widgets.stage_column import StageColumn

    now = [NOW]
    app = DisputeApp(seeded, cfg, clock=lambda: now[0])
    async with running(app) as pilot:
        calls = []
        original = StageColumn.render_line

        def counting(self, y):
            calls.append(self.stage)
            return original(self, y)

        StageColumn.render_line = counting
        try:
            now[0] = NOW + timedelta(minutes=5)
            app.loader.tick()
            await pilot.pause()
        finally:
            StageColumn.render_line = original
        visible = sum(c.size.height for c in board(app).columns)
        assert 0 < len(calls) <= visible


async def test_undo_never_reverts_someone_elses_change(app, seeded, db_path, cfg):

    async with running(app) as pilot:
        case = selected(app)
        as_colleague(db_path, cfg, case.id, lambda c: ops.log(c, "note", "alice's note", NOW, "alice"))
        app.loader.load(refresh=True)
        await settle(pilot)
        await press(pilot, "u")
        assert seeded.get(case.id).messages[-1].text == "alice's note"
        assert any("alice" in n.message for n in app._notifications)


async def test_edit_without_touching_a_date_keeps_it(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        await pilot.press("e")
        await pilot.pause()
        await submit(pilot, description="Only the description changes")
        fresh = seeded.get(case.id)
        assert fresh.description == "Only the description changes"
        assert fresh.received_at == case.received_at
        assert fresh.history[-1].detail == "changed description"


async def test_the_footer_dims_next_stage_in_the_last_column_and_not_elsewhere(app):
    """The board's footer is redrawn only when what it shows changes (SteadyFooter): moving to
    Resolved must still dim "Next stage", and moving back must light it again."""
    from tui.widgets.steady_footer import SteadyFooter

    def next_stage(app):
        return next(k for k in app.screen.query_one(SteadyFooter).keys if k.description == "Next stage")

    async with running(app, (160, 40)) as pilot:
        assert next_stage(app).enabled
        await press(pilot, *"llll")
        assert selected(app).stage == "resolved"
        assert not next_stage(app).enabled
        await press(pilot, "h")
        assert next_stage(app).enabled
