"""The small interface the board and the command line program against.

Two implementations: the shared file (``store.backends.tinydb.TinyStore``) and memory
(``store.backends.memory.MemoryStore``); one contract suite runs over both
(``tests/store/backends/test_contract.py``). A server-backed store would be a third, without the
board or the command line changing: they use only what is declared here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable, Iterator

from .validate import case_from_dict
from .model import STAGES, Case


class ChangeInfo:
    """Who last changed the database, and when (for the status line)."""

    __slots__ = ("at", "user", "case")

    def __init__(self, at: datetime | None, user: str, case: str):
        self.at, self.user, self.case = at, user, case


def key_of(doc: dict) -> tuple[str, str, str, str]:
    """``order_keys`` row from a stored case document (``Case.to_dict()`` form); text only."""
    def t(k: str, default: str = "") -> str:
        v = doc.get(k, default)
        return v if isinstance(v, str) else str(v) if v is not None else default
    return t("id"), t("platform", "alibaba"), t("order"), t("platform_ref")


class FirstLook:
    """Enough to paint the board before every case is decoded: each stage's true count, sum
    claimed and currencies, and its first ``per_stage`` cases in id order."""

    __slots__ = ("totals", "first")

    def __init__(self, totals: dict[str, tuple[int, Decimal, set[str]]], first: dict[str, list[Case]]):
        self.totals, self.first = totals, first

    @classmethod
    def of(cls, docs: Iterable[dict], per_stage: int) -> FirstLook:
        """From stored case documents (``Case.to_dict()`` form), in id order."""
        return cls.of_parts(((d, lambda d=d: d) for d in docs), per_stage)

    @classmethod
    def of_parts(cls, parts: Iterable[tuple[dict, Callable[[], dict]]], per_stage: int) -> FirstLook:
        """From (the document's stage/amount/claimed/currency, a loader of the whole document)
        pairs in id order: only the cases painted first are loaded whole."""
        totals: dict[str, tuple[int, Decimal, set[str]]] = {}
        first: dict[str, list[Case]] = {s: [] for s in STAGES}
        for doc, whole in parts:
            stage = doc.get("stage", "seller")
            n, total, curs = totals.get(stage, (0, Decimal(0), set()))
            try:
                claim = Decimal(str(doc.get("claimed") or doc.get("amount") or "0"))
            except InvalidOperation:
                claim = Decimal(0)
            totals[stage] = (n + 1, total + claim, curs | {str(doc.get("currency", ""))})
            if len(first.setdefault(stage, [])) < per_stage:
                first[stage].append(case_from_dict(whole()))
        return cls(totals, first)


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
    def undo(self, case_id: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        """Revert the case's last change (recorded as a change of its own). With ``by``, only a
        change that user made (``history.NotYours`` names whose it is, otherwise)."""

    @abstractmethod
    def redo(self, case_id: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        """Re-apply what the case's last undo reverted (with ``by``: an undo that user made)."""

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
        """The file behind the store, if there is one (the board names it; backups go beside it)."""
        return None

    def changed_on_disk(self) -> bool:
        """Cheap: has anyone else written since the last ``refresh``? (The board polls it.)"""
        return False

    def last_id(self) -> int:
        """The highest case number ever handed out (ids are never reused, even after deletion)."""
        return max((c.number for c in self.cases()), default=0)

    @contextmanager
    def exclusive_run(self, name: str) -> Iterator[bool]:
        """Hold ``name``'s run lock for the block, never waiting: True when this run holds it,
        False when another run (another process) does. One process only here: always True."""
        yield True

    def order_keys(self) -> list[tuple[str, str, str, str]]:
        """``(id, platform, order, platform_ref)`` of every case, in id order: what an import's
        duplicate check needs, read without decoding whole cases (backends override it cheaply)."""
        return [(c.id, c.platform, c.order, c.platform_ref) for c in self.cases()]

    def board_cases(self, stage: str | None = None) -> list[Case]:
        """Every case, in id order, as the board's columns and Today need them: possibly *light*
        (``getattr(case, "light", False)``: messages without their text, no history, description
        or statement), so a large store paints without decoding whole cases. A light case is
        never written back and never shown whole: open or change a case through ``get`` (and the
        session's ``update``, which applies its change to the stored case). Shared objects: do
        not change them. ``stage``: that stage's only. Default: the full cases."""
        return self.cases(stage)

    def board_cases_quick(self, threshold: int = 2000) -> bool:
        """``board_cases`` will be quick: fewer than ``threshold`` cases, or (a backend that
        keeps a summary) most of them known to it. Nothing is decoded to say so."""
        return self.count() < threshold

    def save_summary(self, soon: bool = True) -> None:
        """Write what makes the next ``board_cases`` quick, if the backend keeps anything
        (``store.summary``); ``soon``: only when enough is new. Housekeeping: never raises.
        The board's load worker calls it outside its store lock; ``close`` writes the rest."""

    def first_look(self, per_stage: int, threshold: int) -> FirstLook | None:
        """For a store of at least ``threshold`` cases, what the board paints first; None when
        decoding everything is quick anyway (or the backend cannot do better)."""
        return None
