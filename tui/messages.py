"""Messages more than one screen uses: what the workers send back (cases loaded, saved, a save
refused, evidence marked and checked) and what a screen tells the app (open a case, cases changed).

They carry immutable ``Case`` snapshots; the UI thread only reads them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


class CaseSaved(Message):
    def __init__(self, case: Case, detail: str, requester: Any, undoable: bool = True) -> None:
        super().__init__()
        self.case, self.detail, self.requester, self.undoable = case, detail, requester, undoable


class SaveFailed(Message):
    def __init__(self, error: str, conflict: bool, requester: Any, user: str = "",
                 rev: int | None = None, both: list[str] | None = None) -> None:
        super().__init__()
        self.error, self.conflict, self.requester, self.user = error, conflict, requester, user
        self.rev = rev
        self.both = both or []  # fields the refused save and the colleague both changed


class EvidenceMarked(Message):
    def __init__(self, changed: set[str]) -> None:
        super().__init__()
        self.changed = changed


class EvidenceChecked(Message):
    def __init__(self, case_id: str, rev: int, states: dict[int, str], final: bool = False) -> None:
        super().__init__()
        self.case_id, self.rev, self.states, self.final = case_id, rev, states, final


class OpenCase(Message):
    """Open this case (enter on a row). The app selects it on the board and shows it."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class CasesChanged(Message):
    """These cases were saved from a screen outside the board: reload the board."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        super().__init__()
        self.ids = ids
