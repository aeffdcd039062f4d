"""A minimal host app for the extra screens, and helpers shared by their tests."""

from __future__ import annotations

from tests.support import NOW  # noqa: F401 - the one instant every test uses
import threading
import unicodedata

from textual.app import App
from textual.widgets import Static

from tests.support.board import screen_text  # noqa: F401 - one reader of the screen for every test

from tui.themes import builtin_themes, DEFAULT_THEME


class Host(App):
    """Stands in for DisputeApp: its themes, a store lock, and a record of the messages the
    screens send to the app. Not its stylesheet: the screens carry their own DEFAULT_CSS, and
    tui/app.tcss is another engineer's file in flux (these tests must not depend on it)."""

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.store_lock = threading.Lock()
        self.opened: list[str] = []
        self.changed: list[tuple[str, ...]] = []

    def compose(self):
        yield Static("board", id="host-board")

    def on_mount(self) -> None:
        for t in builtin_themes():
            self.register_theme(t)
        self.theme = DEFAULT_THEME
        self.push_screen(self.make_screen())

    def on_open_case(self, msg) -> None:
        self.opened.append(msg.case_id)

    def on_cases_changed(self, msg) -> None:
        self.changed.append(msg.ids)


async def settle(pilot, times: int = 3) -> None:
    """Let workers finish and their messages land."""
    for _ in range(times):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()




def assert_no_controls(app) -> None:
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            bad = [ch for ch in seg.text if unicodedata.category(ch).startswith("C")]
            assert not bad, (seg.text, bad)
