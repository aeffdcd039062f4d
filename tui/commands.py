"""What the help screen and the command palette offer: the keys of the screen in front, and the
commands that apply to it and to the case selected.

``key_rows`` is what ``?`` shows; ``BoardCommands`` is the palette's provider (``App.COMMANDS``),
offering ``palette``: only what applies now, each with its key as the live keymap has it
(``[keys]`` in the config), acting through the screen's and the app's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from store import STAGE_TITLES, STAGES, negotiation

from .safe import clean
from .screens.board import BoardScreen
from .screens.base import kind

if TYPE_CHECKING:
    from .app import DisputeApp

# Binding ids in these namespaces are ours; the rest are Textual's container defaults.
OUR_BINDING_NAMESPACES = {"board", "case", "app", "detail", "form", "help", "today", "stats", "statement"}


def key_rows(app: "DisputeApp", screen: Screen) -> list[tuple[str, str]]:
    """Every key of ``screen`` that can act now, with what it does, for the help screen."""
    # Keys bound under several names show once, with all their names; only the board's own
    # bindings (ids in our namespaces), not the scroll/focus defaults of Textual's containers.
    keymap: dict[str, list[str]] = {}
    bindings: dict[str, Binding] = {}
    for namespace, bmap in screen._modal_binding_chain:
        for key, b in bmap:
            if not b.id or b.id.split(".")[0] not in OUR_BINDING_NAMESPACES or not b.description:
                continue
            if app._check_action_state(b.action, namespace) is False:
                continue
            keymap.setdefault(b.id, []).append(key)
            bindings.setdefault(b.id, b)
    rows: list[tuple[str, str]] = []
    for ident, keys in keymap.items():
        b = bindings[ident]
        shown = " ".join(dict.fromkeys(app.get_key_display(Binding(k, b.action)) for k in keys))
        rows.append((shown, b.description))
    rows.append(("ctrl+p", "Command palette (what applies now)"))
    return rows


def live_keys(app: "DisputeApp", screen: Screen) -> dict[str, str]:
    """Binding id -> the keys that run it on ``screen`` now, as shown (the keymap applied)."""
    keys: dict[str, list[str]] = {}
    for _, bmap in screen._modal_binding_chain:
        for key, b in bmap:
            if b.id:
                keys.setdefault(b.id, []).append(app.get_key_display(Binding(key, b.action)))
    return {ident: "/".join(dict.fromkeys(shown)) for ident, shown in keys.items()}


def palette(app: "DisputeApp", screen: Screen) -> Iterable[SystemCommand]:
    """The palette's commands on ``screen``: the selected case's first, then the board's, themes, quit."""
    keys = live_keys(app, screen)

    def key(ident: str, text: str = "") -> str:
        """``text`` with the key of binding ``ident`` (just the key without ``text``)."""
        shown = keys.get(ident, "")
        return f"{text} ({shown})" if text and shown else (text or shown)
    case = app.current_case(screen) if kind(screen) in ("board", "detail") else None
    if case is not None:
        idx = STAGES.index(case.stage)
        if isinstance(screen, BoardScreen):
            yield SystemCommand(f"Open {case.id}", "Show the whole case", screen.action_open_case)
        if idx + 1 < len(STAGES):
            yield SystemCommand(f"Move {case.id} to {STAGE_TITLES[STAGES[idx + 1]]}", key("case.next_stage", "Next stage"),
                                lambda: screen.action_move(1))
        if idx > 0:
            yield SystemCommand(f"Move {case.id} back to {STAGE_TITLES[STAGES[idx - 1]]}",
                                key("case.prev_stage", "Previous stage"), lambda: screen.action_move(-1))
        yield SystemCommand(f"Log a message on {case.id}", key("case.message"), screen.action_message)
        yield SystemCommand(f"Attach evidence to {case.id}", key("case.attach"), screen.action_attach)
        yield SystemCommand(f"Add a deadline to {case.id}", key("case.deadline"), screen.action_deadline)
        yield SystemCommand(f"Edit {case.id}", key("case.edit"), screen.action_edit)
        yield SystemCommand(f"Record a proposal on {case.id}", key("case.offer"), screen.action_offer)
        found = negotiation.open_proposal(case)
        if found is not None and case.stage != "resolved":
            n, p = found
            what = f"#{n} {p.sender}: {p.kind.replace('_', ' ')} {p.amount} {case.currency}"
            yield SystemCommand(f"Accept proposal {what}", "Agreement: the case moves to Resolved",
                                lambda: screen.answer_offer("accepted"))
            yield SystemCommand(f"Reject proposal {what}", "Closes it; the case stays where it is",
                                lambda: screen.answer_offer("rejected"))
    if kind(screen) in ("board", "detail"):
        yield SystemCommand("New case", key("case.new"), screen.action_new_case)
        if app.session.can_undo or case is not None:
            yield SystemCommand("Undo the last change", key("case.undo"), screen.action_undo)
        if app.session.can_redo:
            yield SystemCommand("Redo what was undone", key("case.redo"), screen.action_redo)
        yield SystemCommand("Today: what needs me, most urgent first", key("app.today"), app.action_today)
        yield SystemCommand("Outcomes: claimed vs recovered, per supplier and reason", key("app.stats"), app.action_stats)
        if case is not None:
            yield SystemCommand(f"Statement and packet for {case.id}", key("case.statement"), screen.action_statement)
        for i, view in enumerate(app.cfg.data.get("views", [])[:9], 1):
            yield SystemCommand(f"View {i}: {clean(str(view.get('name', '')))}", clean(str(view.get("query", ""))),
                                lambda i=i: app.action_view(i))
    if isinstance(screen, BoardScreen):
        yield SystemCommand("Filter cases", key("board.filter"), screen.action_filter)
        if screen.filter_text:
            yield SystemCommand("Clear the filter", key("board.clear_filter"), screen.action_clear_filter)
    for name in app.board_themes:
        if name != app.theme:
            yield SystemCommand(f"Theme: {name}", "Switch theme (remembered)",
                                lambda name=name: app.choose_theme(name))
    yield SystemCommand("Keys", key("app.help", "Every key on this screen"), app.action_help)
    yield SystemCommand("Quit", key("app.quit", "Leave the board"), app.action_quit)


class BoardCommands(Provider):
    """The command palette (ctrl+p): ``palette`` for the screen it was opened on."""

    def _commands(self) -> list[SystemCommand]:
        return list(palette(self.app, self.screen))  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback, help=command.help)
