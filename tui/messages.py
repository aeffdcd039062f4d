"""Messages more than one screen uses: what the workers send back (cases loaded, saved, a save
refused, evidence marked and checked), what a screen tells the app (open a case or its statement,
the board is ready, the status is stale, cases changed) and a save's answer to the form that asked.
Attributes down, messages up: the app and its loader call the screens' methods; a screen or a
widget never calls the app's, it posts one of these.

They carry immutable ``Case`` snapshots; the UI thread only reads them."""

from __future__ import annotations

import itertools
from decimal import Decimal

from textual.message import Message

from store import Case


class CasesLoaded(Message):
    """Cases from the store, per stage, most urgent first.

    ``partial`` is the quick first look at a large database: the first cards of each stage in
    id order and the true per-stage totals (``totals``), sent before every case is decoded."""

    def __init__(self, gen: int, by_stage: dict[str, list[Case]], counts: tuple[int, int] | None,
                 select: str | None, changed: set[str] | None, elapsed: float, partial: bool = False,
                 totals: dict[str, tuple[int, Decimal, set[str]]] | None = None) -> None:
        super().__init__()
        self.gen, self.by_stage, self.counts = gen, by_stage, counts
        self.select, self.changed, self.elapsed = select, changed, elapsed
        self.partial, self.totals = partial, totals


_tickets = itertools.count(1)


def new_ticket() -> int:
    """A number for one asker of saves (a form, an edit in $EDITOR), unique in this process."""
    return next(_tickets)


class CaseSaved(Message):
    """A save went through. ``ticket`` names who asked (a form, an edit in $EDITOR; None: a key):
    a number, never the asker itself, so a closed form is simply nobody to answer."""

    def __init__(self, case: Case, detail: str, ticket: int | None, undoable: bool = True) -> None:
        super().__init__()
        self.case, self.detail, self.ticket, self.undoable = case, detail, ticket, undoable


class SaveFailed(Message):
    def __init__(self, error: str, conflict: bool, ticket: int | None, user: str = "",
                 rev: int | None = None, both: list[str] | None = None) -> None:
        super().__init__()
        self.error, self.conflict, self.ticket, self.user = error, conflict, ticket, user
        self.rev = rev
        self.both = both or []  # fields the refused save and the colleague both changed


class SaveAnswered(Message):
    """The answer to the save with ``ticket``, posted to the screen in front (the form that asked
    waits there): ``error`` None when saved; ``rev`` the revision a refused save met (a conflict),
    which saving the same form again deliberately overwrites."""

    def __init__(self, ticket: int, error: str | None = None, rev: int | None = None) -> None:
        super().__init__()
        self.ticket, self.error, self.rev = ticket, error, rev


class EvidenceMarked(Message):
    def __init__(self, changed: set[str]) -> None:
        super().__init__()
        self.changed = changed


class EvidenceChecked(Message):
    def __init__(self, case_id: str, rev: int, states: dict[int, str], final: bool = False) -> None:
        super().__init__()
        self.case_id, self.rev, self.states, self.final = case_id, rev, states, final


def answer(app, ticket: int, error: str | None = None, rev: int | None = None) -> None:
    """Tell the form holding ``ticket`` how its save went: it waits in front (``app.screen``);
    anyone else there ignores an answer that is not theirs."""
    app.screen.post_message(SaveAnswered(ticket, error, rev))


class OpenCase(Message):
    """Open this case (enter on a row). The app selects it on the board and shows it."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class OpenStatement(Message):
    """Open the statement and packet screen for this case."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class BoardReady(Message):
    """The board screen is mounted: the app loads the cases and starts the one clock."""


class StatusStale(Message):
    """Something a status line shows changed (the board's filter): the app tells them again."""


class CasesChanged(Message):
    """These cases were saved from a screen outside the board: reload the board."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        super().__init__()
        self.ids = ids
