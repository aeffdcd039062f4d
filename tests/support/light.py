"""Light cases for the board tests, built the way ``CaseStore.board_cases`` documents them
(store/base.py): messages without their text, no history, description or statement, and
``light`` set. ``LightTinyStore`` is the real TinyStore on a real file whose ``board_cases``
returns such copies, so the board can be tested on light cases before a backend makes them
itself. It also counts full reads (``cases()``), so a test can see what read everything."""

from __future__ import annotations

import copy

from store import Case, TinyStore
from store.model import Message


def light_copy(case: Case) -> Case:
    c = copy.copy(case)
    c.messages = [Message(m.at, m.sender, "", m.by) for m in case.messages]
    c.history = []
    c.description = ""
    c.statement = ""
    c.light = True  # type: ignore[attr-defined]
    return c


class LightTinyStore(TinyStore):
    full_reads = 0

    def cases(self, stage: str | None = None) -> list[Case]:
        self.full_reads += 1
        return super().cases(stage)

    def board_cases(self) -> list[Case]:
        return [light_copy(c) for c in super().cases()]
