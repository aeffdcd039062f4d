"""Issue 11, the board side: a colleague's save moves only that card; the board paints from
light cases and fetches the whole case for the detail; Today reuses the board's cases.

Real TinyStore files, a second TinyStore on the same file as the colleague, the real app under
Pilot, the fixed clock, ticks posted by the test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.support.board import (
    NOW,
    as_colleague,
    board,
    column_ids,
    one_tick,
    press,
    running,
    screen_text,
    selected,
    settle,
)
from tests.support.cases import add_file, seeded_store
from tests.support.light import LightTinyStore

from store import STAGES, ops
from store.query import today
from tui.app import DisputeApp
from tui.safe import compact_money
from tui.screens.detail import DetailScreen
from tui.screens.today import TodayScreen


@pytest.fixture
def light(db_path, cfg):
    s = seeded_store(db_path, cfg, LightTinyStore)
    yield s
    s.close()


def refills(app) -> dict[str, int]:
    return {s: board(app).query_one(f"#col-{s}").refills for s in STAGES}


def expected_order(app, stage: str) -> list[str]:
    """The order a full load would give the stage's cases (the loader's sort instant)."""
    key = app.triage.sort_key
    now = app.loader.sort_now
    cases = [app.store.get(c.id) for c in board(app).by_stage[stage]]
    return [c.id for c in sorted(cases, key=lambda c: key(c, now))]


async def test_a_colleagues_move_moves_only_that_card_and_keeps_the_selection(app, seeded, db_path, cfg):
    async with running(app, (160, 45)) as pilot:
        await pilot.press("j", "j")
        chosen = selected(app).id
        before = {s: column_ids(app, s) for s in STAGES}
        moved = before["mediation"][0] if before["mediation"] else before["dispute"][-1]
        src = "mediation" if before["mediation"] and moved == before["mediation"][0] else "dispute"
        assert moved != chosen
        counts, full = refills(app), app.loader.full_loads

        as_colleague(db_path, cfg, moved, lambda c: ops.move(c, "seller", NOW))
        await one_tick(app, pilot, poll=True)

        after = {s: column_ids(app, s) for s in STAGES}
        assert moved not in after[src] and moved in after["seller"]
        assert after[src] == [i for i in before[src] if i != moved]
        assert [i for i in after["seller"] if i != moved] == before["seller"]
        assert after["seller"] == expected_order(app, "seller")  # where a full sort puts it
        for s in STAGES:
            if s not in (src, "seller"):
                assert after[s] == before[s]
        assert refills(app) == counts, "no column was refilled"
        for s in (src, "seller"):  # the headers' count and sum claimed follow, without a re-add
            header = str(board(app).query_one(f"#h-{s}").render())
            claimed = compact_money(sum((app.store.get(i).claim for i in after[s]), Decimal(0)))
            assert f"{len(after[s])} · {claimed}" in header
        assert app.loader.full_loads == full and app.loader.delta_loads >= 1
        assert selected(app).id == chosen
        assert board(app).col == 0


async def test_a_colleagues_note_redraws_the_open_detail_and_keeps_scroll(app, seeded, db_path, cfg):
    async with running(app, (160, 45)) as pilot:
        col = board(app).column
        for _ in range(len(col.cases) - 1):
            await press(pilot, "j")
        scroll = col.scroll_y
        chosen = selected(app).id
        counts = refills(app)
        as_colleague(db_path, cfg, chosen, lambda c: ops.log(c, "supplier", "Colleague wrote this line", NOW, "alice"))
        await one_tick(app, pilot, poll=True)
        assert selected(app).id == chosen
        assert selected(app).rev == app.store.get(chosen).rev
        assert refills(app) == counts
        assert col.scroll_y == scroll
        assert "Colleague wrote this line" in screen_text(app)


async def test_board_paints_light_cases_and_the_detail_shows_the_whole_case(light, cfg):
    app = DisputeApp(light, cfg, clock=lambda: NOW)
    async with running(app, (160, 45)) as pilot:
        case = selected(app)
        assert getattr(case, "light", False), "the board holds what board_cases() gave"
        whole = light.get(case.id)
        text = whole.messages[-1].text
        assert text and all(not m.text for m in case.messages)
        await settle(pilot)
        assert text in screen_text(app), "the pane beside the board shows the message text"
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        assert not getattr(app.screen.pane.case, "light", False)
        assert text in screen_text(app)


async def test_a_case_key_on_a_light_card_saves_the_whole_stored_case(light, cfg):
    app = DisputeApp(light, cfg, clock=lambda: NOW)
    async with running(app, (120, 40)) as pilot:
        case = selected(app)
        before = light.get(case.id)
        assert getattr(case, "light", False) and before.messages and before.history
        await pilot.press("L")  # next stage
        await settle(pilot)
        after = light.get(case.id)
        assert after.stage == STAGES[STAGES.index(before.stage) + 1]
        assert [m.text for m in after.messages] == [m.text for m in before.messages]
        assert after.description == before.description
        assert len(after.history) == len(before.history) + 1


async def test_today_opens_from_the_boards_cases_with_the_right_rows(light, cfg):
    app = DisputeApp(light, cfg, clock=lambda: NOW)
    async with running(app, (120, 40)) as pilot:
        reads = light.full_reads
        await press(pilot, "t")
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        want = [t.case.id for t in today(light.cases(), cfg, NOW)]
        assert want and [t.case.id for t in screen.shown] == want
        assert light.full_reads == reads + 1, "Today read no case itself (the +1 is this test's)"


async def test_a_colleagues_note_redraws_no_layout_of_the_whole_screen(app, seeded, db_path, cfg, monkeypatch):
    """A case that stays in its column keeps the column's height, and the status line is one
    line: nothing asks for a layout pass, which redrew the whole screen (~16 ms at 10k, 120x40)
    on every save of every colleague."""
    from textual.screen import Screen

    async with running(app, size=(120, 40)) as pilot:
        target = next(c for c in seeded.cases() if c.stage == "dispute")
        passes = []
        real = Screen._refresh_layout
        monkeypatch.setattr(Screen, "_refresh_layout", lambda self, *a, **k: (passes.append(1), real(self, *a, **k))[1])
        as_colleague(db_path, cfg, target.id, lambda c: ops.log(c, "supplier", "we ship tomorrow", NOW, "alice"))
        await one_tick(app, pilot, poll=True)
        assert app.loader.delta_loads == 1  # the colleague's save was applied
        assert passes == []
        assert "alice" in screen_text(app)  # and the status line says who changed the database


async def test_a_card_whose_files_were_statted_shows_them_at_once_in_the_pane(app, seeded, monkeypatch, tmp_path):
    """With the detail beside the board, moving onto a card whose files its card mark has
    statted shows them "ok" straight away: no "checking" frame, then another, for every key."""
    for c in seeded.cases():  # every case with one real file, as recorded
        seeded.update(c.id, lambda c: (c.evidence.clear(), add_file(c, tmp_path / f"{c.id}.txt", c.id.encode(), "photo"),
                                       ("attach", "a real file"))[2])
    async with running(app, size=(160, 45)) as pilot:
        pane = app.board.query_one("#detail-side")
        assert pane.display
        monkeypatch.setattr(app.evidence, "check", lambda case: None)  # the re-hash never answers
        await press(pilot, "j")  # its card was drawn (and statted) before: the mark is known
        assert selected(app).id not in app.evidence.states
        case = selected(app)
        assert case.evidence and app.triage.evidence(case) == ""
        body = str(pane.query_one("#d-body").render())
        files = body.split("Evidence (1)\n", 1)[1].splitlines()[0]
        assert files.startswith("ok ") and case.evidence[0].path in files  # not "checking"


async def test_the_pane_beside_the_board_is_cut_to_its_height_and_says_what_enter_adds(app, monkeypatch):
    """Beside the board the case fills the pane, its last line saying how many more lines enter
    shows; moving to the next case is new text in the same box: no layout pass (which redrew the
    whole 160x45 screen on every j, ~40 ms)."""
    import re

    from textual.screen import Screen

    async with running(app, size=(160, 40)) as pilot:
        pane = app.board.query_one("#detail-side")
        first = pane.case.id
        lines = str(pane.query_one("#d-body").render()).splitlines()
        assert len(lines) == pane.content_region.height
        assert re.fullmatch(r"… \d+ more lines: enter shows the whole case", lines[-1].strip())
        passes = []
        real = Screen._refresh_layout
        monkeypatch.setattr(Screen, "_refresh_layout", lambda self, *a, **k: (passes.append(1), real(self, *a, **k))[1])
        await press(pilot, "j")
        assert pane.case.id != first and pane.case.id in screen_text(app)
        assert passes == []
        await press(pilot, "enter")  # the whole case, scrolled, on its own screen
        assert "more lines: enter" not in screen_text(app)


async def test_cases_from_the_summary_cache_are_decoded_whole_after_the_sorted_board_is_drawn(db_path, cfg):
    """A second open sorts and draws from the cache's heads alone; once that frame is drawn the
    load worker decodes every case's other fields, so Today's first open and a search do not."""
    from store import TinyStore
    from store.summary import SummaryCase

    s = seeded_store(db_path, cfg)
    s.board_cases()
    s.close()  # writes the summary cache
    store = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    app = DisputeApp(store, cfg, clock=lambda: NOW)
    try:
        async with running(app, (120, 40)) as pilot:
            every = [c for cs in board(app).by_stage.values() for c in cs]
            assert len(every) == 40 and all(isinstance(c, SummaryCase) for c in every)
            assert app.loader.shown.is_set()
            assert not [c.id for c in every if "_fields" in c.__dict__], "every case decoded after the frame"
            await press(pilot, "t")
            assert isinstance(app.screen, TodayScreen)
            want = [t.case.id for t in today([store.get(c.id) for c in every], cfg, NOW)]
            assert want and [t.case.id for t in app.screen.shown] == want  # as from whole cases
    finally:
        store.close()


async def test_todays_first_open_triages_no_case_the_board_triaged_while_idle(app, cfg, monkeypatch):
    """After the board's load is drawn, its worker triages every case at the board's minute
    into the cache; ``t`` then only orders them (at 10k that was ~190 ms inside the first t)."""
    from tui import triage as triage_mod

    async with running(app, (120, 40)) as pilot:
        calls = []
        real = triage_mod.query.triage
        monkeypatch.setattr(triage_mod.query, "triage", lambda *a, **k: calls.append(a[0].id) or real(*a, **k))
        await press(pilot, "t")
        assert isinstance(app.screen, TodayScreen)
        want = [t.case.id for t in today(app.store.cases(), cfg, NOW)]
        assert want and [t.case.id for t in app.screen.shown] == want
        assert calls == [], "every case was triaged already"


async def test_a_colleagues_note_redraws_its_column_alone(app, seeded, db_path, cfg, monkeypatch):
    """The other columns and the unchanged header are not drawn again: the status line, which
    changes, is told after the column's frame (drawn in one frame, Textual redrew every widget
    inside the box around both, the whole board: about half of a save's CPU on an open board)."""
    from textual.widget import Widget

    async with running(app, size=(120, 40)) as pilot:
        target = next(c for c in seeded.cases() if c.stage == "dispute")
        drawn: list[str] = []
        real = Widget.render_lines
        monkeypatch.setattr(Widget, "render_lines", lambda self, crop: (drawn.append(self.id or ""), real(self, crop))[1])
        header = board(app).query_one("#h-dispute")
        updates = []
        monkeypatch.setattr(header, "update", lambda *a, **k: updates.append(header.id))
        as_colleague(db_path, cfg, target.id, lambda c: ops.log(c, "supplier", "we ship tomorrow", NOW, "alice"))
        await one_tick(app, pilot, poll=True)
        assert app.loader.delta_loads == 1
        assert "col-dispute" in drawn, "the touched column is drawn"
        assert not {f"col-{s}" for s in STAGES if s != "dispute"} & set(drawn), "no other column"
        assert "h-dispute" not in updates, "its count and sum did not change"
        assert "alice" in screen_text(app)  # the status line still says who changed the database
