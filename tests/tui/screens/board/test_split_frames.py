"""A key that changes the board in two places apart (a card at the left, the detail pane at the
right) draws each place on its own (``tui.compositor``): the terminal must end up showing, cell
for cell, what a full redraw of the same screen shows. Checked by playing every update the app
writes onto a grid of cells, from the first full frame on, against a full render after each key."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.segment import ControlType
from tests.support.board import NOW, settle

from store import TinyStore
from store.sample import sample_cases
from textual.geometry import Region
from tui.app import DisputeApp
from textual._compositor import ChopsUpdate, Compositor
from tui.compositor import BandsUpdate, SplitCompositor, bands


class Recording(DisputeApp):
    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.updates: list = []

    def _display(self, screen, renderable) -> None:
        if renderable is not None:
            self.updates.append(renderable)
        super()._display(screen, renderable)


def _grid_of(strips, width: int) -> list[list[tuple[str, object]]]:
    grid = []
    for strip in strips:
        row: list[tuple[str, object]] = []
        for seg in strip:
            for ch in seg.text:
                row.append((ch, seg.style))
                if cell_len(ch) == 2:
                    row.append(("", seg.style))
        grid.append((row + [(" ", None)] * width)[:width])
    return grid


def _play(grid, update, console, options) -> None:
    """Write ``update``'s segments onto ``grid`` as a terminal would: moves are absolute."""
    x = y = 0
    for seg in update.__rich_console__(console, options):
        if seg.control:
            for code in seg.control:
                if code[0] is ControlType.CURSOR_MOVE_TO:
                    x, y = code[1], code[2]
            continue
        for ch in seg.text:
            if ch == "\n":
                x, y = 0, y + 1
                continue
            grid[y][x] = (ch, seg.style)
            x += 1
            if cell_len(ch) == 2:
                grid[y][x] = ("", seg.style)
                x += 1


def test_bands_are_groups_that_share_no_column():
    left, right = Region(0, 5, 20, 12), Region(100, 1, 60, 43)
    assert bands({right, left}) == [[left], [right]]
    inside = Region(10, 30, 5, 1)  # under the left one's columns: the same band
    assert bands([right, inside, left]) == [[left, inside], [right]]
    across = Region(0, 0, 160, 1)  # a full-width line: everything is one band
    assert len(bands([left, right, across])) == 1


@pytest.mark.parametrize("keys", [["j"] * 6 + ["k"] * 3, ["l", "j", "j", "l", "k", "h", "j"]])
async def test_each_key_beside_the_pane_leaves_the_screen_a_full_redraw_shows(tmp_path, monkeypatch, cfg, utc_local_time,
                                                                           keys):
    monkeypatch.chdir(tmp_path)
    store = TinyStore("disputes.json", cfg=cfg, user="tester", clock=lambda: NOW)
    store.import_cases(sample_cases(40, NOW, messages=4, evidence=2))
    app = Recording(store, cfg, clock=lambda: NOW)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen._compositor, SplitCompositor)
            assert screen.query_one("#detail-side").display  # the pane is beside the board
            console = app.console
            options = console.options.update(width=160, height=45)
            grid = _grid_of(screen._compositor.render_strips(), 160)
            split = 0
            for key in keys:
                app.updates.clear()
                await pilot.press(key)
                await pilot.pause()
                await pilot.pause()
                for update in app.updates:
                    split += isinstance(update, BandsUpdate)
                    _play(grid, update, console, options)
                want = _grid_of(screen._compositor.render_strips(), 160)
                for y, (got_row, want_row) in enumerate(zip(grid, want)):
                    got_text = "".join(c for c, _ in got_row)
                    want_text = "".join(c for c, _ in want_row)
                    assert got_text == want_text, f"after {key!r}, line {y}:\n{got_text}\n{want_text}"
                    assert [s for _, s in got_row] == [s for _, s in want_row], f"after {key!r}, line {y}: styles"
            assert split, "no key drew its two places apart: the split was not exercised"
    finally:
        store.close()


@pytest.mark.parametrize("size,keys", [
    ((160, 45), ["j"] * 5 + ["k"] * 2 + ["l", "j", "l", "l", "k", "h", "h", "j"] + ["slash", "D", "-", "0", "escape"]),
    ((80, 24), ["j", "j", "l", "k", "h", "j"]),
])
async def test_each_update_writes_the_very_bytes_textual_renders_for_it(tmp_path, monkeypatch, cfg, utc_local_time,
                                                                        size, keys):
    """``SplitCompositor._span_chops`` renders only the widgets whose cells a band writes: for every
    update a key makes, the bytes written are those of Textual's own chops for the same band (every
    widget overlapping it rendered whole, ``Compositor._render_chops``), made right after."""
    monkeypatch.chdir(tmp_path)
    store = TinyStore("disputes.json", cfg=cfg, user="tester", clock=lambda: NOW)
    store.import_cases(sample_cases(40, NOW, messages=4, evidence=2))
    app = Recording(store, cfg, clock=lambda: NOW)
    pairs: list[tuple[str, str]] = []
    mine = SplitCompositor._span_chops

    def both(self, crop, spans):
        got = mine(self, crop, spans)
        lines = {y for y, _, _ in spans}
        textual_own = Compositor._render_chops(self, crop, lines.__contains__)
        ends = [cut_set[1:] for cut_set in self.cuts]
        pairs.append((ChopsUpdate(got, spans, ends).render_segments(app.console),
                      ChopsUpdate(textual_own, spans, ends).render_segments(app.console)))
        return got

    monkeypatch.setattr(SplitCompositor, "_span_chops", both)
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                await pilot.pause()
            # A part of a widget redrawn alone (a region that starts and ends between its edges),
            # beside a card: chops reaching into the spans from outside them.
            for widget in (app.screen.query_one("#detail-side"), app.screen.columns[0]):
                widget.refresh(Region(3, 2, 7, 3))
            await pilot.pause()
            await pilot.pause()
    finally:
        store.close()
    assert len(pairs) >= len(keys)
    for i, (got, want) in enumerate(pairs):
        assert got == want, f"update {i} differs"
    assert any(len(got) > 2000 for got, _ in pairs)  # the pane was among them, not only cards
