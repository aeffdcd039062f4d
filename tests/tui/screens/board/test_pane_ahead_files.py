"""The pane beside the board draws a case's files' states on the key's own frame, for a card
scrolled to whose files nobody had looked at yet: j and k stat the files of the cards they may
move to next (a worker, after the frame), so the check that follows a move redraws nothing.
Before, such a card's pane showed "?" for each file and was drawn again ~35 ms later when its
check answered (two frames a key for the cards below the screen, until the background round
had statted them: 200 s at 30,000 cases)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from store import TinyStore
from tests.support.board import NOW, press, running, selected, spy
from tests.support.cases import case_with_files
from tui.app import DisputeApp
from tui.widgets.detail_pane import DetailPane

CASES = 24  # one column, more cards than 45 rows show


@asynccontextmanager
async def board_beside_pane(tmp_path, cfg, gone: str):
    """The board at 160x45 (the pane beside it) on CASES cases with two files each, case
    ``gone``'s invoice deleted; yields the pilot."""
    s = TinyStore(tmp_path / "d.json", cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(n, tmp_path, gone=("invoice",) if f"D-{n:04d}" == gone else ())
                    for n in range(1, CASES + 1)])
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    try:
        async with running(app, (160, 45)) as pilot:
            yield pilot
    finally:
        s.close()


async def test_j_down_past_the_screen_draws_each_case_once_with_its_files_states(tmp_path, cfg):
    async with board_beside_pane(tmp_path, cfg, gone="D-0017") as pilot:
        app = pilot.app
        pane = app.screen.query_one("#detail-side", DetailPane)
        assert pane.display, "the pane is beside the board at 160x45"
        drawn = spy(pane, "_draw_body", lambda now: dict(pane.states))
        seen = [selected(app).id]
        for _ in range(CASES - 1):
            drawn.clear()
            await press(pilot, "j")  # the move, its check's answers and the look ahead land
            case = selected(app)
            want = {0: "ok", 1: "missing" if case.id == "D-0017" else "ok"}
            assert drawn == [want], f"{case.id}: drawn {drawn}"
            seen.append(case.id)
        assert len(set(seen)) == CASES and "D-0017" in seen[1:]


async def test_the_files_of_the_next_cards_are_statted_after_the_move(tmp_path, cfg):
    async with board_beside_pane(tmp_path, cfg, gone="D-0020") as pilot:
        app = pilot.app
        col = app.screen.column
        far = len(col.cases) - 1
        assert app.triage.stat_states(col.cases[far], 60) is None, "below the screen: never statted"
        for _ in range(far - 1):
            await press(pilot, "j")
        after = col.cases[far]
        states = app.triage.stat_states(after, 60)
        want = {0: "ok", 1: "missing" if after.id == "D-0020" else "ok"}
        assert states == want
