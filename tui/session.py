"""The one writer: every change the board makes to a case goes through a ``Session``.

The board's forms, Today's bulk actions and the statement screen all save here, so there is one
conflict policy, one store lock and one undo history for the person at the keyboard. It knows
nothing of Textual: screens call it from their worker threads and post what it returns as
messages; the tests drive it without a terminal.

Undo works in *steps*: one step is whatever one action of the user saved (one case for a form,
every case a bulk snooze touched). ``undo()`` reverts the newest step, newest case first, and
``redo()`` re-applies it; a new change ends the redo chain, as in every editor. The store keeps
the per-case history that makes this possible (``CaseStore.undo``/``redo``); the session only
remembers which of those changes were this person's, in this session, and in which order.

Thread safety: every store call is made holding ``self.lock`` (the store is not thread-safe);
the undo and redo stacks are only changed under it too, so two workers finishing at once cannot
interleave their steps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from store import Case, ConflictError, StoreError
from store.base import CaseStore
from store.history import NotYours

Change = Callable[[Case], tuple]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Saved:
    """One case as a save left it: its id and the revision the save produced."""

    case_id: str
    rev: int


@dataclass
class Outcome:
    """What a save, a bulk save, an undo or a redo did: the cases saved and those refused."""

    saved: list[Case] = field(default_factory=list)
    failed: list[tuple[str, StoreError | OSError]] = field(default_factory=list)

    @property
    def ok(self) -> list[str]:
        return [c.id for c in self.saved]


class Session:
    def __init__(self, store: CaseStore, clock: Clock, lock: threading.Lock | None = None) -> None:
        self.store = store
        self.clock = clock
        self.lock = lock or threading.RLock()
        self._undo: list[list[Saved]] = []
        self._redo: list[list[Saved]] = []
        # The revision this session's latest save, undo or redo left each case at: undoing two of
        # my changes to one case in a row expects the revision the first undo produced.
        self._mine: dict[str, int] = {}

    @property
    def user(self) -> str:
        return self.store.user

    # -- reading --------------------------------------------------------------------------------
    def get(self, case_id: str) -> Case:
        with self.lock:
            return self.store.get(case_id)

    def cases(self, stage: str | None = None) -> list[Case]:
        with self.lock:
            return self.store.cases(stage)

    # -- writing --------------------------------------------------------------------------------
    def update(self, case_id: str, change: Change, expected_rev: int | None = None, *,
               fields: Iterable[str] = ()) -> Case:
        """Save ``change`` on one case as one undoable step. Raises what the store raises
        (``ConflictError`` for a stale ``expected_rev``, naming who changed which fields and
        which of ``fields``, the ones this edit touches, they changed too)."""
        with self.lock:
            case = self.store.update(case_id, change, expected_rev=expected_rev, fields=fields)
            self._record([Saved(case.id, case.rev)])
        return case

    def create(self, case: Case) -> Case:
        """A new case. Not undoable from the board: a case once created is never un-created
        (its id is never reused); the history shows who made it."""
        with self.lock:
            return self.store.create(case)

    def bulk(self, jobs: Iterable[tuple[Case, Change]]) -> Outcome:
        """Save each ``(case, change)`` against the revision the caller last saw; the ones that
        saved are ONE undo step, the refused ones are reported and change nothing."""
        out = Outcome()
        steps: list[Saved] = []
        with self.lock:
            for case, change in jobs:
                try:
                    saved = self.store.update(case.id, change, expected_rev=case.rev)
                except (StoreError, OSError) as exc:
                    out.failed.append((case.id, exc))
                    continue
                out.saved.append(saved)
                steps.append(Saved(saved.id, saved.rev))
            if steps:
                self._record(steps)
        return out

    def _record(self, step: list[Saved]) -> None:
        for entry in step:
            self._mine[entry.case_id] = entry.rev
        self._undo.append(step)
        self._redo.clear()  # a new change ends the redo chain

    # -- undo and redo --------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> Outcome:
        """Revert the newest step of this session. A case someone else changed since is refused
        (``ConflictError`` in ``failed``) and stays as they left it; the step is then kept so
        the user can see why and decide. Raises ``LookupError`` when there is nothing to undo."""
        return self._revert(self._undo, self._redo, redo=False)

    def redo(self) -> Outcome:
        return self._revert(self._redo, self._undo, redo=True)

    def _revert(self, source: list[list[Saved]], target: list[list[Saved]], *, redo: bool) -> Outcome:
        with self.lock:
            if not source:
                raise LookupError("Nothing to redo" if redo else "Nothing to undo")
            step = source.pop()
            out = Outcome()
            back: list[Saved] = []
            kept: list[Saved] = []
            for entry in reversed(step):
                revert = self.store.redo if redo else self.store.undo
                try:
                    case = revert(entry.case_id, expected_rev=self._mine.get(entry.case_id, entry.rev))
                except (StoreError, OSError) as exc:
                    out.failed.append((entry.case_id, exc))
                    kept.append(entry)
                    continue
                out.saved.append(case)
                self._mine[case.id] = case.rev
                back.append(Saved(case.id, case.rev))
            if back:
                target.append(list(reversed(back)))
            if kept:
                source.append(list(reversed(kept)))
            return out

    def undo_last_of_mine(self, case: Case) -> Case:
        """With nothing of this session's to undo: revert the user's own last change on ``case``
        (made earlier, or from the command line). Refused when the last change is someone
        else's, or a creation."""
        last = case.history[-1] if case.history else None
        if last is None or last.action in ("create", "import"):
            raise LookupError(f"Nothing of yours to undo on {case.id}")
        with self.lock:
            try:
                # by: the change it reverts must be mine, the one under my own undo too (the
                # command line's rule, history.reverter), checked as the case is at the save
                undone = self.store.undo(case.id, expected_rev=case.rev, by=self.user)
            except NotYours as exc:
                raise LookupError(f"Nothing of yours to undo on {case.id} (last change by {exc.user})") from None
            self._mine[undone.id] = undone.rev
            self._redo.append([Saved(undone.id, undone.rev)])
        return undone


__all__ = ["Session", "Outcome", "Saved", "ConflictError"]
