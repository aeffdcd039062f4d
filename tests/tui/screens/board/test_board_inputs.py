"""The board reads dates and amounts with the store's readers (issue 9): the same refusals as
the command line, and the detail pane says the zone of a deadline entered elsewhere."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.support.board import NOW, press, screen_text, selected, settle, submit
from store.config import Config, defaults
from tui.app import DisputeApp


async def _open_form(app, pilot, key: str):
    await settle(pilot)
    await pilot.press(key)
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("typed, why", [("01/12/2026", "more than one way"), ("2027-01-15", "future"),
                                        ("in 3d", "ahead")])
async def test_new_case_received_refuses_what_the_cli_refuses(app, seeded, typed, why):
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot, "n")
        for name, value in (("supplier", "S"), ("order", "O-1"), ("amount", "10"), ("reason", "damaged"),
                            ("received", typed)):
            form.query_one(f"#f-{name}").value = value
        await press(pilot, "ctrl+s")
        assert app.screen is form, "a refused date must keep the form open"
        assert why in str(form.query_one("#e-received").render())
        assert len(seeded.cases()) == 40


@pytest.mark.parametrize("amount, currency, field, why", [
    ("744.999", "USD", "amount", "at most 2 decimals"), ("100.50", "JPY", "amount", "no decimals"),
    ("5", "XXQ", "currency", "ISO 4217"), ("12,50", "EUR", "amount", "ambiguous"),
])
async def test_new_case_money_follows_the_store_rules(app, seeded, amount, currency, field, why):
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot, "n")
        for name, value in (("supplier", "S"), ("order", "O-1"), ("amount", amount), ("currency", currency),
                            ("reason", "damaged")):
            form.query_one(f"#f-{name}").value = value
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert why in str(form.query_one(f"#e-{field}").render())
        assert len(seeded.cases()) == 40


async def test_deadline_form_refuses_01_02_03_and_reads_relative_forms(app, seeded):
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot, "d")
        case = selected(app)
        await submit(pilot, form, due="01/02/03")
        assert app.screen is form and "more than one way" in str(form.query_one("#e-due").render())
        await submit(pilot, form, due="in 3d")
        due = seeded.get(case.id).deadlines[-1].due
        assert due.astimezone(timezone.utc) == datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)  # the app's clock


async def test_the_configured_date_order_reaches_the_board_forms(seeded):
    d = defaults().data
    d["input"] = {"date_order": "DMY"}
    app = DisputeApp(seeded, Config(d, None), clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot, "d")
        case = selected(app)
        await submit(pilot, form, due="01/12/2026 18:00")
        assert seeded.get(case.id).deadlines[-1].due == datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


async def test_detail_pane_says_the_zone_of_a_deadline_entered_elsewhere(app, seeded):
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot, "d")
        await submit(pilot, form, due="2026-12-01 18:00 +08:00", kind="zone_test")
        assert app.screen is not form
        await pilot.press("enter")  # the detail of the selected case
        await settle(pilot)
        text = screen_text(app)
        assert "due 2026-12-01 18:00 +08:00" in text, text
