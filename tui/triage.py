"""What the board needs to know about a case, cached by (id, rev).

``store.clocks.clocks`` depends only on the case and the settings, so it is computed once per
revision; urgency against ``now`` is then a cheap pass over the cached clocks. Nothing here
imports Textual: the load worker calls it from a thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from store import Case, Config
from store.clocks import (OVERDUE, Clock, Urgency, clocks, countdown, known, known_schedule, known_turn, micros,
                          most_urgent, rank_changes_after, schedule_at, schedule_changes_after, soon_windows, urgency,
                          whose_turn)
from store import ops
from store.summary import peek_files
from store import query


@dataclass(frozen=True)
class CardInfo:
    level: str  # ok | soon | overdue
    hard: bool
    countdown: str  # "3d 4h", "overdue 2d", "" when no clock applies
    label: str  # what the countdown is for
    turn: str  # me | supplier | platform
    evidence: str  # "" | "missing" | "changed"
    rank: int


EVIDENCE_RECHECK_SECONDS = 30.0
_INF = float("inf")


class Batch(list):
    """A list to hand to a Textual ``@work`` method: the decorator names the worker with the
    ``repr`` of its arguments, and the repr of 10,000 cases costs about a second of CPU (it
    was most of an idle board's CPU and of opening Today)."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


class Triage:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._clocks: dict[str, tuple[int, list[Clock]]] = {}
        self._turn: dict[str, tuple[int, str]] = {}
        self._evidence: dict[str, tuple[int, float, str, tuple[str, ...] | None]] = {}
        self._search: dict[str, tuple[int, str]] = {}
        self._today: dict[str, tuple[int, datetime, query.Triage]] = {}
        self._urgency: dict[str, tuple[int, datetime, Urgency]] = {}
        self._urgency_now: datetime | None = None
        self._windows: tuple[datetime, datetime] | None = None  # soon_windows(_urgency_now)
        self._numbers: dict[str, int] = {}  # case.number by id (the sort asks it of every case)
        self._weights: tuple[datetime, tuple] | None = None  # (now, query.triage_weights(now))
        self.pending: dict[str, Case] = {}  # cases whose evidence files should be looked at

    def clocks(self, case: Case) -> list[Clock]:
        k = known(case, self.cfg)  # a summary case carries its own (nothing to keep here)
        if k is not None:
            return k[0]
        hit = self._clocks.get(case.id)
        if hit is not None and hit[0] == case.rev:
            return hit[1]
        cl = clocks(case, self.cfg)
        self._clocks[case.id] = (case.rev, cl)
        return cl

    def urgency(self, case: Case, now: datetime) -> Urgency:
        """Same answer as ``store.clocks.urgency``, from the cached clocks; kept for the last
        ``now`` asked (the load's sort and its counts ask the same instant)."""
        if now != self._urgency_now:
            self._urgency.clear()
            self._urgency_now = now
            self._windows = None
        hit = self._urgency.get(case.id)
        if hit is not None and hit[0] == case.rev and hit[1] == now:  # (now too: two threads ask)
            return hit[2]
        windows = self._windows
        if windows is None or self._urgency_now != now:  # (another thread's instant meanwhile)
            windows = soon_windows(now, self.cfg)
            if self._urgency_now == now:
                self._windows = windows
        u = urgency(case, self.cfg, now, self.clocks(case), windows)
        self._urgency[case.id] = (case.rev, now, u)
        return u

    def sort_key(self, case: Case, now: datetime) -> tuple:
        """The columns' order: most urgent first (``urgency``'s rank), then the nearer due, then
        the lower number."""
        return self.sort_keys([case], now)[0]

    def sort_keys(self, cases: list[Case], now: datetime) -> list[tuple]:
        """``sort_key`` of each case, in one pass (no ``Urgency`` made for each: at 10,000 cases
        the load's sort went from 146 to ~40 ms). ``key[0]`` is minus the rank: ``overdue``. A
        summary case's comes from its rank schedule (``store.clocks.rank_schedule``): no clock
        of it decoded or ranked."""
        cfg, numbers = self.cfg, self._numbers
        windows = soon_windows(now, cfg)
        now_us = micros(now)
        out = []
        for c in cases:
            s = known_schedule(c, cfg)
            if s is not None:  # a summary case: its number is its own (no checks to keep here)
                rank, due = schedule_at(s, now_us)
                n = c.number
            else:
                rank, clock = most_urgent(self.clocks(c), now, windows)
                due = clock.due.timestamp() if clock is not None else _INF
                n = numbers.get(c.id)
                if n is None:
                    n = numbers[c.id] = c.number
            out.append((-max(rank, 0), due, n))
        return out

    def keys_hold_until(self, cases: list[Case], now: datetime) -> datetime | None:
        """Until when every one of ``cases``' ``sort_key`` (and so ``overdue``) stays what it is at
        ``now``: the first instant a clock of one of them changes rank (of a summary case: its
        key, by its schedule). None: never."""
        cfg = self.cfg
        now_us = micros(now)
        best: datetime | None = None
        for c in cases:
            s = known_schedule(c, cfg)
            at = schedule_changes_after(s, now_us) if s is not None else rank_changes_after(self.clocks(c), now, cfg)
            if at is not None and (best is None or at < best):
                best = at
        return best

    @staticmethod
    def overdue(key: tuple) -> bool:
        """A ``sort_key`` whose case is overdue (``urgency(...).level == "overdue"``)."""
        return -key[0] in OVERDUE

    def turn(self, case: Case) -> str:
        t = known_turn(case)  # (whose_turn reads the same; asked first, nothing is kept here)
        if t is not None:
            return t
        hit = self._turn.get(case.id)
        if hit is not None and hit[0] == case.rev:
            return hit[1]
        t = whose_turn(case)
        self._turn[case.id] = (case.rev, t)
        return t

    def evidence(self, case: Case) -> str:
        """"missing", "changed" or "" as last checked. Never touches a file: a case not checked
        yet (or checked over 30 s ago) is queued in ``pending`` for ``check_pending`` to stat
        in a worker thread; meanwhile the last known answer (or "") is shown."""
        if not case.evidence:
            return ""
        hit = self._evidence.get(case.id)
        if hit is not None and hit[0] == case.rev:
            if time.monotonic() - hit[1] >= EVIDENCE_RECHECK_SECONDS:
                self.pending[case.id] = case
            return hit[2]
        self.pending[case.id] = case
        return hit[2] if hit is not None else ""

    def stat_states(self, case: Case, within: float) -> dict[int, str] | None:
        """Each file of ``case`` as the last stat of them found it (the card marks, the
        background pass or ``stat_cases``: at most ``within`` seconds ago, this revision), or
        None when that is not known. What the detail shows until it has re-hashed them."""
        hit = self._evidence.get(case.id)
        if hit is None or hit[0] != case.rev or time.monotonic() - hit[1] > within:
            return None
        if hit[2] == "":
            return {i: "ok" for i in range(len(case.evidence))}
        return None if hit[3] is None else dict(enumerate(hit[3]))

    def _stat(self, case: Case, files: list, now: float) -> bool:
        """Stat ``files`` (``case``'s, from ``peek_files``) and keep the answer; True when the
        card's mark changed. The files' own states are kept only when one is not as recorded
        (10,000 cases whose files are all there keep none)."""
        states = tuple(ops.evidence_state(e) for e in files)
        mark = "missing" if "missing" in states else "changed" if "changed" in states else ""
        old = self._evidence.get(case.id)
        self._evidence[case.id] = (case.rev, now, mark, states if mark else None)
        return (old[2] if old is not None else "") != mark

    def check_pending(self) -> set[str]:
        """Stat the queued cases' evidence files (call from a worker thread). Returns the ids
        whose mark changed."""
        batch = list(self.pending.values())
        self.pending.clear()
        return self.stat_cases(batch)

    def stat_cases(self, cases: list[Case]) -> set[str]:
        """Stat the evidence files of ``cases`` now (a worker thread): the cards the cursor may
        move to next, whose files nobody has looked at. Returns the ids whose mark changed."""
        changed: set[str] = set()
        for case in cases:
            if self._stat(case, peek_files(case), time.monotonic()):
                changed.add(case.id)
        return changed

    def recheck(self, cases: list[Case], pause: Callable[[], None] | None = None) -> set[str]:
        """Stat the evidence files of every case given (call from a worker thread): the
        background pass that makes a deleted or changed file show on its card while the board
        is open, whether or not the card is on screen. Returns the ids whose mark changed.
        One ``stat`` per file, no hashing (a same-size rewrite shows when the case is opened);
        only the files' paths and sizes are decoded (``peek_files``). ``pause()`` is called
        every 64 cases (the app gives way to keys being pressed)."""
        changed: set[str] = set()
        now = time.monotonic()
        for i, case in enumerate(cases):
            if pause is not None and not i & 63:
                pause()
            files = peek_files(case)
            if not files:
                continue
            if self._stat(case, files, now):
                changed.add(case.id)
            self.pending.pop(case.id, None)
        return changed

    def today_item(self, case: Case, now: datetime) -> query.Triage:
        """``store.query.triage(case, cfg, now)``, from the cached clocks, kept by (id, rev, now)."""
        hit = self._today.get(case.id)
        if hit is not None and hit[0] == case.rev and hit[1] == now:
            return hit[2]
        w = self._weights
        if w is None or w[0] != now:
            w = self._weights = (now, query.triage_weights(self.cfg, now))
        t = query.triage(case, self.cfg, now, self.clocks(case), w[1])
        self._today[case.id] = (case.rev, now, t)
        return t

    def warm_today(self, cases: list[Case], now: datetime) -> None:
        """Triage ``cases`` at ``now`` into the cache (a worker thread, after the board is drawn):
        Today's first open at that minute then only orders them (10,000 cases: ~190 ms less)."""
        for c in cases:
            self.today_item(c, now)

    def today(self, cases: list[Case], now: datetime) -> list[query.Triage]:
        """``store.query.today`` over ``cases``: the same rows in the same order, and at the
        same ``now`` only the cases changed since are triaged again (10,000 cases: ~10 ms)."""
        return query.today(cases, self.cfg, now, lambda c: self.today_item(c, now))

    def search_key(self, case: Case) -> str:
        hit = self._search.get(case.id)
        if hit is not None and hit[0] == case.rev:
            return hit[1]
        key = " ".join((case.id, case.order, case.supplier, case.title)).casefold()
        self._search[case.id] = (case.rev, key)
        return key

    def card(self, case: Case, now: datetime) -> CardInfo:
        u = self.urgency(case, now)
        cd = countdown(u.clock.due, now) if u.clock else ""
        return CardInfo(u.level, u.hard, cd, u.clock.label if u.clock else "", self.turn(case),
                        self.evidence(case), u.rank)
