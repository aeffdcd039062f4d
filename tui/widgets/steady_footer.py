"""The keys of the screen, on one line: ONE widget drawing one line of text, redrawn only when
the keys it shows changed.

Textual's ``Footer`` is a container of one ``FooterKey`` widget per key (ten on Today), thrown
away and mounted again whenever its screen's bindings are refreshed. A kept screen shown again
(enter, ``t``) restyled every one of them, and the board's footer, below the pushed screen,
rebuilt its keys on each push and pop (the app's check_action dims ``t`` while Today is on
top), which repainted the screen on top twice more: about 70 ms of each ``t`` at 10,000 cases.

``SteadyFooter`` looks the same as ``Footer`` (the same theme variables: key, description,
the command palette key at the right behind a thin rule, a disabled key dimmed) and acts the
same: a click on a key presses it (a disabled one rings the bell), the key under the mouse is
highlighted and shows its tooltip. It reads the shown bindings only while its screen is the one
on top; a screen shown again reads them then (Textual refreshes the bindings on resume) and
nothing is redrawn when they are the same.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.segment import Segment
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class Key(NamedTuple):
    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str


def shown_keys(screen: Screen) -> tuple[tuple[Key, ...], Key | None]:
    """What Textual's Footer shows for ``screen``: the first shown binding of each action, in
    binding order, and the command palette's key (None when the app has no palette)."""
    app = screen.app
    active = screen.active_bindings
    seen: set[str] = set()
    keys: list[Key] = []
    for _node, b, enabled, tooltip in active.values():
        if not b.show or b.action in seen:
            continue
        seen.add(b.action)
        keys.append(Key(b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip or ""))
    palette = None
    if app.ENABLE_COMMAND_PALETTE:
        hit = active.get(app.COMMAND_PALETTE_BINDING)
        if hit is not None:
            _node, b, enabled, _tooltip = hit
            palette = Key(b.key, app.get_key_display(b), b.description, b.action, enabled,
                          b.tooltip or b.description)
    return tuple(keys), palette


def _seen(screen: Screen) -> bool:
    """Whether ``screen`` shows: on top, or below screens that all let it show through (a
    form). Below an opaque screen (Today, the detail) its footer is not redrawn: the app dims
    some keys of a screen not on top, and its resume refreshes the bindings again."""
    stack = screen.app.screen_stack
    if screen not in stack:
        return False
    return all(s.styles.background.a < 1 for s in stack[stack.index(screen) + 1:])


class SteadyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    DEFAULT_CSS = """
    SteadyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
    }
    SteadyFooter > .footer-key--item { background: $footer-item-background; }
    SteadyFooter > .footer-key--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    SteadyFooter > .footer-key--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    SteadyFooter > .footer-key--hover { color: $footer-key-foreground; background: $block-hover-background; }
    SteadyFooter > .footer-key--rule { color: $foreground 20%; }
    """
    COMPONENT_CLASSES = {"footer-key--item", "footer-key--key", "footer-key--description", "footer-key--hover",
                         "footer-key--rule"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.keys: tuple[Key, ...] = ()
        self.palette: Key | None = None
        self._hover: Key | None = None
        self._spans: list[tuple[int, int, Key]] = []  # (start, end) cells of each key drawn

    # -- what is shown -------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen or not _seen(screen):
            return
        keys, palette = shown_keys(screen)
        if keys == self.keys and palette == self.palette:
            return
        self.keys, self.palette = keys, palette
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------
    def _key_parts(self, k: Key, compact: bool = False) -> list[Segment]:
        """One key as FooterKey draws it: `` key description `` (the palette's key is drawn
        compact there: ``key description``)."""
        base = self._style("footer-key--item")
        if not k.enabled:
            base = base + Style(dim=True)
        over = Style(bgcolor=self._style("footer-key--hover").bgcolor) if k is self._hover else Style()
        pad = "" if compact else " "
        parts = [Segment(f"{pad}{k.display}{pad}", base + self._style("footer-key--key") + over)]
        if k.description:
            parts.append(Segment(f" {k.description}" if compact else f"{k.description} ",
                                 base + self._style("footer-key--description") + over))
        return parts

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        blank = Style(bgcolor=self.rich_style.bgcolor)  # between keys and after them: the background
        if y != 0 or width <= 0:
            return Strip.blank(width, blank)
        spans: list[tuple[int, int, Key]] = []
        right: list[Segment] = []
        p = self.palette
        if p is not None:
            right = [Segment("▏", self._style("footer-key--rule")), *self._key_parts(p, compact=True),
                     Segment(" ", Style(bgcolor=self._style("footer-key--item").bgcolor))]  # its padding
        right_len = sum(s.cell_length for s in right)
        if right_len > width:
            right, right_len = [], 0
        room = width - right_len
        left: list[Segment] = []
        x = 0
        for k in self.keys:
            if x >= room:
                break
            parts = self._key_parts(k)
            n = sum(s.cell_length for s in parts)
            spans.append((x, min(room, x + n), k))
            left += parts
            x += n
        strip = Strip(left).adjust_cell_length(room, blank)
        if right:
            spans.append((room + 1, width, p))
            strip = Strip.join([strip, Strip(right, right_len)])
        self._spans = spans
        return strip

    # -- the mouse -----------------------------------------------------------------------------
    def _key_at(self, x: int) -> Key | None:
        return next((k for start, end, k in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        k = self._key_at(event.x)
        if k is None:
            return
        if not k.enabled:
            self.app.bell()
        else:
            self.app.simulate_key(k.key)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, k: Key | None) -> None:
        if k is self._hover:
            return
        self._hover = k
        self.tooltip = (k.tooltip or None) if k is not None else None
        self.refresh()


__all__ = ["SteadyFooter", "shown_keys"]
