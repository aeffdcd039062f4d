"""The small interface the board and the command line program against.

The file store (``store.TinyStore``) is one implementation; a server-backed store could be
another without the UI changing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from .model import Case


class ChangeInfo:
    """Who last changed the database, and when (for the status line)."""

    __slots__ = ("at", "user", "case")

    def __init__(self, at: datetime | None, user: str, case: str):
        self.at, self.user, self.case = at, user, case


class CaseStore(ABC):
    user: str
    location: str  # shown to people: a path or a URL

    @abstractmethod
    def refresh(self) -> set[str] | None:
        """Pick up other people's changes: the ids that changed, set() for none, None for all."""

    @abstractmethod
    def get(self, case_id: str) -> Case:
        """A fresh copy of one case (safe to change). Raises NotFound."""

    @abstractmethod
    def cases(self, stage: str | None = None) -> list[Case]:
        """Every case (or one stage's), in id order. Shared objects: do not change them."""

    @abstractmethod
    def create(self, case: Case) -> Case:
        """Store a new case; its id is allocated here and is never reused."""

    @abstractmethod
    def update(self, case_id: str, change: Callable[[Case], tuple[str, str]], *,
               expected_rev: int | None = None, fields: Iterable[str] = ()) -> Case:
        """Apply ``change`` to the current case under the lock; refuse a stale ``expected_rev``
        (a ConflictError naming who changed which fields since; ``fields`` are the ones this
        change writes, so the refusal can say which both changed)."""

    @abstractmethod
    def undo(self, case_id: str, *, expected_rev: int | None = None) -> Case:
        """Revert the case's last change (recorded as a change of its own)."""

    @abstractmethod
    def redo(self, case_id: str, *, expected_rev: int | None = None) -> Case:
        """Re-apply what the case's last undo reverted."""

    @abstractmethod
    def import_cases(self, cases: Iterable[Case]) -> int:
        """Add cases keeping their ids; all or nothing."""

    @abstractmethod
    def last_change(self) -> ChangeInfo:
        ...

    @abstractmethod
    def close(self) -> None:
        ...

    def path(self) -> Path | None:
        return None
