"""The cyclic garbage collector runs between keys, never inside a key's handling or its frame
(``DisputeApp.collect_when_idle``): left to its thresholds it ran inside frames, 1.5-7 ms young
collections and a 39 ms full one among 80 presses at 30,000 cases. What it frees is still freed:
a moment after the keys, and the collector is as it was once the board closes."""

from __future__ import annotations

import gc

from tests.support.board import NOW, settle

from store import TinyStore
from store.sample import sample_cases
from tui.app import DisputeApp
from tui.screens.board import BoardScreen


async def test_keys_draw_without_a_collection_and_what_they_leave_is_collected_after(tmp_path, cfg, monkeypatch):
    store = TinyStore(tmp_path / "d.json", cfg=cfg, user="tester", clock=lambda: NOW)
    store.import_cases(sample_cases(60, NOW, messages=3, evidence=2))
    inside = [False]
    seen = {"inside": 0, "between": 0}

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            seen["inside" if inside[0] else "between"] += 1

    def during(fn):
        def wrapped(*a, **kw):
            inside[0] = True
            try:
                return fn(*a, **kw)
            finally:
                inside[0] = False
        return wrapped

    app = DisputeApp(store, cfg, clock=lambda: NOW)
    was = gc.isenabled()
    gc.enable()
    gc.callbacks.append(note)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BoardScreen) and not gc.isenabled()
            monkeypatch.setattr(BoardScreen, "action_row", during(BoardScreen.action_row))
            monkeypatch.setattr(screen._compositor, "render_update", during(screen._compositor.render_update))
            for key in (["j"] * 15 + ["k"] * 15) * 2:
                await pilot.press(key)
                for _ in range(10):  # make garbage as a busy frame does, cycles included
                    a: list = []
                    a.append(a)
                await pilot.pause()
            await pilot.pause(app.GC_AFTER * 4)
            young = gc.get_count()[0]
        assert seen["inside"] == 0, seen
        assert seen["between"] > 0 and young < 200, (seen, young)
        assert gc.isenabled()  # the board gave the collector back as it closed
    finally:
        gc.callbacks.remove(note)
        (gc.enable if was else gc.disable)()
        store.close()
