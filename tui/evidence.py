"""The two evidence checkers the board runs, off the UI thread, in workers of the app.

- The card marks: the cards just drawn ask (``StageColumn.NeedsEvidence``) and their files are
  statted (``Triage.check_pending``); the one timer also starts a background pass over every
  loaded case once a while (``recheck``). Both answer ``EvidenceMarked``: those cards redraw.
- The open case: its files re-hashed (slow) for the detail's list (``check``), answered with
  ``EvidenceChecked`` (a quick stat first, then the hashes, ``final``); ``states`` keeps the
  last answer per case so the side pane does not re-hash on every cursor move.

The app owns one ``EvidenceChecks`` (``app.evidence``) and routes the three messages here.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Callable

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
        self.due: datetime | None = None
        self.rechecking = False
        self.last_pass: tuple[int, float] | None = None  # (cases, seconds)

    def pending(self) -> bool:
        return bool(self.app.triage.pending)

    # -- the card marks ------------------------------------------------------------------------
    def mark(self) -> None:
        """Cards were drawn whose files nobody has looked at yet: stat them."""
        if self.app.triage.pending and not self.marking:
            self.marking = True
            self.app.run_worker(self._mark, thread=True, group="evidence-marks")

    def _mark(self) -> None:
        try:
            changed = self.app.triage.check_pending()
        finally:
            self.app.call_from_thread(self._marked)
        self.app.post_message(EvidenceMarked(changed))

    def _marked(self) -> None:
        self.marking = False

    def interval(self) -> timedelta:
        """Seconds between background passes: 30, stretched for a large board so the pass (one
        stat per file: ~0.2-0.4 s CPU for 50,000 files) stays near 0.5% of a core, but never past
        55 s: a deleted or changed file still shows within a minute."""
        if not self.last_pass:
            return self.every
        return max(self.every, min(timedelta(seconds=55), timedelta(seconds=200 * self.last_pass[1])))

    def recheck_if_due(self, now: datetime, cases: Callable[[], list[Case]]) -> None:
        """On the one timer's tick: the background pass over ``cases()`` once it is due."""
        if self.rechecking or (self.due is not None and now < self.due):
            return
        self.due = now + self.interval()
        self.rechecking = True
        self.recheck(cases())

    def recheck(self, cases: list[Case]) -> None:
        """The background pass over every loaded case (see ``Triage.recheck``); ``rechecking``
        is cleared when it is over."""
        self.app.run_worker(partial(self._recheck, cases), thread=True, group="evidence-pass", exclusive=True)

    def _recheck(self, cases: list[Case]) -> None:
        started = time.perf_counter()
        try:
            changed = self.app.triage.recheck(cases)
        finally:
            self.app.call_from_thread(self._rechecked, len(cases), time.perf_counter() - started)
        self.app.post_message(EvidenceMarked(changed))

    def _rechecked(self, n: int, seconds: float) -> None:
        self.rechecking = False
        self.last_pass = (n, seconds)

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
        self.app.run_worker(partial(self._check, case), thread=True, group="evidence", exclusive=True)

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
