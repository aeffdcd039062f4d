"""A second backend: cases in this process's memory, nothing on disk.

It exists so that one contract suite (``tests/store/backends/test_contract.py``) runs over two
real implementations of ``CaseStore`` and proves the seam: whatever the board and the command
line need is in the interface, not in TinyDB. It is also what a quick demo or a test of a screen
can run on. Not shared between processes, and gone when the process ends.

Documents are kept as ``Case.to_dict()`` output, copied in and out, so a caller can never change
a stored case by holding on to an object, exactly as with the file backend.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable, Iterable

from ..validate import case_from_dict, check_case
from .. import clock as _clock
from ..base import CaseStore, ChangeInfo, FirstLook, key_of
from ..errors import NotFound, ValidationError
from ..history import check_import, conflict, diff, refuse_taken, reverter
from ..model import Case, HistoryEntry, case_id, case_number
from ..users import login_name


class MemoryStore(CaseStore):
    def __init__(self, *, user: str | None = None, clock: Callable[[], datetime] = _clock.now) -> None:
        self.user = user or login_name()
        self.clock = clock
        self.location = "memory"
        self._docs: dict[int, dict] = {}
        self._last_id = 0
        self._change = ChangeInfo(None, "", "")
        self._lock = threading.RLock()

    # -- reading --------------------------------------------------------------------------
    def refresh(self) -> set[str] | None:
        return set()  # nobody else can write here

    def changed_on_disk(self) -> bool:
        return False

    def get(self, cid: str) -> Case:
        n = case_number(cid)
        with self._lock:
            doc = self._docs.get(n)
        if doc is None:
            raise NotFound(f"no case {case_id(n)}")
        return case_from_dict(doc)

    def cases(self, stage: str | None = None) -> list[Case]:
        with self._lock:
            docs = [self._docs[n] for n in sorted(self._docs)]
        return [case_from_dict(d) for d in docs if stage is None or d.get("stage") == stage]

    def count(self) -> int:
        return len(self._docs)

    def last_change(self) -> ChangeInfo:
        return self._change

    def last_id(self) -> int:
        return max(self._last_id, max(self._docs, default=0))

    def order_keys(self) -> list[tuple[str, str, str, str]]:
        with self._lock:
            return [key_of(self._docs[n]) for n in sorted(self._docs)]

    def first_look(self, per_stage: int, threshold: int) -> FirstLook | None:
        with self._lock:
            if len(self._docs) < threshold:
                return None
            docs = [self._docs[n] for n in sorted(self._docs)]
        return FirstLook.of(docs, per_stage)

    # -- writing --------------------------------------------------------------------------
    def _stamp(self, what: str, now: datetime) -> None:
        self._change = ChangeInfo(now, self.user, what)

    def create(self, case: Case) -> Case:
        now = self.clock()
        with self._lock:
            n = max(self._last_id, max(self._docs, default=0)) + 1
            case.created_at = case.created_at or now
            case.created_by = self.user
            case.id = case_id(n)
            check_case(case, now=now)
            case.rev = 1
            case.history = [HistoryEntry(now, self.user, "create", f"{case.supplier}: {case.title or case.order}")]
            self._docs[n] = case.to_dict()
            self._last_id = n
            self._stamp(case.id, now)
        return case_from_dict(self._docs[n])

    def update(self, cid: str, change, *, expected_rev: int | None = None, fields: Iterable[str] = ()) -> Case:
        now = self.clock()
        n = case_number(cid)
        with self._lock:
            raw = self._docs.get(n)
            if raw is None:
                raise NotFound(f"no case {case_id(n)}")
            if expected_rev is not None and raw.get("rev") != expected_rev:
                raise conflict(raw, expected_rev, fields)
            case = case_from_dict(raw)
            action, detail, *ref = change(case)
            check_case(case, now=now, before=raw)
            new = case.to_dict()
            undo = diff(raw, new)
            if not undo:
                raise ValidationError(f"nothing changed in {case.id}")
            case.rev = raw.get("rev", 0) + 1
            case.history.append(HistoryEntry(now, self.user, action, detail, undo, ref[0] if ref else None))
            self._docs[n] = case.to_dict()
            self._stamp(case.id, now)
            return case_from_dict(self._docs[n])

    def undo(self, cid: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        return self.update(cid, reverter("undo", by), expected_rev=expected_rev)

    def redo(self, cid: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        return self.update(cid, reverter("redo", by), expected_rev=expected_rev)

    def import_cases(self, cases: Iterable[Case]) -> int:
        incoming = list(cases)
        seen = check_import(incoming, self.clock())
        now = self.clock()
        with self._lock:
            refuse_taken(seen, self._docs)
            for c in incoming:
                n = case_number(c.id)
                c.id = case_id(n)
                c.rev = max(c.rev, 1)
                c.history.append(HistoryEntry(now, self.user, "import", ""))
                self._docs[n] = c.to_dict()
            self._last_id = max([self._last_id, *seen]) if seen else self._last_id
            if incoming:
                self._stamp(f"{len(incoming)} cases", now)
        return len(incoming)

    def close(self) -> None:
        pass


__all__ = ["MemoryStore"]
