"""Together on one box: another process writes, the board shows it; countdowns tick by themselves;
themes are data and the choice is remembered."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

from store import ops
from tests.support.board import (
    NOW,
    as_colleague,
    board,
    column_ids,
    keymapped_app,
    one_tick,
    running,
    screen_text,
    selected,
    settle,
)

from store import paths
from store.config import Config
from tui import commands
from tui.app import DisputeApp

from tests.support import ROOT

WRITER = r"""
import sys
from store import TinyStore, clock, ops
from store.config import defaults
s = TinyStore(sys.argv[1], cfg=defaults(), user="bob")
now = clock.now()  # $DISPUTES_NOW, as every test process
s.update(sys.argv[2], lambda c: ops.log(c, "supplier", "Written by another process", now, "bob"))
s.update(sys.argv[3], lambda c: ops.move(c, "dispute", now))
s.close()
"""


async def test_another_process_writes_and_the_board_shows_it_within_2s(app, seeded, db_path):
    async with running(app) as pilot:
        seller = column_ids(app, "seller")
        await pilot.press("j", "j")  # a selection that must survive the refresh
        chosen = selected(app).id
        moved = seller[-1]
        assert moved != chosen
        root = ROOT
        subprocess.run([sys.executable, "-c", WRITER, str(db_path), chosen, moved], check=True, cwd=root,
                       timeout=30)
        await one_tick(app, pilot, poll=True)  # the next tick of the app's one timer polls the file
        assert moved in column_ids(app, "dispute"), "not shown after one poll"
        await settle(pilot)
        assert selected(app).id == chosen  # the selection stays
        assert "by bob" in screen_text(app)  # the status line names who changed it last
        last = next(c for c in board(app).by_stage["seller"] if c.id == chosen)
        assert last.messages[-1].text == "Written by another process"


async def test_countdowns_tick_without_a_keypress(seeded, cfg):
    now = [NOW]
    app = DisputeApp(seeded, cfg, clock=lambda: now[0])
    async with running(app) as pilot:
        before = screen_text(app)
        overdue_before = app.loader.counts[0]
        now[0] = NOW + timedelta(days=3, minutes=7)
        await one_tick(app, pilot)  # the tick the app's timer would post; no real sleep
        after = screen_text(app)
        assert after != before
        assert app.loader.counts[0] >= overdue_before
        assert f"{app.loader.counts[0]} overdue" in after


async def test_the_minute_recounts_only_when_a_clock_changes_rank_or_the_cases_do(seeded, cfg, db_path):
    """The status line's counts are made again at a minute's turn only when they can have
    changed: a clock of an open case entered its soon window or fell due, or the cases changed.
    Every other minute, all the cases were counted again (30,000: 120 ms of CPU a minute)."""
    now = [NOW]
    app = DisputeApp(seeded, cfg, clock=lambda: now[0])
    async with running(app) as pilot:
        loader = app.loader

        def fresh() -> tuple[int, int]:
            return loader._count([c for cs in board(app).by_stage.values() for c in cs], now[0])

        async def minute(at) -> None:
            now[0] = at
            await one_tick(app, pilot)

        # The load made the counts at NOW, and found until when they hold (after its frame).
        assert loader._counts_hold is not None
        until = loader._counts_hold[1]
        assert until is not None and until > NOW
        assert until == app.triage.keys_hold_until(
            [c for cs in board(app).by_stage.values() for c in cs if c.stage != "resolved"], NOW)
        quiet = (until - timedelta(minutes=1)).replace(second=0, microsecond=0)
        assert quiet > NOW + timedelta(minutes=2)  # (the seeded cases: no clock turns in the next minutes)
        await minute(NOW + timedelta(minutes=1))
        await minute(NOW + timedelta(minutes=2))
        await minute(quiet)
        assert loader.recounts == 0  # nothing could have changed: not counted again
        assert loader.counts == fresh()
        await minute(until + timedelta(minutes=1))  # a clock changed rank: counted again, and right
        assert loader.recounts == 1
        assert loader.counts == fresh()
        assert f"{loader.counts[0]} overdue" in screen_text(app)
        nxt = loader._counts_hold[1]
        assert nxt is None or nxt > now[0]  # and until when those hold
        # A colleague's save: the next minute counts again, whatever the clocks say.
        case_id = board(app).by_stage["seller"][0].id
        as_colleague(db_path, cfg, case_id, lambda c: ops.log(c, "supplier", "we ship tomorrow", now[0], "bob"))
        await one_tick(app, pilot, poll=True)
        assert loader.delta_loads >= 1
        await minute(now[0] + timedelta(minutes=1))
        assert loader.recounts == 2
        assert loader.counts == fresh()


async def test_a_tick_while_the_board_closes_does_nothing(app):
    """The one timer can fire once more while the app shuts down (seen in CI: an IndexError
    from the board property): with no screen left, a tick, even with the evidence pass due,
    does nothing."""
    async with running(app):
        pass
    assert not app.screen_stack
    app.evidence.due = None  # the background pass is due
    app.loader.tick()
    assert not app.evidence.rechecking


async def test_unknown_theme_falls_back_and_names_the_valid_ones(seeded, cfg):
    data = dict(cfg.data)
    data["board"] = {**cfg.board, "theme": "no-such-theme"}
    app = DisputeApp(seeded, Config(data, None), clock=lambda: NOW)
    async with running(app):
        assert app.theme == "dispute-dark"
        notes = [n.message for n in app._notifications]
        assert any("no-such-theme" in m and "dispute-light" in m and "dispute-contrast" in m for m in notes)


async def test_theme_choice_is_remembered_and_user_themes_load(seeded, cfg):
    folder = paths.user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "my-theme"\nprimary = "#ff8700"\ndark = true\n')
    (folder / "broken.toml").write_text("this is = = not toml")
    app = DisputeApp(seeded, cfg, clock=lambda: NOW)
    said: list[str] = []  # every notice, kept: on a loaded machine a toast can expire before we look
    shown = app.notify
    app.notify = lambda message, *a, **k: (said.append(str(message)), shown(message, *a, **k))[1]
    async with running(app) as pilot:
        titles = [c.title for c in commands.palette(app, app.screen)]
        assert "Theme: my-theme" in titles and "Theme: dispute-contrast" in titles
        assert any("broken.toml" in m for m in said)
        app.choose_theme("dispute-contrast")
        await settle(pilot)
    assert json.loads(paths.state_file().read_text())["theme"] == "dispute-contrast"
    again = DisputeApp(seeded, cfg, clock=lambda: NOW)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "dispute-contrast"


async def test_no_color_is_honoured(seeded, cfg, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = DisputeApp(seeded, cfg, clock=lambda: NOW)
    async with running(app):
        assert app.no_color
        assert "!!" in screen_text(app) or "!" in screen_text(app)  # urgency without colour


async def test_user_keymap_from_the_config(seeded, cfg):
    app = keymapped_app(seeded, cfg, {"case.message": "f5", "board.down": "ctrl+n"})
    async with running(app) as pilot:
        first = selected(app).id
        await pilot.press("ctrl+n")
        assert selected(app).id != first
        await pilot.press("f5")
        await pilot.pause()
        assert "Log a message" in screen_text(app)
