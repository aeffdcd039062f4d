"""The board's first frame is the sorted board when its cases are quick to read (few, or in the
summary cache): no "loading…" frame first, then the cards 170 ms later at 10,000 cases. A cold
start of many cases still draws at once and loads in its worker."""

from __future__ import annotations

from tests.support.board import NOW, board, screen_text, settle
from tui.app import DisputeApp
from tui.loader import BoardLoader


class FirstFrame(DisputeApp):
    """The board, keeping the text of the first frame it hands to the terminal."""

    first: str | None = None
    first_loaded: bool | None = None

    def _display(self, screen, renderable) -> None:
        if renderable is not None and self.first is None:
            self.first = "\n".join(s.text for s in screen._compositor.render_strips())
            self.first_loaded = self.loader.applied_gen > 0
        super()._display(screen, renderable)


def _most_urgent_ids(app) -> list[str]:
    return [cs[0].id for cs in board(app).by_stage.values() if cs]


async def test_the_first_frame_shows_every_column_sorted(seeded, cfg):
    app = FirstFrame(seeded, cfg, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.first is not None
        assert app.first_loaded
        assert "loading…" not in app.first
        tops = _most_urgent_ids(app)
        assert len(tops) == 5
        for case_id in tops:  # each column's most urgent card, in the very first frame
            assert case_id in app.first
        assert app.loader.full_loads == 1  # loaded once: the app did not load again when ready


async def test_a_start_that_is_not_quick_still_draws_before_it_loads(seeded, cfg, monkeypatch):
    """No summary cache and more cases than the threshold: the board draws first (its first
    cards or "loading…"), and the full load lands from its worker, sorted as before."""
    monkeypatch.setattr(BoardLoader, "QUICK_THRESHOLD", 10)
    assert not seeded.board_cases_quick(10)
    app = FirstFrame(seeded, cfg, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.first is not None
        assert not app.first_loaded
        assert app.loader.full_loads == 1
        assert all(i in screen_text(app) for i in _most_urgent_ids(app))


async def test_the_board_reads_no_case_whole_until_one_is_opened(seeded, cfg, monkeypatch):
    """Its cards and its footer need only the light cases (the footer's "Next stage" asks only
    the selected case's stage): a whole case read from the store before any key was a full decode
    on the first frame's path. Opening one still reads it whole."""
    read = []
    real = type(seeded).get
    monkeypatch.setattr(type(seeded), "get", lambda self, case_id: read.append(case_id) or real(self, case_id))
    app = DisputeApp(seeded, cfg, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        top = app.screen.selected.id
        assert read == []
        await pilot.press("enter")
        await settle(pilot)
        assert top in read
        assert top in screen_text(app)
