"""Case ids are the one thing a user must always read whole: never cut at any size, and in a
readable colour of their own in 16 colours (issue 9, "The board says what it knows").

16 colours: Textual is told by ``$TEXTUAL_COLOR_SYSTEM=standard`` (read into
``textual.constants.COLOR_SYSTEM`` when Textual is imported, given to the App's console); the
driver then downgrades every colour with ``Color.downgrade(ColorSystem.STANDARD)``. The tests
downgrade the colours the board drew the same way, and one runs the board in tmux with
``TEXTUAL_COLOR_SYSTEM=standard`` and reads the escape codes the terminal got."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.support.board import NOW, board, press, running, screen_text, settle
from rich.color import ColorSystem

from store import STAGES, TinyStore
from store.model import Case
from tui.app import DisputeApp
from tui.themes import builtin_themes

from tests.support import ROOT

ID = re.compile(r"D-\d+…?")


def long_id_case() -> Case:
    return Case(id="D-12345", order="ORD-LONG", supplier="Long Id Trading", reason="damaged",
                amount=Decimal("10"), created_at=NOW - timedelta(days=3), stage_entered_at=NOW - timedelta(days=1))


@pytest.fixture
def tiny_app(seeded, cfg):
    seeded.import_cases([long_id_case()])
    return DisputeApp(seeded, cfg, clock=lambda: NOW)


@pytest.mark.parametrize("size", [(40, 12), (80, 24)])
async def test_ids_are_never_cut(tiny_app, size):
    app = tiny_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = screen_text(app)
        ids = ID.findall(text)
        assert ids, text
        assert not [i for i in ids if i.endswith("…")], text
        b = board(app)
        for stage in STAGES:  # every case in view shows its whole id
            col = b.query_one(f"#col-{stage}")
            visible = col.scrollable_content_region.height // 6
            for c in col.cases[:visible]:
                assert c.id in text, (c.id, text)
        # The long one too, once selected: whole on its line, or broken after its dash where
        # the column is narrower than the id (at 40 columns: "D-" above "12345").
        b.select_case("D-12345")
        await pilot.pause()
        text = screen_text(app)
        lines = text.splitlines()
        whole = "D-12345" in text
        wrapped = any("12345" in low and "D-" in up[low.index("12345") - 1:low.index("12345") + 2]
                      for up, low in zip(lines, lines[1:]) if "12345" in low)
        assert whole or wrapped, text
        assert "D-1234…" not in text and "D-123…" not in text


async def test_today_shows_long_ids_whole(tiny_app):
    app = tiny_app
    async with running(app) as pilot:
        await press(pilot, "t")
        screen = app.screen
        screen.set_query("D-12345")
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Long Id Trading" in line and "D-" in line
                   and "Evidence" not in line and "Seller" not in line)
        assert "D-12345" in row, row


def _fg_at_ids(line: str) -> list[tuple[str, str | None]]:
    """(id, the SGR foreground in force where it starts) for each id in a captured line."""
    fg: str | None = None
    out = []
    for m in re.finditer(r"\x1b\[([0-9;]*)m|(D-\d{4,})", line):
        if m.group(2):
            out.append((m.group(2), fg))
            continue
        codes = m.group(1).split(";") if m.group(1) else ["0"]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c in ("0", "39", ""):
                fg = None
            elif c == "38" and i + 2 < len(codes) and codes[i + 1] == "5":
                fg = "38;5;" + codes[i + 2]
                i += 2
            elif c.isdigit() and (30 <= int(c) <= 37 or 90 <= int(c) <= 97):
                fg = c
            i += 1
    return out


def _id_colours(app) -> list:
    """The colours the board drew each card id in, as the strips hold them."""
    out = []
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            if seg.style is not None and ID.fullmatch(seg.text.strip() or "-") and seg.style.color:
                out.append((seg.style.color, seg.style.bgcolor))
    return out


@pytest.mark.parametrize("theme", [t.name for t in builtin_themes()])
async def test_ids_have_a_readable_colour_of_their_own_in_16_colours(app, theme):
    async with running(app) as pilot:
        app.theme = theme
        await pilot.pause()
        col = board(app).columns[0]
        col._rich_style_cache.clear()
        col.clear_cache()
        await pilot.pause()
        drawn = _id_colours(app)
        assert drawn
        error = col.get_component_rich_style("card--overdue").color.downgrade(ColorSystem.STANDARD).number
        for fg, bg in drawn:
            number = fg.downgrade(ColorSystem.STANDARD).number
            assert number not in (1, 9, error), f"{theme}: ids drawn in ANSI colour {number}, the error red"
            assert bg is None or number != bg.downgrade(ColorSystem.STANDARD).number


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_ids_in_a_real_16_colour_terminal_are_not_red(tmp_path, cfg):
    db = tmp_path / "team.json"
    s = TinyStore(db, cfg=cfg, user="tester")
    from store.sample import sample_cases
    s.import_cases(sample_cases(12, NOW, messages=1, evidence=0))
    s.close()
    session = f"ids16-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "TZ": "UTC", "TEXTUAL_COLOR_SYSTEM": "standard",
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("COLORTERM", None)
    cmd = f"{sys.executable} -m tui.cli --db {db}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd],
                   env=env, check=True, timeout=20)
    try:
        end = time.monotonic() + 30
        screen = ""
        while time.monotonic() < end:
            screen = subprocess.run(["tmux", "capture-pane", "-e", "-p", "-t", session], capture_output=True,
                                    text=True, timeout=20).stdout
            if "D-0" in screen:
                break
            time.sleep(0.2)
        # The SGR codes in force where each id starts.
        found = [hit for line in screen.splitlines() for hit in _fg_at_ids(line)]
        assert found, screen
        for cid, fg in found:
            assert fg not in ("31", "91", "38;5;1", "38;5;9"), (cid, fg)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=20)
