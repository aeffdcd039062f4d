"""The pane beside the board draws a case's files' states on the key's own frame, for a card
scrolled to whose files nobody had looked at yet: j and k stat the files of the cards they may
move to next (a worker, after the frame), so the check that follows a move redraws nothing.
Before, such a card's pane showed "?" for each file and was drawn again ~35 ms later when its
check answered (two frames a key for the cards below the screen, until the background round
had statted them: 200 s at 30,000 cases)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from store import TinyStore, ops
from store.model import Case
from tests.support.board import NOW, press, running, selected
from tui.app import DisputeApp
from tui.widgets.detail_pane import DetailPane

CASES = 24  # one column, more cards than 45 rows show


def _case(n: int, tmp_path, gone: bool = False) -> Case:
    c = Case(id=f"D-{n:04d}", order=f"ORD-{n}", supplier=f"Files {n}", reason="damaged", amount=Decimal(100 + n),
             created_at=NOW - timedelta(days=2, minutes=n), stage_entered_at=NOW - timedelta(days=1, minutes=n))
    for kind in ("photo", "invoice"):
        f = tmp_path / f"{n}-{kind}.pdf"
        f.write_bytes(b"x" * (100 + n))
        ops.attach(c, f, kind, "", NOW - timedelta(days=1), "tester")
    if gone:
        (tmp_path / f"{n}-invoice.pdf").unlink()
    return c


def _count_draws(pane) -> list:
    drawn: list = []
    original = pane._draw_body
    pane._draw_body = lambda now: (drawn.append(dict(pane.states)), original(now))[1]
    return drawn


async def test_j_down_past_the_screen_draws_each_case_once_with_its_files_states(tmp_path, cfg):
    s = TinyStore(tmp_path / "d.json", cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([_case(n, tmp_path, gone=n == 17) for n in range(1, CASES + 1)])
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    try:
        async with running(app, (160, 45)) as pilot:
            pane = app.screen.query_one("#detail-side", DetailPane)
            assert pane.display, "the pane is beside the board at 160x45"
            drawn = _count_draws(pane)
            seen = [selected(app).id]
            for _ in range(CASES - 1):
                drawn.clear()
                await press(pilot, "j")  # the move, its check's answers and the look ahead land
                case = selected(app)
                want = {0: "ok", 1: "missing" if case.id == "D-0017" else "ok"}
                assert drawn == [want], f"{case.id}: drawn {drawn}"
                seen.append(case.id)
            assert len(set(seen)) == CASES and "D-0017" in seen[1:]
    finally:
        s.close()


async def test_the_files_of_the_next_cards_are_statted_after_the_move(tmp_path, cfg):
    s = TinyStore(tmp_path / "d.json", cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([_case(n, tmp_path, gone=n == 20) for n in range(1, CASES + 1)])
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    try:
        async with running(app, (160, 45)) as pilot:
            col = app.screen.column
            far = len(col.cases) - 1
            assert app.triage.stat_states(col.cases[far], 60) is None, "below the screen: never statted"
            for _ in range(far - 1):
                await press(pilot, "j")
            after = col.cases[far]
            states = app.triage.stat_states(after, 60)
            want = {0: "ok", 1: "missing" if after.id == "D-0020" else "ok"}
            assert states == want
    finally:
        s.close()
