"""Today's rows without a terminal: which cases are listed, in what order (``TodayRows``), and
what one row says (``row_parts``, ``header_text``). Nothing here imports Textual; the tests
drive it directly, and ``today_list.TodayList`` draws what it returns.

``TodayRows`` keeps the list current case by case. The order and the reasons are
``store.query.today``'s (the one rule: this module only decides which cases to hand it):

* at a new instant (the board's minute) every case is triaged again: ``rebuild``, in a worker;
* at the same instant only the cases whose revision changed, or that are new or gone, are
  triaged again (``update``/``apply``); the rows of the others are kept, and only the rows
  already listed plus the changed ones go through ``today()`` again. A case not listed stays
  out at the same instant unless it changed: ``today()`` of an unchanged case at an unchanged
  instant is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from rich.cells import cell_len

from store import Case, Config
from store.query import Triage, today, triage

from ..safe import clean, crop, fit, money

TriageOf = Callable[[Case, datetime], Triage]


class TodayRows:
    """The listed cases for one instant (``now``), most urgent first, and every case given."""

    def __init__(self, cfg: Config, triage_of: TriageOf | None = None) -> None:
        self.cfg = cfg
        self._triage_of: TriageOf = triage_of or (lambda c, now: triage(c, cfg, now))
        self.now: datetime | None = None
        self.items: list[Triage] = []
        self.by_id: dict[str, Case] = {}  # every case given, listed or not
        self._listed: dict[str, Triage] = {}
        self.ranked = 0  # cases triaged by the last rebuild, update or apply (the tests read it)

    def rebuild(self, cases: Iterable[Case], now: datetime) -> None:
        """Every case triaged at ``now`` (at 10,000 cases about 0.7 s: call it from a worker
        on a copy, see ``copy``)."""
        cases = list(cases)
        self.now = now
        self.by_id = {c.id: c for c in cases}
        self._order(cases, {c.id for c in cases})

    def changes(self, cases: list[Case]) -> tuple[list[Case], set[str]]:
        """The cases of ``cases`` that are new or at another revision than held, and the ids
        held that ``cases`` no longer has (one pass, a dict look-up a case)."""
        known = self.by_id
        changed = [c for c in cases if (k := known.get(c.id)) is not c and (k is None or k.rev != c.rev)]
        gone: set[str] = set()
        added = sum(1 for c in changed if c.id not in known)
        if len(known) + added != len(cases):  # some case is gone (or given twice)
            ids = {c.id for c in cases}
            gone = {i for i in known if i not in ids}
        return changed, gone

    def update(self, cases: Iterable[Case], now: datetime) -> bool:
        """Bring the rows to ``cases`` at ``now`` (the instant of the rows: else ``rebuild``).
        Only the new, changed and gone cases are triaged; True when any was."""
        if now != self.now:
            raise ValueError("update() is for the same instant; rebuild() at a new one")
        changed, gone = self.changes(cases if isinstance(cases, list) else list(cases))
        return self.apply(changed, gone)

    def apply(self, changed: Iterable[Case], gone: Iterable[str] = ()) -> bool:
        """These cases are new or changed (a save of ours, a colleague's), those are gone:
        triage only them. A case older than the one held is ignored."""
        fresh = [c for c in changed if (k := self.by_id.get(c.id)) is None or k.rev < c.rev]
        touched = {c.id for c in fresh} | set(gone)
        if not touched:
            self.ranked = 0
            return False
        for c in fresh:
            self.by_id[c.id] = c
        for cid in gone:
            self.by_id.pop(cid, None)
        kept = [t.case for t in self.items if t.case.id not in touched]
        self._order(kept + fresh, {c.id for c in fresh})
        return True

    def _order(self, cases: list[Case], triage_these: set[str]) -> None:
        now = self.now
        listed = self._listed

        def of(c: Case) -> Triage:
            hit = listed.get(c.id)
            return hit if hit is not None and c.id not in triage_these else self._triage_of(c, now)

        self.items = today(cases, self.cfg, now, of)
        self._listed = {t.case.id: t for t in self.items}
        self.ranked = len(triage_these)

    def copy(self) -> "TodayRows":
        """A twin to rebuild in a worker while this one stays on screen."""
        return TodayRows(self.cfg, self._triage_of)

    def index_of(self, case_id: str) -> int | None:
        t = self._listed.get(case_id)
        if t is None:
            return None
        return next((i for i, x in enumerate(self.items) if x is t), None)


# -- one row ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    mark: int
    id: int
    countdown: int
    why: int
    supplier: int
    amount: int


def columns(width: int, id_width: int = 6) -> Columns:
    """Cell widths of the row parts for a terminal ``width`` (gaps of one cell between).
    ``id_width`` is the longest id shown: ids are never cut (D-10000 and up take 7 cells)."""
    mark, cid, cd, amount = 2, max(6, id_width), 11, 14
    rest = max(0, width - mark - cid - cd - amount - 4)
    supplier = max(8, min(28, rest * 2 // 5))
    why = max(0, rest - supplier)
    return Columns(mark, cid, cd, why, supplier, amount)


def short_why(why: tuple[str, ...]) -> str:
    if not why:
        return ""
    return why[0] + (f"  +{len(why) - 1}" if len(why) > 1 else "")


@dataclass(frozen=True)
class Due:
    """The countdown a row shows: its text ("" when no clock applies), level (ok, soon,
    overdue) and whether the clock is a hard deadline."""

    text: str
    level: str
    hard: bool


def row_parts(t: Triage, due: Due, width: int, id_width: int, *, cursor: bool,
              marked: bool) -> list[tuple[str, str]]:
    """The text of one row, as (text, role) pieces filling ``width`` cells at most; a role
    names the look (``today--<role>`` in ``TodayList``: bar, mark, id, ok/soon/overdue with
    "+hard", supplier, "" for plain). User text is cleaned: data, never markup or controls."""
    case = t.case
    cols = columns(width, id_width)
    due_role = due.level + ("+hard" if due.hard and due.level != "ok" else "")
    amount = money(case.claim, case.currency)
    if cell_len(amount) > cols.amount:
        amount = money(case.claim)
    parts = [
        ("▌" if cursor else " ", "bar"),
        ("●" if marked else " ", "mark"),
        (fit(case.id, cols.id) + " ", "id"),
        (fit(due.text or "-", cols.countdown) + " ", due_role),
        (fit(clean(short_why(t.why)), cols.why) + " " if cols.why else "", ""),
        (fit(clean(case.supplier), cols.supplier) + " ", "supplier"),
        (crop(amount, cols.amount).rjust(cols.amount), ""),
    ]
    return [(text, role) for text, role in parts if text]


def header_text(width: int, id_width: int = 6) -> str:
    cols = columns(width, id_width)
    return ("  " + fit("id", cols.id) + " " + fit("due", cols.countdown) + " "
            + (fit("why it is here", cols.why) + " " if cols.why else "")
            + fit("supplier", cols.supplier) + " " + "claimed".rjust(cols.amount))


__all__ = ["TodayRows", "Columns", "columns", "short_why", "Due", "row_parts", "header_text"]
