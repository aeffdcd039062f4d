"""The help screen: every key of the screen below it, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, with what it does."""
    BOARD_KIND = "help"

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        parts: list = [(self.title_text, "bold"), ("\n", "")]
        width = max((len(k) for k, _ in self.rows), default=4) + 2
        for key, desc in self.rows:
            parts += [("\n", ""), (f"{key:<{width}}", "bold $accent"), (desc, "")]
        parts += [("\n\nCards ", "bold"), ("(most urgent first): !! overdue hard  ! overdue  ~ due soon  "
                                            "✗ev evidence missing  Δev evidence changed  ▌ selected",
                                            "$text-muted")]
        with Vertical(id="help-box"):
            with VerticalScroll(id="help-scroll"):
                yield Static(Content.assemble(*parts), id="help-text")
            yield Static(Content("esc to close"), id="help-foot")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()  # arrows and page keys scroll a long list

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
