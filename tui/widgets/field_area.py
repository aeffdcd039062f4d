"""A form's multi-line field (``tui.screens.forms``), apart so that Textual's TextArea (~9 ms of
import) is imported when a form with one opens, not when the board starts."""

from __future__ import annotations

from textual.widgets import TextArea


class FieldArea(TextArea):
    """A form's multi-line field. ``value`` reads and sets the text, as an Input's does."""

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
