"""After filtering, a filter that matches anything leaves a case selected, and a case key with
nothing selected says so (issue 9, "The board says what it knows")."""

from __future__ import annotations

from tests.support.board import board, running, selected

from store import STAGES
from tui.screens.forms import FormScreen


def shown_ids(app) -> list[str]:
    return [c.id for s in STAGES for c in board(app).query_one(f"#col-{s}").cases]


async def test_a_filter_matching_a_card_in_another_column_selects_it(app, seeded):
    target = next(c for c in seeded.cases() if c.stage == "mediation")
    async with running(app) as pilot:
        assert selected(app).stage == "seller"  # the cursor starts in the first column
        await pilot.press("slash", *target.id)
        await pilot.pause()
        assert shown_ids(app) == [target.id]
        assert selected(app) is not None and selected(app).id == target.id
        await pilot.press("enter")  # leave the filter box, the filter stays
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.spec.title == f"Edit {target.id}"


async def test_a_wider_filter_selects_the_first_match_when_the_old_case_is_gone(app, seeded):
    async with running(app) as pilot:
        before = selected(app)
        other = next(c for c in seeded.cases() if c.stage != before.stage and c.supplier != before.supplier)
        await pilot.press("slash")
        board(app).query_one("#filter").value = other.supplier
        await pilot.pause()
        assert shown_ids(app) and selected(app) is not None
        assert selected(app).id in shown_ids(app)
        await pilot.press("enter", "m")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.spec.key == "message"


async def test_a_case_key_with_nothing_selected_says_so(app):
    async with running(app) as pilot:
        await pilot.press("slash", *"no-such-supplier-anywhere")
        await pilot.pause()
        assert shown_ids(app) == [] and selected(app) is None
        await pilot.press("enter")
        for key in ("m", "a", "d", "e", "enter"):
            before = len(app._notifications)
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, FormScreen)
            messages = [n.message for n in list(app._notifications)[before:]]
            assert any("No case selected" in m for m in messages), (key, messages)

