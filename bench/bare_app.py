#!/usr/bin/env python3
"""The floor for the board: a bare Textual app (a title line, five Static "columns", a status
line; nothing loaded). bench/figures.py launches it exactly as it launches the board (a real
process on a real pty) and reads its first frame from bench/marks.py. Its keys are the floor
for the board's: j/k/h/l redraw one column's text, enter and t push a one-Static screen
(escape pops it)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from textual.app import App, ComposeResult  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.containers import Horizontal  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Static  # noqa: E402

from marks import Marks  # noqa: E402

STAGES = ("Seller", "Dispute", "Evidence", "Mediation", "Resolved")


class Pushed(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Static("a pushed screen")


class Bare(Marks, App):
    CSS = "Horizontal { height: 1fr; } .col { width: 1fr; border: round $primary; }"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("j", "row(1)"), Binding("k", "row(-1)"),
                Binding("l", "col(1)"), Binding("h", "col(-1)"), Binding("enter", "push"), Binding("t", "push")]

    def __init__(self) -> None:
        super().__init__()
        self.row = self.col = 0

    def compose(self) -> ComposeResult:
        yield Static("Bare Textual app")
        with Horizontal():
            for name in STAGES:
                yield Static(name, classes="col")
        yield Static("status", id="status")

    def _show(self) -> None:
        for i, col in enumerate(self.query(".col").results(Static)):
            col.update(f"{STAGES[i]}\n> row {self.row}" if i == self.col else STAGES[i])

    def action_row(self, step: int) -> None:
        self.row = max(0, self.row + step)
        self._show()

    def action_col(self, step: int) -> None:
        self.col = min(len(STAGES) - 1, max(0, self.col + step))
        self._show()

    def action_push(self) -> None:
        self.push_screen(Pushed())


if __name__ == "__main__":
    Bare().run()
