"""What the help screen and the command palette offer: the keys of the screen in front, and the
commands that apply to it and to the case selected.

Functions of the app, not methods: the app calls ``key_rows`` for ``?`` and ``palette`` from
``get_system_commands``; both read the live bindings and the case, and act through the app's
actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from store import STAGE_TITLES, STAGES, negotiation

from .safe import clean
from .screens.board import BoardScreen
from .screens.detail import DetailScreen

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


def palette(app: "DisputeApp", screen: Screen) -> Iterable[SystemCommand]:
    """The palette's commands on ``screen``: the selected case's first, then the board's, themes, quit."""
    case = app.current_case(screen) if isinstance(screen, (BoardScreen, DetailScreen)) else None
    if case is not None:
        idx = STAGES.index(case.stage)
        if isinstance(screen, BoardScreen):
            yield SystemCommand(f"Open {case.id}", "Show the whole case", screen.action_open_case)
        if idx + 1 < len(STAGES):
            yield SystemCommand(f"Move {case.id} to {STAGE_TITLES[STAGES[idx + 1]]}", "Next stage (L)",
                                lambda: screen.action_move(1))
        if idx > 0:
            yield SystemCommand(f"Move {case.id} back to {STAGE_TITLES[STAGES[idx - 1]]}",
                                "Previous stage (H)", lambda: screen.action_move(-1))
        yield SystemCommand(f"Log a message on {case.id}", "m", screen.action_message)
        yield SystemCommand(f"Attach evidence to {case.id}", "a", screen.action_attach)
        yield SystemCommand(f"Add a deadline to {case.id}", "d", screen.action_deadline)
        yield SystemCommand(f"Edit {case.id}", "e", screen.action_edit)
        yield SystemCommand(f"Record a proposal on {case.id}", "o", screen.action_offer)
        found = negotiation.open_proposal(case)
        if found is not None and case.stage != "resolved":
            n, p = found
            what = f"#{n} {p.sender}: {p.kind.replace('_', ' ')} {p.amount} {case.currency}"
            yield SystemCommand(f"Accept proposal {what}", "Agreement: the case moves to Resolved",
                                lambda: screen.answer_offer("accepted"))
            yield SystemCommand(f"Reject proposal {what}", "Closes it; the case stays where it is",
                                lambda: screen.answer_offer("rejected"))
    if isinstance(screen, (BoardScreen, DetailScreen)):
        yield SystemCommand("New case", "n", screen.action_new_case)
        if app.session.can_undo or case is not None:
            yield SystemCommand("Undo the last change", "u", screen.action_undo)
        if app.session.can_redo:
            yield SystemCommand("Redo what was undone", "ctrl+r", screen.action_redo)
        yield SystemCommand("Today: what needs me, most urgent first", "t", app.action_today)
        yield SystemCommand("Outcomes: claimed vs recovered, per supplier and reason", "s", app.action_stats)
        if case is not None:
            yield SystemCommand(f"Statement and packet for {case.id}", "S", screen.action_statement)
        for i, view in enumerate(app.cfg.data.get("views", [])[:9], 1):
            yield SystemCommand(f"View {i}: {clean(str(view.get('name', '')))}", clean(str(view.get("query", ""))),
                                lambda i=i: app.action_view(i))
    if isinstance(screen, BoardScreen):
        yield SystemCommand("Filter cases", "/", screen.action_filter)
        if screen.filter_text:
            yield SystemCommand("Clear the filter", "esc", screen.action_clear_filter)
    for name in app.board_themes:
        if name != app.theme:
            yield SystemCommand(f"Theme: {name}", "Switch theme (remembered)",
                                lambda name=name: app.choose_theme(name))
    yield SystemCommand("Keys", "Every key on this screen (?)", app.action_help)
    yield SystemCommand("Quit", "Leave the board (q)", app.action_quit)
