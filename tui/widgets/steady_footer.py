"""Textual's Footer, recomposed only when the keys it shows changed.

Textual's ``Footer`` throws its key widgets away and builds them again whenever the screen's
bindings are refreshed: each time its screen is shown, and on every focus change. At 10,000
cases that was about a third of the CPU of opening Today (each ``FooterKey`` restyled one by
one). ``SteadyFooter`` compares what it would show (key, label, enabled, tooltip of each shown
binding) with what it shows and does nothing when they are the same. It overrides
``Footer.bindings_changed`` and reads its ``_bindings_ready``: written against textual==8.2.8,
the version pyproject.toml pins; re-read Footer when that pin moves (tests/tui/screens/board's
footer test fails if the keys stop being redrawn).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def _shown(screen: Screen) -> tuple:
    return tuple((b.key, b.action, b.description, enabled, tooltip)
                 for (_node, b, enabled, tooltip) in screen.active_bindings.values() if b.show)


class SteadyFooter(Footer):
    _showing: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = _shown(screen)
            if shown == self._showing:
                return
            self._showing = shown
        super().bindings_changed(screen)


__all__ = ["SteadyFooter"]
