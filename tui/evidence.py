"""The two evidence checkers the board runs, off the UI thread, in workers of the app.

- The card marks: the cards just drawn ask (``StageColumn.NeedsEvidence``) and their files are
  statted (``Triage.check_pending``); the one timer also runs a background round over every
  loaded case, a slice each tick (``recheck_if_due``), each slice giving way to keys being
  pressed (``DisputeApp.give_way``). Both answer ``EvidenceMarked``: those cards redraw.
- The open case: its files re-hashed (slow) for the detail's list (``check``), answered with
  ``EvidenceChecked`` (a quick stat first, then the hashes, ``final``); ``states`` keeps the
  last answer per case so the side pane does not re-hash on every cursor move.

The app owns one ``EvidenceChecks`` (``app.evidence``) and routes the three messages here.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Callable

from textual.worker import NoActiveWorker, get_current_worker

from store import Case, ops

from .messages import EvidenceChecked, EvidenceMarked
from .triage import EVIDENCE_RECHECK_SECONDS
from .widgets.detail_pane import DetailPane

if TYPE_CHECKING:
    from .app import DisputeApp


class EvidenceChecks:
    def __init__(self, app: "DisputeApp") -> None:
        self.app = app
        self.marking = False  # a card-marks worker is running
        # Re-hashed evidence per case: id -> (rev, when, {index: ok|missing|changed}).
        self.states: dict[str, tuple[int, float, dict[int, str]]] = {}
        # The background pass, driven by the one timer at the app's clock (tests move the clock
        # and post ticks): when the next is due, whether one is running, the last one's size.
        self.every = timedelta(seconds=EVIDENCE_RECHECK_SECONDS)
        self.due: datetime | None = None  # when the next round starts
        self.rechecking = False  # a slice's worker is running
        self.last_pass: tuple[int, float] | None = None  # the last round: (cases, CPU seconds)
        # The round under way: its cases (taken when it started), its start, how many are done,
        # the CPU its slices took so far.
        self.round: list[Case] | None = None
        self.round_at: datetime | None = None
        self.done = 0
        self.round_cpu = 0.0

    def recent(self, case: Case) -> dict[int, str] | None:
        """``case``'s files as re-hashed for this revision less than 30 s ago, or None."""
        known = self.states.get(case.id)
        if known is not None and known[0] == case.rev and time.monotonic() - known[1] < 30:
            return known[2]
        return None

    def known(self, case: Case) -> dict[int, str] | None:
        """What the pane and the detail show of ``case``'s files before their re-check answers:
        the last re-hash of this revision if recent, else what the last stat of its files found
        (the card marks, the round, the look ahead); None when neither is known. The re-check
        that follows then redraws the case only when it says something new."""
        recent = self.recent(case)
        if recent is not None:
            return recent
        return self.app.triage.stat_states(case, self.interval().total_seconds() + 5)

    def pending(self) -> bool:
        return bool(self.app.triage.pending)

    # -- the card marks ------------------------------------------------------------------------
    def mark(self) -> None:
        """Cards were drawn whose files nobody has looked at yet: stat them."""
        if self.app.triage.pending and not self.marking:
            self.marking = True
            self.app.run_worker(self._mark, thread=True, group="evidence-marks", description="card marks")

    def _mark(self) -> None:
        try:
            changed = self.app.triage.check_pending()
        finally:
            self.app.call_from_thread(self._marked)
        self.app.post_message(EvidenceMarked(changed))

    def _marked(self) -> None:
        self.marking = False

    def ahead(self, cases: list[Case], then: Callable[[], None]) -> None:
        """Stat the files of ``cases`` (the cards the cursor may move to, not looked at yet) in
        a worker, then ``then()`` on the UI thread: their lines are made ahead with their
        files' states, so the key that moves to one draws one frame (not "?" and then again
        when the check comes). A newer call replaces one not yet begun."""
        self.app.run_worker(partial(self._ahead, cases, then), thread=True, group="evidence-ahead",
                            exclusive=True, description=f"stat {len(cases)} cases ahead")

    def _ahead(self, cases: list[Case], then: Callable[[], None]) -> None:
        changed = self.app.triage.stat_cases(cases)
        if changed:
            self.app.post_message(EvidenceMarked(changed))
        if not self._stopped():
            try:
                self.app.call_from_thread(then)
            except RuntimeError:  # the app is closing: nothing to make ahead for
                pass

    # The share of a core the background rounds may take. An idle board must stay under 1% in
    # all: Textual's own idle and the one timer's ticks are 0.3-0.4%, and each slice's worker
    # costs the UI thread more than the slice's own thread CPU that the interval is made from.
    # At 0.5%, an idle 10k board on a running clock measured 0.7-0.8% between rounds' starts and
    # 1.1-1.2% through its first round.
    SHARE = 1 / 300
    # CPU seconds a case's files take to stat, before a round has said (30,000 cases' 150,000
    # files ~1 s): without it the first round of a large board ran at the 30 s floor, 3-8% of
    # a core for its first half-minute at 30k. The first round measured about 50 µs a case
    # (the process's CPU through it, less its idle).
    FIRST_GUESS = 50e-6

    def interval(self) -> timedelta:
        """Seconds a round over every case lasts: 30, stretched for a large board so the rounds
        stay at ``SHARE`` of a core (one stat per file: 10,000 cases' 50,000 files ~0.3-0.5 s of
        CPU, a round of 100-150 s; 30,000 cases' ~1-1.5 s, 300-450 s). The cards on screen do
        not wait for it: each minute's redraw asks their marks again (``Triage.evidence`` queues
        a check older than 30 s), so a deleted or changed file shows on screen within a minute
        whatever the round's length. The round is for the cards not drawn (scrolled to, their
        mark is right already)."""
        if not self.last_pass:  # the first round: its CPU guessed from its size
            n = len(self.round) if self.round is not None else 0
            return max(self.every, timedelta(seconds=n * self.FIRST_GUESS / self.SHARE))
        return max(self.every, timedelta(seconds=self.last_pass[1] / self.SHARE))

    def recheck_if_due(self, now: datetime, cases: Callable[[], list[Case]]) -> None:
        """On the one timer's tick: the next slice of the background round over ``cases()``.

        A round is spread over its ``interval``: each tick stats the cases its share of the
        time has reached, so the board never spends seconds of CPU at once (30,000 cases: about
        1 s in one pass, beside the first keys after the load), and each case is statted once
        an interval, a deleted file showing within it. Time is the app's clock: a tick that finds
        a round's time over (a test moving the clock) finishes it, and starts the next one's share."""
        if self.rechecking:
            return
        if self.round is None:
            if self.due is not None and now < self.due:
                return
            self._start(now, cases)
        part: list[Case] = []
        while self.round is not None and self.round_at is not None:
            n = len(self.round)
            span = self.interval().total_seconds()
            share = (now - self.round_at).total_seconds() / span if span > 0 else 1.0
            upto = n if share >= 1 else min(n, max(self.done + 1, math.ceil(n * share)))
            part.extend(self.round[self.done:upto])
            self.done = upto
            if upto < n:
                break
            self.last_pass = (n, self.round_cpu)  # (the CPU of its slices reported so far)
            self.round = None
            if self.due is not None and now >= self.due:  # the next round's time has come too
                late = now - self.due >= self.interval()  # (a clock that jumped, a suspended box)
                self._start(now if late else self.due, cases)
        if part:
            self.rechecking = True
            self.app.run_worker(partial(self._recheck, part), thread=True, group="evidence-pass",
                                description=f"recheck {len(part)} cases")

    def _start(self, at: datetime, cases: Callable[[], list[Case]]) -> None:
        """A round over the cases on the board now, started ``at``; the next one due an interval on."""
        self.round, self.round_at, self.done, self.round_cpu = list(cases()), at, 0, 0.0
        self.due = at + self.interval()

    def _recheck(self, part: list[Case]) -> None:
        cpu = time.thread_time()
        stop = self._stopped
        try:
            changed = self.app.triage.recheck(part, pause=lambda: self.app.give_way(stop))
            if changed:
                self.app.post_message(EvidenceMarked(changed))
        finally:  # the last thing it does: the next slice's worker may start once this has run
            self.app.call_from_thread(self._rechecked, time.thread_time() - cpu)

    @staticmethod
    def _stopped() -> bool:
        try:
            return get_current_worker().is_cancelled
        except NoActiveWorker:
            return False

    def _rechecked(self, cpu: float) -> None:
        self.rechecking = False
        self.round_cpu += cpu

    def marked(self, msg: EvidenceMarked) -> None:
        app = self.app
        if msg.changed and app.screen_stack:
            for col in app.board.columns:
                col.clear_cache(msg.changed)
            # An open case whose mark changed: re-check its files for the detail's list too.
            for pane in self._panes():
                if pane.display and pane.case is not None and pane.case.id in msg.changed:
                    self.states.pop(pane.case.id, None)
                    self.check(pane.case)

    # -- the open case -------------------------------------------------------------------------
    def check(self, case: Case) -> None:
        """Re-hash ``case``'s files (slow) and report which are missing or changed."""
        self.app.run_worker(partial(self._check, case), thread=True, group="evidence", exclusive=True,
                            description=f"check {case.id}")

    def _check(self, case: Case) -> None:
        states = {i: ops.evidence_state(e) for i, e in enumerate(case.evidence)}
        self.app.post_message(EvidenceChecked(case.id, case.rev, dict(states)))
        for i, e in enumerate(case.evidence):
            if states[i] == "ok":
                states[i] = ops.evidence_verify(e)
        self.app.post_message(EvidenceChecked(case.id, case.rev, states, final=True))

    def checked(self, msg: EvidenceChecked) -> None:
        if msg.final:
            self.states[msg.case_id] = (msg.rev, time.monotonic(), msg.states)
        for pane in self._panes():
            pane.set_states(msg.case_id, msg.states)

    def _panes(self) -> list[DetailPane]:
        out = []
        for screen in self.app.screen_stack:
            out.extend(screen.query(DetailPane).results(DetailPane))
        return out
