"""The edit form after a colleague's change: refused naming their fields, then a deliberate save
writes only what this form changed (issue 9, "An edit changes only what you changed")."""

from __future__ import annotations

from decimal import Decimal

from tests.support.board import as_colleague, open_form, press, running, screen_text, selected, settle


def _alice_claims_and_renames_product(c):
    c.claimed = (c.amount / 2).quantize(Decimal("0.01"))
    c.product = "Alice's product"
    return "edit", "changed claimed, product"


async def test_second_save_keeps_the_colleagues_amount_and_product(app, seeded, db_path, cfg):
    async with running(app, (100, 40)) as pilot:
        case = selected(app)
        form = await open_form(pilot, "e")
        form.query_one("#f-title").value = "Bob's title"
        after = as_colleague(db_path, cfg, case.id, _alice_claims_and_renames_product)
        await press(pilot, "ctrl+s")
        assert app.screen is form, "the stale save was not refused"
        status = str(form.query_one("#form-status").render())
        assert "alice changed product, claimed" in status
        assert "save again to write only your changes" in status
        assert "alice" in screen_text(app)
        assert seeded.get(case.id).title == case.title

        await pilot.press("ctrl+s")  # on purpose, having read who changed what
        await settle(pilot)
        assert app.screen is not form
        got = seeded.get(case.id)
        assert got.title == "Bob's title"
        assert got.claimed == after.claimed and got.product == "Alice's product"
        assert got.history[-1].detail == "changed title"


async def test_both_changed_the_title_the_refusal_says_so_and_only_the_title_is_overwritten(
        app, seeded, db_path, cfg):
    async with running(app, (100, 40)) as pilot:
        case = selected(app)
        form = await open_form(pilot, "e")
        form.query_one("#f-title").value = "Bob's title"

        def alice(c):
            c.title, c.product = "Alice's title", "Alice's product"
            return "edit", "changed title, product"
        as_colleague(db_path, cfg, case.id, alice)
        await press(pilot, "ctrl+s")
        assert app.screen is form
        status = str(form.query_one("#form-status").render())
        assert "you both changed title" in status and "save again to write your title" in status
        await press(pilot, "ctrl+s")
        got = seeded.get(case.id)
        assert (got.title, got.product) == ("Bob's title", "Alice's product")
