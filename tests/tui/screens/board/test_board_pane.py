"""The detail pane beside the board (160 columns and wider): a move shows the new case in the
board's own frame, the pane makes the case's lines once for several moves between two frames,
a case shown a moment ago is not made again, and every line is what a Static showing the same
text draws (styles, theme and the offsets a text selection reads).

The real app under Pilot on the seeded database, the fixed clock; the evidence re-hash stubbed
where a test counts what the pane makes."""

from __future__ import annotations

import pytest
from tests.support.board import running, selected
from textual.visual import Visual

from tui.widgets.detail_pane import CaseLines, DetailPane


def drawn(body: CaseLines) -> list[list[tuple]]:
    width, height = body.size
    return [[(s.text, s.style) for s in body.render_line(y)] for y in range(height)]


def as_static_draws(body: CaseLines) -> list[list[tuple]]:
    """What Textual's Static draws of the text the pane shows (the widget's style beneath)."""
    width, height = body.size
    strips = Visual.to_strips(body, body.render(), width, height, body.visual_style)
    blank = [(" " * width, body.visual_style.rich_style)]
    return [[(s.text, s.style) for s in strips[y]] if y < len(strips) else blank for y in range(height)]


def making(monkeypatch) -> list[str]:
    """The ids of the cases the pane makes lines of, as it makes them."""
    made: list[str] = []
    real = DetailPane._side_text

    def spy(self, case, now, states):
        made.append(case.id if case is not None else None)
        return real(self, case, now, states)

    monkeypatch.setattr(DetailPane, "_side_text", spy)
    return made


@pytest.mark.parametrize("size", [(160, 45), (160, 90)])
async def test_every_line_of_the_pane_is_what_a_static_would_draw(app, size):
    """Cut (45 rows) or whole (90 rows), in each theme: the same cells, styles and offsets."""
    async with running(app, size) as pilot:
        body = app.board.query_one("#d-body", CaseLines)
        for key in ("j", "l", "j"):
            await pilot.press(key)
            await pilot.pause()
            assert drawn(body) == as_static_draws(body)
        for theme in ("dispute-light", "dispute-contrast"):
            before = drawn(body)
            app.theme = theme
            await pilot.pause()
            assert drawn(body) == as_static_draws(body) != before


async def test_a_move_is_shown_in_the_boards_frame_and_made_once(app, monkeypatch):
    """The pane takes the new case as the key is handled, and makes its lines when the frame
    draws them: three moves before a frame make one case, the last (the pane's own frame a
    refresh later waited a frame period more, and drew every case passed over); after that
    frame the cards either side of it are made ahead."""
    async with running(app, (160, 45)) as pilot:
        monkeypatch.setattr(app.evidence, "check", lambda case: None)
        made = making(monkeypatch)
        board = app.board
        col = board.column
        pane = board.query_one("#detail-side", DetailPane)
        for _ in range(3):
            board.action_row(1)
        assert pane.case is not None and pane.case.id == selected(app).id == col.cases[3].id
        assert made == []
        await pilot.pause()
        assert made == [col.cases[3].id, col.cases[4].id, col.cases[2].id]
        assert selected(app).id in str(board.query_one("#d-body", CaseLines).render())


async def test_the_card_j_moves_to_is_made_before_j_and_going_back_makes_nothing(app, monkeypatch):
    async with running(app, (160, 45)) as pilot:
        monkeypatch.setattr(app.evidence, "check", lambda case: None)
        body = app.board.query_one("#d-body", CaseLines)
        col = app.board.column
        first, text = selected(app).id, str(body.render())
        made = making(monkeypatch)
        await pilot.press("j")
        await pilot.pause()
        assert selected(app).id == col.cases[1].id
        assert made == [col.cases[2].id]  # the card after it, ahead; it was made after the first frame
        await pilot.press("k")
        await pilot.pause()
        assert selected(app).id == first and made == [col.cases[2].id]
        assert str(body.render()) == text


async def test_the_minute_turning_redraws_the_pane_with_the_new_countdowns(app, monkeypatch):
    from datetime import timedelta

    from tests.support.board import NOW

    async with running(app, (160, 45)) as pilot:
        body = app.board.query_one("#d-body", CaseLines)
        before = str(body.render())
        app.clock = lambda: NOW + timedelta(hours=5, minutes=1)
        app.loader.tick()
        await pilot.pause()
        after = str(body.render())
        assert after != before and after.splitlines()[0] == before.splitlines()[0]
